package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.Grid;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The axis flags of {@code sweep}: comma lists whose product is the grid. */
public final class SweepAxesOptions {

    /** The poison counts when neither --poison-counts nor --poison-rates is given. */
    static final String DEFAULT_COUNTS = "0,10,25,50,100,200,400,600";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--poison-counts", split = ",", paramLabel = "N",
            description = "Numbers of poisoned training images (default: " + DEFAULT_COUNTS + ").")
    int[] counts;

    @Option(names = "--poison-rates", split = ",", paramLabel = "R",
            description = "Shares of the training set to poison, in [0, 1], instead of --poison-counts.")
    double[] rates;

    @Option(names = "--attacks", split = ",", paramLabel = "NAME",
            description = "Attacks (instead of --attack): badnets, blended, sig, wanet, trojannn, label-consistent, "
                    + "adaptive-patch; each takes its own parameter flags.")
    List<String> attacks;

    @Option(names = "--trigger-sizes", split = ",", paramLabel = "S", description = "Trigger sizes (instead of --trigger-size).")
    int[] triggerSizes;

    @Option(names = "--triggers", split = ",", paramLabel = "KIND", description = "Trigger kinds (instead of --trigger).")
    List<String> triggers;

    @Option(names = "--targets", split = ",", paramLabel = "T", description = "Target classes (instead of --target).")
    int[] targets;

    @Option(names = "--models", split = ",", paramLabel = "M", description = "Models: mlp, cnn, seed-cnn (instead of --model).")
    List<String> models;

    @Option(names = "--seeds", split = ",", paramLabel = "N",
            description = "Seeds (instead of --seed); the chart shows their mean and range.")
    long[] seeds;

    @Option(names = "--defend", split = ",", paramLabel = "METHOD",
            description = "Defenses, as in demo, or none: each point plays the defender with one of them.")
    List<String> defend;

    /**
     * The grid the axis flags describe; exit 2 for an empty axis, a repeated value or clashing flags.
     *
     * @param epochs the --epochs values: one is the plain training flag, as in demo; a list is an axis
     */
    Grid<SweepAxis> grid(int[] epochs) {
        Map<SweepAxis, List<String>> axes = new EnumMap<>(SweepAxis.class);
        if (counts != null && rates != null) {
            throw new UserException("--poison-counts and --poison-rates both given", "pass one of them");
        }
        if (rates != null) {
            axes.put(SweepAxis.POISON_RATE, Arrays.stream(rates).mapToObj(Double::toString).toList());
        } else {
            int[] given = counts != null ? counts : Arrays.stream(DEFAULT_COUNTS.split(",")).mapToInt(Integer::parseInt)
                    .toArray();
            axes.put(SweepAxis.POISON_COUNT, Arrays.stream(given).mapToObj(Integer::toString).toList());
        }
        if (attacks != null) {
            List<String> names = new java.util.ArrayList<>();
            for (String a : attacks) {
                String n = a.trim().toLowerCase(java.util.Locale.ROOT);
                if (!dev.badnets.attack.Attacks.names().contains(n)) {
                    throw new UserException("unknown attack '" + a + "' in --attacks", "list attacks of "
                            + String.join(", ", dev.badnets.attack.Attacks.names()));
                }
                names.add(n);
            }
            axes.put(SweepAxis.ATTACK, notBoth("--attack", names));
        }
        if (triggerSizes != null) {
            axes.put(SweepAxis.TRIGGER_SIZE, notBoth("--trigger-size", Arrays.stream(triggerSizes)
                    .mapToObj(Integer::toString).toList()));
        }
        if (triggers != null) {
            axes.put(SweepAxis.TRIGGER, notBoth("--trigger", triggers.stream().map(String::trim).toList()));
        }
        if (targets != null) {
            axes.put(SweepAxis.TARGET, notBoth("--target", Arrays.stream(targets).mapToObj(Integer::toString).toList()));
        }
        if (models != null) {
            for (String m : models) {
                if (!NetworkOptions.MODELS.contains(m.trim().toLowerCase(Locale.ROOT))) {
                    throw new UserException("unknown model '" + m + "' in --models",
                            "list models of " + String.join(", ", NetworkOptions.MODELS));
                }
            }
            axes.put(SweepAxis.MODEL, notBoth("--layers", notBoth("--model", models.stream()
                    .map(m -> m.trim().toLowerCase(Locale.ROOT)).toList())));
        }
        if (epochs != null && epochs.length > 1) {
            axes.put(SweepAxis.EPOCHS, Arrays.stream(epochs).mapToObj(Integer::toString).toList());
        }
        if (seeds != null) {
            axes.put(SweepAxis.SEED, notBoth("--seed", Arrays.stream(seeds).mapToObj(Long::toString).toList()));
        }
        if (defend != null) {
            axes.put(SweepAxis.DEFEND, defend.stream().map(DefenseOptions::method).toList());
        }
        return new Grid<>(new LinkedHashMap<>(axes));
    }

    /** The targets a sweep trains: the --targets list, else the one --target. */
    int[] targets(int single) {
        return targets == null ? new int[] {single} : targets;
    }

    /** The flag naming the targets, for messages. */
    String targetsFlag() {
        return targets == null ? "--target" : "--targets";
    }

    /** {@code values}, unless the single flag {@code single} was given too (exit 2). */
    private List<String> notBoth(String single, List<String> values) {
        if (mixee.commandLine().getParseResult().hasMatchedOption(single)) {
            String plural = single.equals("--layers") ? "--models" : single + "s";
            throw new UserException(single + " and " + plural + " both given", "pass only " + plural
                    + " to vary it, or only " + single + " to fix it");
        }
        return values;
    }
}
