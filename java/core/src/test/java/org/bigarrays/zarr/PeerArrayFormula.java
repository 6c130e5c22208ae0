package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The values of an array a Zarr peer wrote, from its manifest entry (the formula and the manifest
 * are described in {@code java/core/src/test/zarr-peers/README.md}): a test checks every voxel
 * of what it reads against {@link #expectedBytes} without running the peer again.
 */
public final class PeerArrayFormula {
    private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final long INCREMENT = 0x2545F4914F6CDD1DL;

    private final int[] shape;
    private final int[] sourceShape;
    private final int[] stride;
    private final int[][][] fillRegions;
    private final char kind;   // 'u', 'i' or 'f'
    private final int bytes;
    private final long fillBits;

    private PeerArrayFormula(JsonNode entry) {
        shape = ints(entry.get("shape"));
        sourceShape = ints(entry.at("/values/source_shape"));
        stride = ints(entry.at("/values/stride"));
        JsonNode regions = entry.get("fill_regions");
        fillRegions = new int[regions.size()][][];
        for (int r = 0; r < regions.size(); r++) {
            fillRegions[r] = new int[][] {ints(regions.get(r).get(0)), ints(regions.get(r).get(1))};
        }
        String type = entry.has("data_type") ? entry.get("data_type").asText() : numpyToV3(entry.get("dtype").asText());
        kind = type.startsWith("uint") ? 'u' : type.startsWith("int") ? 'i' : type.startsWith("float") ? 'f' : '?';
        if (kind == '?') throw new IllegalArgumentException("data type " + type + " is not one the peer tests use");
        bytes = Integer.parseInt(type.substring(kind == 'u' ? 4 : kind == 'i' ? 3 : 5)) / 8;
        fillBits = bitsOf(entry.get("fill_value"));
    }

    /** The formula of a manifest entry (one element of the manifest's {@code arrays}). */
    public static PeerArrayFormula of(JsonNode entry) {
        return new PeerArrayFormula(entry);
    }

    /** Bytes per value. */
    public int bytesPerValue() {
        return bytes;
    }

    /** The array's shape, as stored (C order: the last dimension varies fastest). */
    public int[] shape() {
        return shape.clone();
    }

    /** The value at {@code index} as its little-endian bit pattern (low {@link #bytesPerValue()} bytes). */
    public long bitsAt(int[] index) {
        for (int[][] r : fillRegions) {
            boolean inside = true;
            for (int d = 0; d < shape.length && inside; d++) inside = index[d] >= r[0][d] && index[d] < r[1][d];
            if (inside) return fillBits;
        }
        long lin = 0;
        for (int d = 0; d < shape.length; d++) lin = lin * sourceShape[d] + (long) index[d] * stride[d];
        if (kind == 'f') {
            double v = ((lin * 7919) % 65536) * 0.25 - 8192.0;
            return bytes == 4 ? Float.floatToRawIntBits((float) v) & 0xFFFFFFFFL : Double.doubleToRawLongBits(v);
        }
        return (lin * MULTIPLIER + INCREMENT) >>> (64 - 8 * bytes);
    }

    /** Every value, little-endian, in C order. */
    public byte[] expectedBytes() {
        long n = 1;
        for (int s : shape) n *= s;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(n * bytes)).order(ByteOrder.LITTLE_ENDIAN);
        int[] idx = new int[shape.length];
        for (long i = 0; i < n; i++) {
            long b = bitsAt(idx);
            switch (bytes) {
                case 1 -> out.put((byte) b);
                case 2 -> out.putShort((short) b);
                case 4 -> out.putInt((int) b);
                default -> out.putLong(b);
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out.array();
    }

    /** Hex SHA-256 of {@code bytes}, as the manifests and the peer readers print it. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A value as a manifest or a peer reader writes it (a JSON number, a 64-bit integer as a
     * string, "NaN", "Infinity", "-Infinity") as this array's bit pattern, like {@link #bitsAt}.
     */
    public long bitsOf(JsonNode fill) {
        if (kind == 'f') {
            double v = switch (fill.isTextual() ? fill.asText() : "") {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> fill.asDouble();
            };
            return bytes == 4 ? Float.floatToRawIntBits((float) v) & 0xFFFFFFFFL : Double.doubleToRawLongBits(v);
        }
        String s = fill.asText();
        long v = s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
        return bytes == 8 ? v : v & ((1L << (8 * bytes)) - 1);
    }

    /** A numpy dtype string of Zarr v2 ("<u2", "|u1", ">f8") as the Zarr v3 data type name. */
    static String numpyToV3(String dtype) {
        char k = dtype.charAt(1);
        int size = Integer.parseInt(dtype.substring(2));
        return switch (k) {
            case 'u' -> "uint" + 8 * size;
            case 'i' -> "int" + 8 * size;
            case 'f' -> "float" + 8 * size;
            default -> throw new IllegalArgumentException("numpy dtype " + dtype + " is not one the peer tests use");
        };
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
