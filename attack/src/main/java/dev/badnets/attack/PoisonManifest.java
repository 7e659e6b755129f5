package dev.badnets.attack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The {@code manifest.json} of a poisoned data folder: the plan, the trigger and which training
 * samples were poisoned. A defense measures its precision and recall against {@link #poisonedIndices()}.
 *
 * @param format          always {@link #FORMAT}
 * @param mode            {@code all-to-one} or {@code all-to-all}
 * @param target          the target class (all-to-one), else null
 * @param rate            the requested rate, or null when the plan was by count
 * @param count           the requested count, or null when the plan was by rate
 * @param sourceClasses   the classes poisoning was restricted to; empty = every class
 * @param seed            the plan's seed
 * @param trigger         {@link Trigger#describe()} of the stamped trigger
 * @param classes         number of classes K
 * @param trainCount      number of training images
 * @param poisonedCount   number of poisoned training images
 * @param poisonedIndices their indices in the training files, ascending
 * @param originalLabels  their labels before poisoning, in the same order
 * @param poisonedLabels  their labels in the training files, in the same order
 * @param sha256          the SHA-256 (hex) of each data file of the folder, by file name, so that files
 *                        changed or mixed in from another run are noticed
 * @param attack          the attack's name ({@code --attack}) when it is not a plain trigger ({@code badnets}
 *                        and {@code blended} are described by {@code trigger} alone), else null (not written)
 * @param attackParameters the attack's parameters, name to value; null with {@code attack}
 * @param coverIndices    training images changed but keeping their true label (WaNet's noise samples,
 *                        adaptive-patch's covers), ascending; null when there are none (not written)
 */
@JsonPropertyOrder({"format", "mode", "target", "rate", "count", "source_classes", "seed", "trigger", "classes",
    "train_count", "poisoned_count", "poisoned_indices", "original_labels", "poisoned_labels", "sha256", "attack",
    "attack_parameters", "cover_indices"})
public record PoisonManifest(
        @JsonProperty("format") String format,
        @JsonProperty("mode") String mode,
        @JsonProperty("target") Integer target,
        @JsonProperty("rate") Double rate,
        @JsonProperty("count") Integer count,
        @JsonProperty("source_classes") int[] sourceClasses,
        @JsonProperty("seed") long seed,
        @JsonProperty("trigger") String trigger,
        @JsonProperty("classes") int classes,
        @JsonProperty("train_count") int trainCount,
        @JsonProperty("poisoned_count") int poisonedCount,
        @JsonProperty("poisoned_indices") int[] poisonedIndices,
        @JsonProperty("original_labels") int[] originalLabels,
        @JsonProperty("poisoned_labels") int[] poisonedLabels,
        @JsonProperty("sha256") java.util.SortedMap<String, String> sha256,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("attack") String attack,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("attack_parameters")
        java.util.Map<String, Object> attackParameters,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("cover_indices") int[] coverIndices) {

    /** The keys a manifest may lack (a plain trigger's poisoning writes none of them). */
    static final java.util.List<String> OPTIONAL_KEYS = java.util.List.of("attack", "attack_parameters",
            "cover_indices");

    /** The value of {@code format} this version writes and reads (version 1 had no checksums). */
    public static final String FORMAT = "badnets-poison-manifest/2";

    /** The manifest describing {@code set}, without checksums. */
    public static PoisonManifest of(PoisonedSet set) {
        return of(set, new java.util.TreeMap<>());
    }

    /** The manifest describing {@code set} and the files holding it ({@code sha256}: hex digest by file name). */
    public static PoisonManifest of(PoisonedSet set, java.util.Map<String, String> sha256) {
        PoisonPlan plan = set.plan();
        int[] poisonedLabels = new int[set.indices().length];
        for (int k = 0; k < poisonedLabels.length; k++) {
            poisonedLabels[k] = set.images().label(set.indices()[k]);
        }
        return new PoisonManifest(FORMAT, plan.mode().cliName(),
                plan.mode() == PoisonPlan.Mode.ALL_TO_ONE ? plan.target() : null,
                plan.rate().isPresent() ? plan.rate().getAsDouble() : null,
                plan.count().isPresent() ? plan.count().getAsInt() : null,
                plan.sourceClasses(), plan.seed(), set.trigger().describe(), set.classes(),
                set.images().count(), set.poisonedCount(), set.indices().clone(), set.originalLabels().clone(),
                poisonedLabels, new java.util.TreeMap<>(sha256), set.attack(),
                set.attack() == null ? null : new java.util.LinkedHashMap<>(set.attackParameters()),
                set.coverIndices().length == 0 ? null : set.coverIndices().clone());
    }

    /** The poisoning mode. */
    public PoisonPlan.Mode planMode() {
        return PoisonPlan.Mode.parse(mode);
    }
}
