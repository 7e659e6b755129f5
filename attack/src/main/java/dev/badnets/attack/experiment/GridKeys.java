package dev.badnets.attack.experiment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The keys that make resuming and merging a grid safe: a point's {@code config} key, the hash of
 * everything that decides its figures, and the {@code grid} key, the hash of every point's config
 * key in grid order (the shards of one grid share it).
 */
public final class GridKeys {

    private GridKeys() {
    }

    /** The first 16 hex digits of the SHA-256 of {@code text}: a key no two configurations share by chance. */
    public static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The {@code grid} key: the hash of every point's {@code config} key, in grid order. */
    public static String gridHash(List<String> configs) {
        StringBuilder every = new StringBuilder();
        configs.forEach(c -> every.append(c).append('\n'));
        return hash(every.toString());
    }
}
