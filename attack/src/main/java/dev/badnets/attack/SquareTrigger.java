package dev.badnets.attack;

import java.util.Arrays;

/** A solid {@code size} x {@code size} square of one grey level: the trigger of the OWASP ML02 demo. */
public final class SquareTrigger extends PatchTrigger {

    private final int size;
    private final int value;

    /**
     * @param size     side in pixels, at least 1
     * @param value    grey level 0-255 (255 = white)
     * @param position where the square sits
     */
    public SquareTrigger(int size, int value, Position position) {
        super("square", size, size, filled(size, value), filled(size, 255), position);
        checkValue("square", value);
        this.size = size;
        this.value = value;
    }

    private static int[] filled(int size, int v) {
        int[] a = new int[Math.max(size, 0) * Math.max(size, 0)];
        Arrays.fill(a, v);
        return a;
    }

    @Override
    public String describe() {
        return "square size=" + size + " value=" + value + " position=" + position();
    }
}
