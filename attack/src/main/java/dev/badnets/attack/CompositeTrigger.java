package dev.badnets.attack;

import java.util.List;
import java.util.stream.Collectors;

/** Several triggers applied one after the other (the adaptive attacks' test-time trigger). */
public final class CompositeTrigger implements Trigger {

    private final List<Trigger> parts;

    public CompositeTrigger(List<Trigger> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a composite trigger needs at least one part");
        }
        this.parts = List.copyOf(parts);
    }

    public List<Trigger> parts() {
        return parts;
    }

    @Override
    public void apply(byte[] pixels, int offset, int rows, int cols) {
        for (Trigger t : parts) {
            t.apply(pixels, offset, rows, cols);
        }
    }

    @Override
    public void validate(int rows, int cols) {
        parts.forEach(t -> t.validate(rows, cols));
    }

    @Override
    public boolean[] mask(int rows, int cols) {
        boolean[] union = new boolean[rows * cols];
        for (Trigger t : parts) {
            boolean[] m = t.mask(rows, cols);
            for (int i = 0; i < union.length; i++) {
                union[i] |= m[i];
            }
        }
        return union;
    }

    @Override
    public String describe() {
        return parts.stream().map(Trigger::describe).collect(Collectors.joining(" + "));
    }
}
