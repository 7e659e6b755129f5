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
     * @param flag         its name, the CLI flag without dashes, e.g. {@code sig-delta}
     * @param defaultValue the value used when none is given (the paper's)
     * @param min          the smallest value allowed (excluded when {@code minExcluded})
     * @param minExcluded  whether {@code min} itself is refused
     * @param max          the largest value allowed
     * @param integer      whether the value must be a whole number
     * @param meaning      one line: what it is
     */
    public record Parameter(String flag, double defaultValue, double min, boolean minExcluded, double max,
                            boolean integer, String meaning) {

        /** The range in words, e.g. {@code (0, 255]} or {@code 2 to 64}. */
        public String range() {
            return integer ? (long) min + " to " + (long) max : (minExcluded ? "(" : "[") + number(min) + ", "
                    + number(max) + "]";
        }

        /**
         * Throws {@link IllegalArgumentException}, starting with the parameter's name, unless {@code value}
         * is in range (and whole, for a whole-number parameter).
         */
        public void check(double value) {
            boolean in = value >= min && value <= max && !(minExcluded && value == min);
            if (!in || (integer && value != Math.rint(value))) {
                throw new IllegalArgumentException(flag + " " + number(value) + " is "
                        + (in ? "not a whole number" : "outside " + range()) + ": expected the " + meaning
                        + ", such as " + number(defaultValue));
            }
        }

        private static String number(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    private static Parameter real(String flag, double def, double min, boolean minExcluded, double max, String meaning) {
        return new Parameter(flag, def, min, minExcluded, max, false, meaning);
    }

    private static Parameter whole(String flag, double def, int min, int max, String meaning) {
        return new Parameter(flag, def, min, false, max, true, meaning);
    }

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
        add(e, new Entry(BLENDED, "seeded noise blended over the image with weight alpha, relabelled",
                List.of(), b -> new BadNetsAttack(BLENDED, b.trigger() instanceof BlendTrigger ? b.trigger()
                        : BlendTrigger.noise(BlendTrigger.DEFAULT_NOISE_SEED, Triggers.DEFAULT_ALPHA))));
        add(e, new Entry(SIG, "clean-label: a sinusoid or ramp added to target-class images",
                List.of(real("sig-delta", SigTrigger.DEFAULT_DELTA, 0, true, 255,
                                "training amplitude of the signal in grey levels"),
                        real("sig-test-delta", 0, 0, false, 255,
                                "test-time amplitude of the signal in grey levels (0: the training amplitude)"),
                        real("sig-frequency", SigTrigger.DEFAULT_FREQUENCY, 0, false, 1000,
                                "periods of the sinusoid across the image (0: the ramp)")),
                b -> new SigAttack(b.get("sig-delta"), b.get("sig-test-delta") == 0 ? b.get("sig-delta")
                        : b.get("sig-test-delta"), b.get("sig-frequency"))));
        add(e, new Entry(WANET, "an invisible warp of the image, relabelled; noise-warped images keep their labels",
                List.of(whole("wanet-k", WarpTrigger.DEFAULT_K, 2, 64, "control points per side of the warp field"),
                        real("wanet-s", WarpTrigger.DEFAULT_S, 0, false, 100, "strength of the warp"),
                        real("wanet-grid-rescale", WarpTrigger.DEFAULT_GRID_RESCALE, 0, true, 2,
                                "factor on the sampling grid"),
                        real("wanet-cross-ratio", WaNetAttack.DEFAULT_CROSS_RATIO, 0, false, 10,
                                "noise-mode images per poisoned image")),
                b -> new WaNetAttack((int) b.get("wanet-k"), b.get("wanet-s"),
                        b.get("wanet-grid-rescale"), b.get("wanet-cross-ratio"))));
        add(e, new Entry(TROJANNN, "a patch optimised on a clean model to excite chosen neurons, relabelled",
                List.of(whole("trojan-size", TrojanNnAttack.DEFAULT_SIZE, 1, 64, "side of the square mask"),
                        whole("trojan-neurons", TrojanNnAttack.DEFAULT_NEURONS, 1, 64,
                                "neurons of the last hidden layer to excite"),
                        real("trojan-target-value", TrojanNnAttack.DEFAULT_TARGET_VALUE, 0, true, 1e4,
                                "activation the neurons are driven to"),
                        whole("trojan-steps", TrojanNnAttack.DEFAULT_STEPS, 1, 10_000, "optimisation steps")),
                b -> new TrojanNnAttack((int) b.get("trojan-size"), (int) b.get("trojan-neurons"),
                        b.get("trojan-target-value"), (int) b.get("trojan-steps"))));
        add(e, new Entry(LABEL_CONSISTENT, "clean-label: target-class images made hard by PGD, then the corner trigger",
                List.of(real("lc-epsilon", LabelConsistentAttack.DEFAULT_EPSILON, 0, false, 255,
                                "radius of the L-infinity ball in grey levels"),
                        whole("lc-steps", LabelConsistentAttack.DEFAULT_STEPS, 1, 1000, "PGD steps"),
                        real("lc-amplitude", CornerTrigger.DEFAULT_AMPLITUDE, 0, true, 1,
                                "amplitude of the corner trigger"),
                        whole("lc-models", LabelConsistentAttack.DEFAULT_MODELS, 1, LabelConsistentAttack.MAX_MODELS,
                                "clean models whose mean loss PGD raises"),
                        real("lc-robust-epsilon", 0, 0, false, 255,
                                "radius in grey levels of the clean models' adversarial training (0: none)")),
                b -> new LabelConsistentAttack(b.get("lc-epsilon"), (int) b.get("lc-steps"),
                        b.get("lc-amplitude"), (int) b.get("lc-models"), b.get("lc-robust-epsilon"))));
        add(e, new Entry(ADAPTIVE_PATCH, "four blended patches on few poisoned images plus cover images that keep"
                + " their labels", List.of(real("cover-rate", AdaptivePatchAttack.DEFAULT_COVER_RATE, 0, false, 0.5,
                        "share of the training set patched but kept with its label")),
                b -> new AdaptivePatchAttack(b.get("cover-rate"))));
        return e;
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
     *                                  value out of range (the message starts with the parameter's name)
     */
    public static Attack build(String name, Trigger trigger, Map<String, Double> values) {
        Entry entry = entry(name);
        Map<String, Double> filled = new LinkedHashMap<>();
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Parameter p : entry.parameters()) {
            filled.put(p.flag(), p.defaultValue());
            byName.put(p.flag(), p);
        }
        for (Map.Entry<String, Double> v : values.entrySet()) {
            Parameter p = byName.get(v.getKey());
            if (p == null) {
                throw new IllegalArgumentException("attack " + entry.name() + " has no parameter " + v.getKey()
                        + (entry.parameters().isEmpty() ? "; it takes none"
                        : "; it takes " + String.join(", ", byName.keySet())));
            }
            p.check(v.getValue());
            filled.put(v.getKey(), v.getValue());
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
