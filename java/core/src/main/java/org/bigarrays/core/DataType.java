package org.bigarrays.core;

import java.util.Locale;
import org.bigarrays.InvalidInputException;

/**
 * Voxel data types: those of the precomputed spec, plus int64, float64 and bool (BigArrays.jl),
 * bool being stored as one byte (0 or 1). All are little-endian on storage.
 */
public enum DataType {
    UINT8("uint8", 1, "|u1", true),
    INT8("int8", 1, "|i1", true),
    UINT16("uint16", 2, "<u2", true),
    INT16("int16", 2, "<i2", true),
    UINT32("uint32", 4, "<u4", true),
    INT32("int32", 4, "<i4", true),
    UINT64("uint64", 8, "<u8", true),
    INT64("int64", 8, "<i8", false),
    FLOAT32("float32", 4, "<f4", true),
    FLOAT64("float64", 8, "<f8", false),
    BOOL("bool", 1, "|b1", false);

    private final String jsonName;
    private final int size;
    private final String npyDescr;
    private final boolean neuroglancerDisplays;

    DataType(String jsonName, int size, String npyDescr, boolean neuroglancerDisplays) {
        this.jsonName = jsonName;
        this.size = size;
        this.npyDescr = npyDescr;
        this.neuroglancerDisplays = neuroglancerDisplays;
    }

    /** The name used in the info file ("uint8", ...). */
    public String jsonName() {
        return jsonName;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** NumPy's dtype descriptor ("&lt;u2", ...). */
    public String npyDescr() {
        return npyDescr;
    }

    /** Whether Neuroglancer can display this type (it cannot show int64, float64, bool). */
    public boolean neuroglancerDisplays() {
        return neuroglancerDisplays;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public boolean isSigned() {
        return this == INT8 || this == INT16 || this == INT32 || this == INT64;
    }

    /** Parse an info/CLI name, case-insensitive. */
    public static DataType of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DataType t : values()) {
            if (t.jsonName.equals(n)) return t;
        }
        throw new InvalidInputException("unknown data type '" + name
                + "': expected one of uint8 int8 uint16 int16 uint32 int32 uint64 int64 float32 float64 bool");
    }

    /** Parse a NumPy descriptor; both byte orders are accepted where the size is 1. */
    public static DataType ofNpy(String descr) {
        if (descr.isEmpty()) throw new InvalidInputException("unsupported .npy dtype '': empty descriptor");
        for (DataType t : values()) {
            if (t.npyDescr.equals(descr)) return t;
            if (t.size == 1 && t.npyDescr.substring(1).equals(descr.substring(1))) return t;
        }
        if (descr.startsWith(">")) {
            throw new InvalidInputException("big-endian .npy data ('" + descr + "') is not supported; save it little-endian");
        }
        throw new InvalidInputException("unsupported .npy dtype '" + descr + "'");
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
