package dev.badnets.attack.defense;

import java.util.List;

/** The detectors by their command-line names, with their default settings. */
public final class Detectors {

    /** The names {@link #byName} accepts; the first is the default. */
    public static final List<String> NAMES =
            List.of("spectre", "spectral", "activation-clustering");

    private Detectors() {}

    /**
     * @param name {@code spectre}, {@code spectral} or {@code activation-clustering}
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static Detector byName(String name) {
        return switch (name) {
            case "spectre" -> new Spectre();
            case "spectral" -> new SpectralSignatures();
            case "activation-clustering" -> new ActivationClustering();
            default -> throw new IllegalArgumentException("unknown detection method '" + name
                    + "'; use one of " + String.join(", ", NAMES));
        };
    }
}
