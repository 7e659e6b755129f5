package dev.badnets.attack;

import java.util.HexFormat;

/**
 * A square patch of given grey levels that replaces the pixels under it: the trigger an attack computes
 * (TrojanNN's optimised mask). Its description lists every grey level, so it can be rebuilt from it.
 */
public final class GreyPatchTrigger extends PatchTrigger {

    private final int side;
    private final byte[] grey;

    /**
     * @param side     the patch's side
     * @param grey     side x side grey levels, row-major (copied)
     * @param position where the patch sits
     */
    public GreyPatchTrigger(int side, byte[] grey, Position position) {
        super("patch", side, side, unsigned(side, grey), opaque(side), position);
        this.side = side;
        this.grey = grey.clone();
    }

    private static int[] unsigned(int side, byte[] grey) {
        if (side < 1 || grey.length != side * side) {
            throw new IllegalArgumentException("a " + side + "x" + side + " patch needs " + side * side
                    + " grey levels, got " + grey.length);
        }
        int[] g = new int[grey.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = grey[i] & 0xFF;
        }
        return g;
    }

    private static int[] opaque(int side) {
        int[] a = new int[side * side];
        java.util.Arrays.fill(a, 255);
        return a;
    }

    /** The grey levels, row-major (a copy). */
    public byte[] grey() {
        return grey.clone();
    }

    @Override
    public String describe() {
        return "patch size=" + side + " position=" + position() + " grey=" + HexFormat.of().formatHex(grey);
    }
}
