package dev.badnets.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Training samples counted per iteration: JMH reports the counter per second, so a benchmark of
 * steps or epochs also reads as samples/s (the unit the speed targets are stated in).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class SampleCount {
    public long samples;

    @Setup(Level.Iteration)
    public void reset() {
        samples = 0;
    }
}
