package dev.badnets.attack.experiment;

/**
 * The K-th of N parts of a grid, 1 <= K <= N: the points whose number is K modulo N (counting
 * from 1), so every shard gets the grid's size / N points, give or take one, and a mix of every
 * axis value rather than one slow block of it.
 *
 * @param index K, from 1
 * @param count N, at least 1
 */
public record Shard(int index, int count) {

    /** The whole grid: one part of one. */
    public static final Shard ALL = new Shard(1, 1);

    /**
     * Parses {@code K/N}.
     *
     * @throws IllegalArgumentException naming the problem and, after "; ", the fix
     */
    public static Shard parse(String spec) {
        String fix = "pass --shard K/N with 1 <= K <= N, e.g. --shard 1/4";
        String[] parts = spec.trim().split("/", -1);
        int k;
        int n;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            k = Integer.parseInt(parts[0].trim());
            n = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must be K/N, got '" + spec + "'; " + fix);
        }
        if (n < 1 || k < 1 || k > n) {
            throw new IllegalArgumentException("--shard " + spec + " names no shard: K must be from 1 to N; " + fix);
        }
        return new Shard(k, n);
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
