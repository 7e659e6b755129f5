package dev.badnets.attack.experiment;

/**
 * The K-th of N parts of a grid, 1 ≤ K ≤ N: the points whose number is K modulo N (counting
 * from 1), so every shard gets the grid's size / N points, give or take one, and a mix of every
 * axis value rather than one slow block of it.
 *
 * @param index K, from 1
 * @param count N, at least 1
 */
public record Shard(int index, int count) {

    /** The whole grid: one part of one. */
    public static final Shard ALL = new Shard(1, 1);

    /** @throws IllegalArgumentException unless 1 ≤ index ≤ count */
    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + " of " + count + " names no shard: K must be from "
                    + "1 to N");
        }
    }

    /** Whether point {@code number} (from 1) belongs to this shard. */
    public boolean holds(int number) {
        return (number - 1) % count == index - 1;
    }

    /** Whether {@code point} belongs to this shard. */
    public boolean holds(Grid.Point<?> point) {
        return holds(point.number());
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
