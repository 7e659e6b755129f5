package dev.badnets.cli.sweep;

import dev.badnets.attack.Attack;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.experiment.Grid;
import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.PoisonOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.TriggerOptions;
import dev.badnets.core.Shape;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.Idx;
import dev.badnets.mnist.MnistLayout;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The sweep's flags applied to each point of its grid: what to train there, checked, and its settings as text. */
final class SweepPoints {

    /**
     * One point with every setting resolved.
     *
     * @param settings everything that decides the point's figures, as text (hashed into its config key)
     */
    record Run(Grid.Point<SweepAxis> point, PoisonPlan plan, String attack, TriggerOptions trigger,
               NetworkOptions network, TrainingConfig config, String defend, String settings) {

        /** The key of this point's attack: its name and the trigger flags (its own flags are the sweep's). */
        String attackKey() {
            return attack + ";" + trigger.key();
        }
    }

    /** The attacks and networks of a grid, built once each while checking it. */
    record Checked(Map<String, Attack> attacks, Map<String, String> networks) {}

    private SweepPoints() {
    }

    /** Every setting of {@code point}, checked (exit 2 for a bad value), and its configuration as text. */
    static Run resolve(Grid.Point<SweepAxis> point, SweepCommand flags, BackendOptions run) {
        String e = point.get(SweepAxis.EPOCHS);
        String s = point.get(SweepAxis.SEED);
        NetworkOptions net = flags.network.with(point.get(SweepAxis.MODEL), e == null ? null : Integer.valueOf(e),
                s == null ? flags.network.seed : Long.parseLong(s));
        TrainingConfig config = net.config(run);
        String t = point.get(SweepAxis.TARGET);
        TargetOptions to = t == null ? flags.target : flags.target.with(Integer.parseInt(t));
        PoisonOptions poison = new PoisonOptions();
        poison.sourceClasses = flags.sourceClasses;
        String count = point.get(SweepAxis.POISON_COUNT);
        String rate = point.get(SweepAxis.POISON_RATE);
        PoisonPlan plan = poison.plan(to, config.seed(), count == null ? null : Integer.valueOf(count),
                rate == null ? null : Double.valueOf(rate), "--poison-counts", "--poison-rates");
        String size = point.get(SweepAxis.TRIGGER_SIZE);
        String kind = point.get(SweepAxis.TRIGGER);
        TriggerOptions trigger = flags.triggerOptions.with(kind == null ? flags.triggerOptions.kind : kind,
                size == null ? flags.triggerOptions.size : Integer.parseInt(size));
        trigger.trigger(); // checks the kind and values; the fit to the images is checked once they are known
        String a = point.get(SweepAxis.ATTACK);
        String attack = a != null ? a : flags.attackOptions.resolvedName(trigger);
        String method = point.get(SweepAxis.DEFEND) == null ? DefenseOptions.NONE : point.get(SweepAxis.DEFEND);
        String settings = (count != null ? "poison_count=" + count : "poison_rate=" + rate) + ";mode="
                + to.mode().cliName() + ";target=" + to.target + ";source_classes="
                + Arrays.toString(plan.sourceClasses()) + ";" + trigger.key()
                + (a == null && !flags.attackOptions.given() ? "" : ";attack=" + attack + ";attack_parameters="
                        + flags.attackOptions.valuesFor(attack, flags.attackOptions.values()))
                + ";layers=" + net.layerSpec()
                + ";epochs=" + config.epochs() + ";batch=" + config.batchSize() + ";lr=" + config.learningRate()
                + ";lr_schedule=" + config.learningRateSchedule().cliName() + ";optimizer=" + config.optimizer()
                + ";seed=" + config.seed() + ";threads=" + config.threads() + ";backend=" + config.backend()
                + ";defend=" + method + (method.equals(DefenseOptions.NONE) ? "" : ";expected_rate=" + flags.expectedRate);
        return new Run(point, plan, attack, trigger, net, config, method, settings);
    }

    /** The line printed when a point finishes: its figures, and the defended ones when it defends. */
    static String finished(Run r, int gridSize, ExperimentResult result) {
        return String.format(Locale.ROOT, "  %d/%d %s: clean accuracy %.2f%%, attack success rate %.2f%%%s (%.1f s)",
                r.point().number(), gridSize, r.point().describe(),
                100 * result.backdoor().cleanAccuracy(), 100 * result.backdoor().attackSuccessRate(),
                result.defended() ? String.format(Locale.ROOT, "; after %s %.2f%% and %.2f%%", r.defend(),
                        100 * result.defense().backdoor().cleanAccuracy(),
                        100 * result.defense().backdoor().attackSuccessRate()) : "", result.seconds());
    }

    /**
     * Checks every point of the grid against the data before anything is written or trained: each
     * target is a class of the data, each poisoning plan finds its images among the training labels,
     * each trigger fits the images, each network builds for them. Reads the training labels only
     * (one byte an image). Exit 2 naming the first point that fails, and why.
     */
    static Checked check(List<Run> runs, MnistLayout layout, SweepCommand flags) throws IOException {
        byte[] labels = Idx.read(layout.trainLabels()).bytes();
        int largest = 0;
        for (byte b : labels) {
            largest = Math.max(largest, b & 0xFF);
        }
        int classes = largest + 1; // as MnistData counts them
        for (int t : flags.axes.targets(flags.target.target)) {
            Check.inRange(flags.axes.targetsFlag(), t, 0, classes - 1);
        }
        flags.target.mode();
        Shape image = Shape.image(layout.rows(), layout.cols());
        Map<String, Attack> attacks = new HashMap<>();
        Map<String, String> networks = new LinkedHashMap<>();
        Set<String> plans = new HashSet<>();
        Map<String, Double> parameters = flags.attackOptions.given(runs.stream().map(Run::attack).distinct().toList());
        for (Run r : runs) {
            try {
                Attack attack = attacks.computeIfAbsent(r.attackKey(), k -> flags.attackOptions.build(r.attack(),
                        r.trigger(), parameters, layout.rows(), layout.cols()));
                if (plans.add(r.attack() + ";" + r.plan())) {
                    attack.checkPlan(labels, classes, r.plan());
                }
                networks.computeIfAbsent(r.network().layerSpec(),
                        k -> r.network().layers(r.network().build(image, classes)));
            } catch (IllegalArgumentException e) {
                String message = Errors.flatten(e.getMessage());
                int split = message.indexOf("; ");
                throw new UserException("point " + r.point().number() + " (" + r.point().describe() + "): "
                        + (split < 0 ? message : message.substring(0, split)),
                        split < 0 ? "change that value of its axis" : message.substring(split + 2));
            }
        }
        return new Checked(attacks, networks);
    }
}
