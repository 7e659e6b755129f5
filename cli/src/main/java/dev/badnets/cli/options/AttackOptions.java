package dev.badnets.cli.options;

import dev.badnets.cli.Errors;
import dev.badnets.cli.UserException;

import dev.badnets.attack.Attack;
import dev.badnets.attack.Attacks;
import dev.badnets.attack.PoisonManifest;
import dev.badnets.attack.PoisonedDataset;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.Triggers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --attack NAME} and every attack's parameter flags, spelled once for {@code poison}, {@code demo},
 * {@code sweep}, {@code evaluate}, {@code scan} and {@code strip}. Without {@code --attack} the trigger
 * flags say what happens, as before attacks had names ({@code --trigger blend} is {@code blended}).
 */
public final class AttackOptions {

    @Option(names = "--attack", paramLabel = "NAME",
            description = "badnets (the trigger flags, the default), blended (--trigger blend), sig, wanet, trojannn, "
                    + "label-consistent or adaptive-patch; each attack's parameters are its own flags.")
    public String name;

    @Option(names = "--sig-delta", paramLabel = "D", description = "sig: training amplitude of the signal in grey "
            + "levels (default: 20).")
    Double sigDelta;

    @Option(names = "--sig-test-delta", paramLabel = "D", description = "sig: test-time amplitude in grey levels "
            + "(default: 0, the training amplitude).")
    Double sigTestDelta;

    @Option(names = "--sig-frequency", paramLabel = "F", description = "sig: periods of the sinusoid across the image; "
            + "0 for the paper's MNIST ramp (default: 6).")
    Double sigFrequency;

    @Option(names = "--wanet-k", paramLabel = "K", description = "wanet: control points per side of the warp field "
            + "(default: 4).")
    Double wanetK;

    @Option(names = "--wanet-s", paramLabel = "S", description = "wanet: strength of the warp (default: 0.5).")
    Double wanetS;

    @Option(names = "--wanet-grid-rescale", paramLabel = "R", description = "wanet: factor on the sampling grid "
            + "(default: 1).")
    Double wanetGridRescale;

    @Option(names = "--wanet-cross-ratio", paramLabel = "R", description = "wanet: noise-mode images per poisoned "
            + "image, labels kept (default: 2).")
    Double wanetCrossRatio;

    @Option(names = "--trojan-size", paramLabel = "S", description = "trojannn: side of the square mask at the "
            + "bottom right (default: 5).")
    Double trojanSize;

    @Option(names = "--trojan-neurons", paramLabel = "N", description = "trojannn: neurons of the last hidden layer "
            + "to excite (default: 2).")
    Double trojanNeurons;

    @Option(names = "--trojan-target-value", paramLabel = "V", description = "trojannn: activation the neurons are "
            + "driven to (default: 100).")
    Double trojanTargetValue;

    @Option(names = "--trojan-steps", paramLabel = "N", description = "trojannn: optimisation steps (default: 1000).")
    Double trojanSteps;

    @Option(names = "--lc-epsilon", paramLabel = "E", description = "label-consistent: PGD radius in grey levels "
            + "(default: 16).")
    Double lcEpsilon;

    @Option(names = "--lc-steps", paramLabel = "N", description = "label-consistent: PGD steps (default: 20).")
    Double lcSteps;

    @Option(names = "--lc-amplitude", paramLabel = "A", description = "label-consistent: amplitude of the corner "
            + "trigger, (0, 1] (default: 1).")
    Double lcAmplitude;

    @Option(names = "--lc-models", paramLabel = "N", description = "label-consistent: clean models, each trained "
            + "from a seed of the attacker's own, whose mean loss PGD raises (default: 1).")
    Double lcModels;

    @Option(names = "--lc-robust-epsilon", paramLabel = "E", description = "label-consistent: adversarially train "
            + "the clean models within this L-infinity radius in grey levels, 0 for none (default: 0).")
    Double lcRobustEpsilon;

    @Option(names = "--cover-rate", paramLabel = "R", description = "adaptive-patch: share of the training set "
            + "patched but kept with its label (default: 0.003, the paper's).")
    Double coverRate;

    /** Whether {@code --attack} was given (results then record the attack). */
    public boolean given() {
        return name != null;
    }

