package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.DefenseOutcome;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.defense.DetectionMetrics;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's one-line explanations must match the figures they explain. */
public class ReportTest {

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

    @Test
    void theDefenseBlockReadsTheDefenseRecord() {
        BackdoorReport after = new BackdoorReport(0.9284, 0.8973, 0.9, new TreeMap<>(), 9020,
                PoisonPlan.Mode.ALL_TO_ONE, 0, new int[0], new int[0]);
        DefenseOutcome d = new DefenseOutcome("spectral", 0.01, null, new DetectionMetrics(900, 600, 34, 34 / 900.0,
                34 / 600.0), 59_100, null, null, after);
        assertEquals(String.format("Defense: spectral, expecting 1.00%% of the training set to be poisoned%n"
                + "  flagged                  900  training images removed; 34 of them were poisoned (precision 3.78%%)"
                + " and 5.67%% of the poisoned ones were caught (recall)%n"
                + "  clean accuracy         92.84%%  of the 10,000 clean test images, after retraining without them%n"
                + "  attack success rate    89.73%%  what is left of the backdoor after retraining%n"),
                Report.defenseLines(d, 10_000));
    }
}
