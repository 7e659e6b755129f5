package dev.badnets.cli.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.BackdoorScan;
import dev.badnets.attack.defense.MaxMargin;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.attack.defense.RecoveredTrigger;
import dev.badnets.attack.defense.ScanResult;
import dev.badnets.attack.defense.UnlearningRepair;
import dev.badnets.cli.Json;
import dev.badnets.cli.Progress;
import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/** What {@code scan} prints and writes to scan.json: both detectors' figures, the verdict, the repair. */
final class ScanReport {

    private ScanReport() {
    }

    /** The scan, with one progress bar per class of Neural Cleanse when a person is watching. */
    static BackdoorScan.Result scanWithProgress(Network net, LabeledImages images,
                                                        NeuralCleanse.Settings settings, MaxMargin.Settings margins) {
        boolean show = Progress.interactive();
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return BackdoorScan.scan(net, images, settings, margins, new NeuralCleanse.Listener() {
                @Override
                public void onStep(int label, int step, int maxSteps) {
                    if (show) {
                        if (bar[0] == null) {
                            bar[0] = Progress.bar("class " + label, maxSteps, null, 1);
                        }
                        bar[0].stepTo(step);
                    }
                }

                @Override
                public void onClass(RecoveredTrigger trigger) {
                    if (bar[0] != null) {
                        bar[0].setExtraMessage(String.format(Locale.ROOT, "mask L1 %.1f", trigger.maskL1()));
                        bar[0].close();
                        bar[0] = null;
                    }
                }
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    /** The table of both detectors' figures per class, their rules, and the verdict. */
    static void print(PrintWriter stdout, BackdoorScan.Result scan) {
        ScanResult nc = scan.neuralCleanse();
        MaxMargin.Result mm = scan.maxMargin();
        stdout.println("          Neural Cleanse                             MM-BD");
        stdout.println("  class   mask L1   attack success   anomaly index   largest margin");
        for (RecoveredTrigger t : nc.triggers()) {
            int c = t.label();
            stdout.printf(Locale.ROOT, "  %5d   %7.1f   %13.2f%%   %13.2f   %14.1f%s%n", c, t.maskL1(),
                    100 * t.attackSuccess(), nc.anomalyIndices()[c], mm.margins()[c],
                    scan.isFlagged(c) ? "   <- backdoor target" : "");
        }
        stdout.println();
        stdout.printf(Locale.ROOT, "Neural Cleanse: anomaly index = (median - log mask L1) / (1.4826 x MAD) over the "
                + "classes' log mask L1; threshold %.1f: %s%n", NeuralCleanse.ANOMALY_THRESHOLD,
                classes(nc.flagged()));
        stdout.printf(Locale.ROOT, "MM-BD: class %d has the largest margin, %.1f; p-value %.3g under a Gamma "
                + "(shape %.2f, scale %.2f) fitted to the other classes' margins; threshold %.2f: %s%n", mm.suspect(),
                mm.margins()[mm.suspect()], mm.pValue(), mm.shape(), mm.scale(), mm.threshold(),
                mm.flagged() ? "class " + mm.suspect() : "none");
        stdout.printf(Locale.ROOT, "Verdict: a class Neural Cleanse flags (index > %.1f), or MM-BD's flagged class "
                + "when its Neural Cleanse index is above %.1f%n", BackdoorScan.NEURAL_CLEANSE_ALONE,
                BackdoorScan.SUPPORTING_INDEX);
        stdout.println();
        stdout.println(verdict(scan));
        stdout.printf(Locale.ROOT, "(the scan took %.1f s: Neural Cleanse %.1f s, MM-BD %.1f s)%n", scan.seconds(),
                nc.seconds(), mm.seconds());
        stdout.flush();
    }

    /** {@code class 3, class 7}, or {@code none}. */
    private static String classes(int[] flagged) {
        if (flagged.length == 0) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        for (int c : flagged) {
            s.append(s.length() == 0 ? "" : ", ").append("class ").append(c);
        }
        return s.toString();
    }

    /** {@code backdoor found: class 7} (classes joined by commas), or {@code no backdoor found}. */
    static String verdict(BackdoorScan.Result scan) {
        if (scan.flagged().length == 0) {
            return "no backdoor found";
        }
        return "backdoor found: " + classes(scan.flagged());
    }

    /** scan.json without its timings and repair, which the caller adds. */
    static ObjectNode json(BackdoorScan.Result scan, Path model, Path folder, int images, long seed) {
        ScanResult nc = scan.neuralCleanse();
        MaxMargin.Result mm = scan.maxMargin();
        ObjectNode root = Json.object();
        root.put("model", model.toAbsolutePath().toString());
        root.put("data", folder.toString());
        root.put("samples", images);
        root.put("seed", seed);
        root.put("verdict", verdict(scan));
        ArrayNode flagged = root.putArray("flagged_classes");
        for (int c : scan.flagged()) {
            flagged.add(c);
        }
        root.put("verdict_rule", String.format(Locale.ROOT, "neural_cleanse anomaly_index > %.1f, or the mm_bd "
                + "flagged class with anomaly_index > %.1f", BackdoorScan.NEURAL_CLEANSE_ALONE,
                BackdoorScan.SUPPORTING_INDEX));
        ObjectNode detectors = root.putObject("detectors");
        ObjectNode n = detectors.putObject("neural_cleanse");
        n.put("statistic", "anomaly_index = (median - log mask_l1) / (1.4826 * MAD) over the classes' log mask_l1");
        n.put("threshold", NeuralCleanse.ANOMALY_THRESHOLD);
        ArrayNode nFlagged = n.putArray("flagged_classes");
        for (int c : nc.flagged()) {
            nFlagged.add(c);
        }
        n.put("seconds", nc.seconds());
        ObjectNode m = detectors.putObject("mm_bd");
        m.put("statistic", "largest margin (logit of the class minus the largest other) over 30 optimised inputs");
        ArrayNode margins = m.putArray("max_margins");
        for (double v : mm.margins()) {
            margins.add(v);
        }
        m.put("suspect_class", mm.suspect());
        m.put("p_value", mm.pValue());
        m.put("gamma_shape", mm.shape());
        m.put("gamma_scale", mm.scale());
        m.put("threshold", mm.threshold());
        ArrayNode mFlagged = m.putArray("flagged_classes");
        if (mm.flagged()) {
            mFlagged.add(mm.suspect());
        }
        ArrayNode mSteps = m.putArray("steps");
        for (int v : mm.steps()) {
            mSteps.add(v);
        }
        m.put("seconds", mm.seconds());
        ArrayNode classes = root.putArray("classes");
        for (RecoveredTrigger t : nc.triggers()) {
            ObjectNode c = classes.addObject();
            c.put("class", t.label());
            c.put("mask_l1", t.maskL1());
            c.put("attack_success", t.attackSuccess());
            c.put("anomaly_index", nc.anomalyIndices()[t.label()]);
            c.put("max_margin", mm.margins()[t.label()]);
            c.put("flagged", scan.isFlagged(t.label()));
            c.put("steps", t.steps());
            ArrayNode mask = c.putArray("mask");
            for (float v : t.mask()) {
                mask.add(v);
            }
            ArrayNode pattern = c.putArray("pattern");
            for (float v : t.pattern()) {
                pattern.add(255 * v);
            }
        }
        return root;
    }

    /** The repair's lines and its part of scan.json ({@code repair} and the repair's seconds). */
    static void repair(PrintWriter stdout, ObjectNode root, UnlearningRepair.Outcome repaired,
                       NeuralCleanse.Unlearning unlearning, Trigger trigger, int testImages, int target) {
        ObjectNode r = root.putObject("repair");
        r.put("method", "unlearn");
        r.put("images", repaired.images());
        r.put("stamped", repaired.repair().stamped());
        stdout.printf(Locale.ROOT, "Repair: unlearning, fine-tuned %d epochs on %,d training images, %,d of them "
                + "with the recovered trigger and their true labels%n", unlearning.training().epochs(),
                repaired.images(), repaired.repair().stamped());
        r.put("clean_accuracy_before", repaired.cleanAccuracyBefore())
                .put("clean_accuracy_after", repaired.cleanAccuracyAfter());
        if (trigger != null) {
            r.put("attack_success_rate_before", repaired.before().attackSuccessRate())
                    .put("attack_success_rate_after", repaired.after().attackSuccessRate());
            r.put("trigger", trigger.describe());
        }
        stdout.printf(Locale.ROOT, "  clean accuracy       %6.2f%% -> %6.2f%%  on the %,d test images%n",
                100 * repaired.cleanAccuracyBefore(), 100 * repaired.cleanAccuracyAfter(), testImages);
        if (trigger == null) {
            stdout.println("  (give the trigger flags, e.g. --trigger square --target 0, to measure its attack "
                    + "success rate before and after)");
        } else {
            stdout.printf(Locale.ROOT, "  attack success rate  %6.2f%% -> %6.2f%%  of the real trigger (%s), on the "
                    + "%,d test images not of class %d%n", 100 * repaired.before().attackSuccessRate(),
                    100 * repaired.after().attackSuccessRate(), trigger.describe(), repaired.before().attackedCount(),
                    target);
        }
        Json.timings(root).put("repair_seconds", repaired.repair().training().seconds());
    }

    /** The run's seconds in scan.json's {@code timings}: the scan, each detector, and the whole command. */
    static void timings(ObjectNode root, BackdoorScan.Result scan, double totalSeconds) {
        Json.timings(root).put("scan_seconds", scan.seconds())
                .put("neural_cleanse_seconds", scan.neuralCleanse().seconds())
                .put("max_margin_seconds", scan.maxMargin().seconds())
                .put("total_seconds", totalSeconds);
    }

    /** The closing list of the files written; {@code repaired} is null when no model was repaired. */
    static void files(PrintWriter stdout, Path picture, Path results, Path repaired) {
        stdout.println();
        stdout.println("Files");
        stdout.println("  " + picture + "  each class's recovered mask and trigger");
        stdout.println("  " + results + "  every figure above, masks and patterns");
        if (repaired != null) {
            stdout.println("  " + repaired + "  the repaired model");
        }
        stdout.flush();
    }
}
