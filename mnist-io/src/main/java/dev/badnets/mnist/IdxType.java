package dev.badnets.mnist;

/** The element types of the IDX format: the third byte of the magic number. */
public enum IdxType {
    UNSIGNED_BYTE(0x08, 1, "unsigned byte"),
    SIGNED_BYTE(0x09, 1, "signed byte"),
    SHORT(0x0B, 2, "short"),
    INT(0x0C, 4, "int"),
    FLOAT(0x0D, 4, "float"),
    DOUBLE(0x0E, 8, "double");

    private final int code;
    private final int size;
    private final String displayName;

    IdxType(int code, int size, String displayName) {
        this.code = code;
        this.size = size;
        this.displayName = displayName;
    }

    /** The type code in the file's magic number, e.g. 0x08. */
    public int code() {
        return code;
    }

    /** Bytes per element in the file. */
    public int size() {
        return size;
    }

    /** A human name, e.g. "unsigned byte". */
    public String displayName() {
        return displayName;
    }

    /** The type with this code, or null when the code is not an IDX type. */
    public static IdxType ofCode(int code) {
        for (IdxType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