    /** The attack's name: {@code --attack}, else {@code blended} for {@code --trigger blend}, else {@code badnets}. */
    public String resolvedName(TriggerOptions trigger) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (!Attacks.names().contains(n)) {
                throw new UserException("unknown attack '" + name + "'", "use one of " + String.join(", ", Attacks.names()));
            }
            return n;
        }
        return "blend".equalsIgnoreCase(trigger.kind == null ? "" : trigger.kind.trim()) ? Attacks.BLENDED
                : Attacks.BADNETS;
    }

    /**
     * Every parameter flag given, without dashes, to its value; exit 2 when one belongs to none of
     * {@code forAttacks}.
     */
    public Map<String, Double> given(List<String> forAttacks) {
        Map<String, Double> all = values();
        for (String flag : all.keySet()) {
            boolean used = forAttacks.stream().anyMatch(a -> Attacks.parameters(a).stream()
                    .anyMatch(p -> p.flag().equals(flag)));
            if (!used) {
                throw new UserException("--" + flag + " does not apply to --attack " + String.join(",", forAttacks),
                        "drop it, or choose the attack it belongs to");
            }
        }
        return all;
    }

    /** Every parameter flag given, without dashes, to its value, unchecked. */
    public Map<String, Double> values() {
        Map<String, Double> all = new LinkedHashMap<>();
        put(all, "sig-delta", sigDelta);
        put(all, "sig-test-delta", sigTestDelta);
        put(all, "sig-frequency", sigFrequency);
        put(all, "wanet-k", wanetK);
        put(all, "wanet-s", wanetS);
        put(all, "wanet-grid-rescale", wanetGridRescale);
        put(all, "wanet-cross-ratio", wanetCrossRatio);
        put(all, "trojan-size", trojanSize);
        put(all, "trojan-neurons", trojanNeurons);
        put(all, "trojan-target-value", trojanTargetValue);
        put(all, "trojan-steps", trojanSteps);
        put(all, "lc-epsilon", lcEpsilon);
        put(all, "lc-steps", lcSteps);
        put(all, "lc-amplitude", lcAmplitude);
        put(all, "lc-models", lcModels);
        put(all, "lc-robust-epsilon", lcRobustEpsilon);
        put(all, "cover-rate", coverRate);
        return all;
    }

    private static void put(Map<String, Double> values, String flag, Double value) {
        if (value != null) {
            values.put(flag, value);
        }
    }

    /** The values of {@code attack}'s own parameters among those given. */
    public Map<String, Double> valuesFor(String attack, Map<String, Double> given) {
        Map<String, Double> own = new LinkedHashMap<>();
        for (Attacks.Parameter p : Attacks.parameters(attack)) {
            if (given.containsKey(p.flag())) {
                own.put(p.flag(), given.get(p.flag()));
            }
        }
        return own;
    }

    /**
     * The attack these flags and the trigger flags describe, for images of {@code rows} x {@code cols};
     * exit 2 naming the flag for a bad value.
     */
    public Attack attack(TriggerOptions triggerOptions, int rows, int cols) {
        String attack = resolvedName(triggerOptions);
        return build(attack, triggerOptions, given(List.of(attack)), rows, cols);
    }

    /** {@code attack} built with the trigger flags and its own values among {@code given}. */
    public Attack build(String attack, TriggerOptions triggerOptions, Map<String, Double> given, int rows, int cols) {
        Trigger trigger = null;
        if (attack.equals(Attacks.BADNETS)) {
            trigger = triggerOptions.trigger(rows, cols);
        } else if (attack.equals(Attacks.BLENDED)) {
            String kind = triggerOptions.kind == null ? "" : triggerOptions.kind.trim();
            if (!kind.equalsIgnoreCase("blend") && !kind.equalsIgnoreCase(Triggers.DEFAULT_KIND)) {
                throw new UserException("--attack blended blends noise over the image, not --trigger " + kind,
                        "drop --trigger, or use --attack badnets");
            }
            trigger = triggerOptions.with("blend", triggerOptions.size).trigger(rows, cols);
        }
        Attack built = checked(attack, trigger, valuesFor(attack, given));
        if (built.trigger() != null) {
            built.trigger().validate(rows, cols);
        }
        return built;
    }

    /**
     * Checks the attack's name and parameter values before any work (exit 2 naming the flag); the fit to
     * the images is checked once they are known ({@link #attack}).
     */
    public void check(TriggerOptions triggerOptions) {
        String attack = resolvedName(triggerOptions);
        Map<String, Double> given = given(List.of(attack));
        if (!attack.equals(Attacks.BADNETS) && !attack.equals(Attacks.BLENDED)) {
            checked(attack, null, valuesFor(attack, given));
        }
    }

    /** {@link Attacks#build}, its range errors naming the flag. */
    private static Attack checked(String attack, Trigger trigger, Map<String, Double> values) {
        try {
            return Attacks.build(attack, trigger, values);
        } catch (IllegalArgumentException e) {
            String message = Errors.flatten(e.getMessage());
            for (Attacks.Parameter p : Attacks.parameters(attack)) {
                if (message.startsWith(p.flag() + " ")) { // the library names the parameter; the flag is --NAME
                    throw new UserException("--" + message.substring(0, message.indexOf(": ") < 0 ? message.length()
                            : message.indexOf(": ")), "pass the " + p.meaning() + " in " + p.range());
                }
            }
            throw e;
        }
    }

    /**
     * The test-time trigger of the attack, for commands that measure a model ({@code evaluate},
     * {@code scan}, {@code strip}): the attack's own, or, for an attack that computes its trigger while
     * poisoning (trojannn), the one recorded in the manifest of the data folder it poisoned.
     */
    public Trigger testTrigger(TriggerOptions triggerOptions, int rows, int cols, Path folder) {
        Attack attack = attack(triggerOptions, rows, cols);
        if (attack.trigger() != null) {
            return attack.trigger();
        }
        Optional<PoisonManifest> manifest;
        try {
            manifest = PoisonedDataset.readManifest(folder);
        } catch (IOException e) {
            throw new UserException("cannot read the manifest of " + folder + " (" + Errors.flatten(e.getMessage())
                    + ")", "pass the folder `poison --attack " + attack.name() + "` wrote as --data");
        }
        Object line = manifest.filter(m -> attack.name().equals(m.attack()))
                .map(m -> m.attackParameters().get("trigger")).orElse(null);
        if (!(line instanceof String text)) {
            throw new UserException("--attack " + attack.name() + " computes its trigger while poisoning, and "
                    + folder + " holds no " + attack.name() + " manifest", "pass the folder `poison --attack "
                    + attack.name() + "` wrote as --data");
        }
        return Triggers.fromDescription(text, rows, cols);
    }
}
