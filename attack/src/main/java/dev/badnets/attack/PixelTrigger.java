package dev.badnets.attack;

/** A single pixel set to one grey level: the "single pixel" backdoor of the BadNets paper. */
public final class PixelTrigger extends PatchTrigger {

    private final int value;

    /**
     * @param value    grey level 0-255
     * @param position where the pixel sits (a corner means the corner pixel)
     */
    public PixelTrigger(int value, Position position) {
        super("pixel", 1, 1, new int[] {value}, new int[] {255}, position);
        checkValue("pixel", value);
        this.value = value;
    }

    @Override
    public String describe() {
        return "pixel value=" + value + " position=" + position();
    }
}
