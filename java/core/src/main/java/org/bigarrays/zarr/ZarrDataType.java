package org.bigarrays.zarr;

import java.nio.ByteOrder;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;

/**
 * A Zarr element type as one of our {@link DataType}s plus the byte order it is stored in.
 *
 * <p>Zarr v3 names the type alone ({@code "uint16"}); its byte order belongs to the {@code bytes}
 * codec, so {@link #fromV3} gives little-endian, the order our decoded chunks use. Zarr v2 carries
 * the order in the dtype string ({@code "<u2"}, {@code ">f4"}, {@code "|u1"}), and {@link #fromV2}
 * keeps it. Zarr's {@code bool} ({@code "|b1"} in v2) is {@link DataType#BOOL}: one byte holding 0
 * or 1, as NumPy stores it.
 *
 * <p>Supported: bool, int8…int64, uint8…uint64, float32, float64. Not supported, with a
 * {@link FormatException} naming the type: float16, complex64/complex128, raw bits ({@code r8}…),
 * strings, datetimes, structured and extension types.
 *
 * @param dataType the element type
 * @param byteOrder the order of an element's bytes on storage (always little-endian for one-byte types)
 */
public record ZarrDataType(DataType dataType, ByteOrder byteOrder) {
    private static final String SUPPORTED = "one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64";

    /** @throws NullPointerException when an argument is null */
    public ZarrDataType {
        java.util.Objects.requireNonNull(dataType, "dataType");
        java.util.Objects.requireNonNull(byteOrder, "byteOrder");
        if (dataType.size() == 1) byteOrder = ByteOrder.LITTLE_ENDIAN; // one byte has no order
    }

    /**
     * The type a Zarr v3 {@code data_type} names, little-endian.
     *
     * @throws FormatException "data_type: expected one of …, found 'complex64' (complex numbers are not supported)"
     */
    public static ZarrDataType fromV3(String name) {
        DataType t = switch (name) {
            case "bool" -> DataType.BOOL;
            case "int8" -> DataType.INT8;
            case "int16" -> DataType.INT16;
            case "int32" -> DataType.INT32;
            case "int64" -> DataType.INT64;
            case "uint8" -> DataType.UINT8;
            case "uint16" -> DataType.UINT16;
            case "uint32" -> DataType.UINT32;
            case "uint64" -> DataType.UINT64;
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            default -> null;
        };
        if (t == null) throw new FormatException("data_type: expected " + SUPPORTED + ", found '" + name + "'" + whyNot(name));
        return new ZarrDataType(t, ByteOrder.LITTLE_ENDIAN);
    }

    /** Why a v3 name we do not read is not read, for the error message. */
    private static String whyNot(String name) {
        if (name.startsWith("complex")) return " (complex numbers are not supported)";
        if (name.equals("float16") || name.equals("bfloat16")) return " (16-bit floats are not supported)";
        if (name.matches("r\\d+")) return " (raw-bits types are not supported)";
        if (name.equals("string") || name.equals("bytes")) return " (variable-length types are not supported)";
        return "";
    }

    /**
     * The type a Zarr v2 {@code dtype} string names, with its byte order: {@code '<'} little,
     * {@code '>'} big, {@code '|'} for one-byte types (which also accept {@code '<'} and {@code '>'}).
     *
     * @throws FormatException "dtype: expected …, found '&lt;c8' (complex numbers are not supported)"
     */
    public static ZarrDataType fromV2(String dtype) {
        if (dtype.length() < 3) throw v2Error(dtype, "");
        char order = dtype.charAt(0);
        String code = dtype.substring(1);
        DataType t = switch (code) {
            case "b1" -> DataType.BOOL;
            case "i1" -> DataType.INT8;
            case "i2" -> DataType.INT16;
            case "i4" -> DataType.INT32;
            case "i8" -> DataType.INT64;
            case "u1" -> DataType.UINT8;
            case "u2" -> DataType.UINT16;
            case "u4" -> DataType.UINT32;
            case "u8" -> DataType.UINT64;
            case "f4" -> DataType.FLOAT32;
            case "f8" -> DataType.FLOAT64;
            default -> null;
        };
        if (t == null) {
            String why = switch (code.charAt(0)) {
                case 'c' -> " (complex numbers are not supported)";
                case 'f' -> " (only 4- and 8-byte floats are supported)";
                case 'S', 'U', 'O' -> " (strings are not supported)";
                case 'V' -> " (raw bytes are not supported)";
                case 'M', 'm' -> " (datetimes are not supported)";
                default -> "";
            };
            throw v2Error(dtype, why);
        }
        ByteOrder bo = switch (order) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '|' -> {
                if (t.size() != 1) throw v2Error(dtype, " (a type of more than one byte needs '<' or '>')");
                yield ByteOrder.LITTLE_ENDIAN;
            }
            default -> throw v2Error(dtype, " (the first character must be '<', '>' or '|')");
        };
        return new ZarrDataType(t, bo);
    }

    private static FormatException v2Error(String dtype, String why) {
        return new FormatException("dtype: expected a NumPy type string such as '|u1', '<i2', '>f4' or '|b1' for " + SUPPORTED
                + ", found '" + dtype + "'" + why);
    }

    /** The v3 {@code data_type} name ("uint16"). */
    public String v3Name() {
        return dataType.jsonName();
    }

    /** The v2 {@code dtype} string ("&lt;u2", "&gt;f4", "|u1", "|b1"). */
    public String v2Name() {
        String descr = dataType.npyDescr(); // "<u2", "|u1", "|b1"
        if (dataType.size() == 1) return descr;
        return (byteOrder == ByteOrder.BIG_ENDIAN ? ">" : "<") + descr.substring(1);
    }

    @Override
    public String toString() {
        return dataType.size() == 1 ? dataType.jsonName() : dataType.jsonName() + (byteOrder == ByteOrder.BIG_ENDIAN ? " big-endian" : "");
    }
}
