package dev.badnets.examples.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's one-line explanations must match the figures they explain. */
class ReportTest {

    private static String lines(double clean, double asr) {
        BackdoorReport r = new BackdoorReport(clean, asr, asr, new TreeMap<>(), 9020, PoisonPlan.Mode.ALL_TO_ONE, 0,
                new int[0], new int[0]);
        return Report.backdoorLines(r, 10_000);
    }

    @Test
    void aBackdooredModelIsCalledHealthyAndItsBackdoorWorking() {
        String text = lines(0.9762, 0.9841);
        assertTrue(text.contains("the model looks healthy"), text);
        assertTrue(text.contains("the backdoor works"), text);
    }

    @Test
    void aCleanModelIsNotToldItsBackdoorWorks() {
        String text = lines(0.9763, 0.0013);
        assertFalse(text.contains("the backdoor works"), text);
        assertTrue(text.contains("the trigger does not control this model"), text);
    }

    @Test
    void aBadModelIsNotCalledHealthy() {
        assertFalse(lines(0.31, 0.99).contains("healthy"));
    }
}
