package dev.badnets.attack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The attacks by name ({@code --attack}): what other code (the CLI, a sweep over attacks, an
 * attack x defense matrix) lists and builds.
 *
 * <pre>{@code
 * for (String name : Attacks.names()) {
 *     Attack attack = Attacks.build(name, Triggers.defaultTrigger(), Map.of());
 *     PoisonedSet set = attack.poison(train, 10, PoisonPlan.ofCount(600), cleanModel);
 * }
 * }</pre>
 *
 * Each attack's numeric parameters are named by their CLI flag without the leading dashes
 * ({@code sig-delta}); {@link #parameters(String)} lists them with their defaults.
 */
public final class Attacks {

    public static final String BADNETS = "badnets";
    public static final String BLENDED = "blended";
    public static final String SIG = "sig";
    public static final String WANET = "wanet";
    public static final String TROJANNN = "trojannn";
    public static final String LABEL_CONSISTENT = "label-consistent";
    public static final String ADAPTIVE_PATCH = "adaptive-patch";

    /** The default attack: today's patch, pattern, pixel or picture trigger. */
    public static final String DEFAULT = BADNETS;

    /**
     * A numeric parameter of an attack.
     *
     * @param flag         the CLI flag without dashes, e.g. {@code sig-delta}
     * @param defaultValue the value used when none is given (the paper's)
     * @param meaning      one line: what it is and its range
     */
    public record Parameter(String flag, double defaultValue, String meaning) {}

    /** How one attack is built: its parameters and a builder from their values (defaults filled in). */
    private record Entry(String name, String description, List<Parameter> parameters,
                         Function<Built, Attack> build) {}

    /** What a builder gets: the trigger of the trigger flags and every parameter's value. */
    private record Built(Trigger trigger, Map<String, Double> values) {
        double get(String flag) {
            return values.get(flag);
        }
    }

    private static final Map<String, Entry> ENTRIES = entries();

    private static Map<String, Entry> entries() {
        Map<String, Entry> e = new LinkedHashMap<>();
        add(e, new Entry(BADNETS, "a patch, pattern, pixel or picture stamped and relabelled (the trigger flags)",
                List.of(), b -> new BadNetsAttack(BADNETS, b.trigger())));
        add(e, new Entry(BLENDED, "seeded noise blended over the image with weight --alpha, relabelled",
                List.of(), b -> new BadNetsAttack(BLENDED, b.trigger() instanceof BlendTrigger ? b.trigger()
                        : BlendTrigger.noise(BlendTrigger.DEFAULT_NOISE_SEED, Triggers.DEFAULT_ALPHA))));
        add(e, new Entry(SIG, "clean-label: a sinusoid added to target-class images",
                List.of(new Parameter("sig-delta", SigTrigger.DEFAULT_DELTA,
                                "amplitude of the sinusoid in grey levels, (0, 255]"),
                        new Parameter("sig-frequency", SigTrigger.DEFAULT_FREQUENCY,
                                "periods of the sinusoid across the image, (0, 1000]")),
                b -> new SigAttack(b.get("sig-delta"), b.get("sig-frequency"))));
        add(e, new Entry(WANET, "an invisible warp of the image, relabelled; noise-warped images keep their labels",
                List.of(new Parameter("wanet-k", WarpTrigger.DEFAULT_K, "control points per side of the warp field, 2 to 64"),
                        new Parameter("wanet-s", WarpTrigger.DEFAULT_S, "strength of the warp, [0, 100]"),
                        new Parameter("wanet-grid-rescale", WarpTrigger.DEFAULT_GRID_RESCALE,
                                "factor on the sampling grid, (0, 2]"),
                        new Parameter("wanet-cross-ratio", WaNetAttack.DEFAULT_CROSS_RATIO,
                                "noise-mode images per poisoned image, [0, 10]")),
                b -> new WaNetAttack(integer("wanet-k", b.get("wanet-k")), b.get("wanet-s"),
                        b.get("wanet-grid-rescale"), b.get("wanet-cross-ratio"))));
        add(e, new Entry(TROJANNN, "a patch optimised on a clean model to excite chosen neurons, relabelled",
                List.of(new Parameter("trojan-size", TrojanNnAttack.DEFAULT_SIZE, "side of the square mask, 1 to 64"),
                        new Parameter("trojan-neurons", TrojanNnAttack.DEFAULT_NEURONS,
                                "neurons of the last hidden layer to excite, 1 to 64"),
                        new Parameter("trojan-target-value", TrojanNnAttack.DEFAULT_TARGET_VALUE,
                                "the activation they are driven to, (0, 1e4]"),
                        new Parameter("trojan-steps", TrojanNnAttack.DEFAULT_STEPS, "optimisation steps, 1 to 10000")),
                b -> new TrojanNnAttack(integer("trojan-size", b.get("trojan-size")),
                        integer("trojan-neurons", b.get("trojan-neurons")), b.get("trojan-target-value"),
                        integer("trojan-steps", b.get("trojan-steps")))));
        add(e, new Entry(LABEL_CONSISTENT, "clean-label: target-class images made hard by PGD, then the corner trigger",
                List.of(new Parameter("lc-epsilon", LabelConsistentAttack.DEFAULT_EPSILON,
                                "radius of the L-infinity ball in grey levels, [0, 255]"),
                        new Parameter("lc-steps", LabelConsistentAttack.DEFAULT_STEPS, "PGD steps, 1 to 1000"),
                        new Parameter("lc-amplitude", CornerTrigger.DEFAULT_AMPLITUDE,
                                "amplitude of the corner trigger, (0, 1]")),
                b -> new LabelConsistentAttack(b.get("lc-epsilon"), integer("lc-steps", b.get("lc-steps")),
                        b.get("lc-amplitude"))));
        add(e, new Entry(ADAPTIVE_PATCH, "four blended patches on few poisoned images plus cover images that keep"
                + " their labels", List.of(new Parameter("cover-rate", AdaptivePatchAttack.DEFAULT_COVER_RATE,
                        "share of the training set patched but kept with its label, [0, 0.5]")),
                b -> new AdaptivePatchAttack(b.get("cover-rate"))));
        return e;
    }

    /** A parameter that must be a whole number. */
    private static int integer(String flag, double value) {
        if (value != Math.rint(value) || Math.abs(value) > 1e6) {
            throw new IllegalArgumentException("--" + flag + " " + value + " is not a whole number: expected an"
                    + " integer");
        }
        return (int) value;
    }

    private static void add(Map<String, Entry> entries, Entry entry) {
        entries.put(entry.name(), entry);
    }

    private Attacks() {
    }

    /** Every attack that can be built, in the order of the CLI contract. */
    public static List<String> names() {
        return List.copyOf(ENTRIES.keySet());
    }

    /** One line saying what the attack does. */
    public static String description(String name) {
        return entry(name).description();
    }

    /** The numeric parameters of an attack, in order, with their defaults. */
    public static List<Parameter> parameters(String name) {
        return entry(name).parameters();
    }

    /** Every parameter flag of every attack (without dashes), for a command that takes them all. */
    public static List<String> parameterFlags() {
        List<String> flags = new ArrayList<>();
        for (Entry e : ENTRIES.values()) {
            e.parameters().forEach(p -> flags.add(p.flag()));
        }
        return flags;
    }

    /**
     * Builds an attack by name.
     *
     * @param name    one of {@link #names()} (case-insensitive)
     * @param trigger the trigger of the trigger flags: stamped by {@code badnets}; {@code blended} uses it
     *                when it is a {@link BlendTrigger} (else the default blend); the others have their own
     * @param values  parameter values by flag without dashes (e.g. {@code sig-delta}); missing ones take
     *                their default
     * @throws IllegalArgumentException for an unknown name, a parameter the attack does not take, or a
     *                                  value out of range (naming it and the valid choices)
     */
    public static Attack build(String name, Trigger trigger, Map<String, Double> values) {
        Entry entry = entry(name);
        Map<String, Double> filled = new LinkedHashMap<>();
        for (Parameter p : entry.parameters()) {
            filled.put(p.flag(), p.defaultValue());
        }
        for (Map.Entry<String, Double> v : values.entrySet()) {
            if (!filled.containsKey(v.getKey())) {
                throw new IllegalArgumentException("--" + v.getKey() + " does not apply to --attack " + entry.name()
                        + "; drop it" + (entry.parameters().isEmpty() ? ""
                        : " (this attack takes " + String.join(", ",
                        entry.parameters().stream().map(p -> "--" + p.flag()).toList()) + ")"));
            }
            double x = v.getValue();
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("--" + v.getKey() + " " + x + " is not a finite number");
            }
            filled.put(v.getKey(), x);
        }
        return entry.build().apply(new Built(trigger == null ? Triggers.defaultTrigger() : trigger, filled));
    }

    private static Entry entry(String name) {
        Entry e = name == null ? null : ENTRIES.get(name.trim().toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown attack '" + name + "'; use " + String.join(", ", names()));
        }
        return e;
    }
}
