package dev.badnets.attack.experiment;

import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import java.util.Objects;

/**
 * An attack as one column of the matrix: its name ({@code badnets}, {@code blended}, ...), which
 * training images it poisons and how it relabels them (the seed is the cell's), and the trigger it
 * stamps on them and on the test images.
 */
public record MatrixAttack(String name, PoisonPlan plan, Trigger trigger) {
    public MatrixAttack {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(trigger, "trigger");
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("an attack's name is lower-case letters, digits and dashes, got '" + name
                    + "'");
        }
    }
}
