package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.util.Map;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/** Zarr's type names, v3 and v2, map to our data types with their byte order, or to an error naming them. */
class ZarrDataTypeTest {
    private static final Map<String, DataType> V3 = Map.ofEntries(Map.entry("bool", DataType.BOOL), Map.entry("int8", DataType.INT8),
            Map.entry("int16", DataType.INT16), Map.entry("int32", DataType.INT32), Map.entry("int64", DataType.INT64),
            Map.entry("uint8", DataType.UINT8), Map.entry("uint16", DataType.UINT16), Map.entry("uint32", DataType.UINT32),
            Map.entry("uint64", DataType.UINT64), Map.entry("float32", DataType.FLOAT32), Map.entry("float64", DataType.FLOAT64));

    @Test
    void everyV3CoreTypeButFloat16AndComplexIsRead() {
        V3.forEach((name, t) -> {
            ZarrDataType z = ZarrDataType.fromV3(name);
            assertEquals(t, z.dataType(), name);
            assertEquals(ByteOrder.LITTLE_ENDIAN, z.byteOrder(), name);
            assertEquals(name, z.v3Name());
        });
        assertEquals(1, ZarrDataType.fromV3("bool").dataType().size(), "bool is one byte, 0 or 1");
    }

    @Test
    void unsupportedV3TypesAreNamedWithTheReason() {
        oneLine(() -> ZarrDataType.fromV3("complex64"), "data_type", "expected one of bool", "found 'complex64'", "complex numbers");
        oneLine(() -> ZarrDataType.fromV3("complex128"), "'complex128'", "complex");
        oneLine(() -> ZarrDataType.fromV3("float16"), "'float16'", "16-bit floats");
        oneLine(() -> ZarrDataType.fromV3("r16"), "'r16'", "raw-bits");
        oneLine(() -> ZarrDataType.fromV3("string"), "'string'", "variable-length");
        oneLine(() -> ZarrDataType.fromV3("UINT8"), "'UINT8'"); // names are case-sensitive
    }

    @Test
    void v2TypeStringsCarryTheirByteOrder() {
        assertEquals(new ZarrDataType(DataType.UINT8, ByteOrder.LITTLE_ENDIAN), ZarrDataType.fromV2("|u1"));
        assertEquals(new ZarrDataType(DataType.UINT8, ByteOrder.LITTLE_ENDIAN), ZarrDataType.fromV2("<u1"));
        assertEquals(new ZarrDataType(DataType.INT8, ByteOrder.LITTLE_ENDIAN), ZarrDataType.fromV2(">i1"), "one byte has no order");
        assertEquals(new ZarrDataType(DataType.BOOL, ByteOrder.LITTLE_ENDIAN), ZarrDataType.fromV2("|b1"));
        assertEquals(new ZarrDataType(DataType.INT16, ByteOrder.LITTLE_ENDIAN), ZarrDataType.fromV2("<i2"));
        assertEquals(new ZarrDataType(DataType.FLOAT32, ByteOrder.BIG_ENDIAN), ZarrDataType.fromV2(">f4"));
        assertEquals(new ZarrDataType(DataType.UINT64, ByteOrder.BIG_ENDIAN), ZarrDataType.fromV2(">u8"));
        assertEquals(new ZarrDataType(DataType.FLOAT64, ByteOrder.LITTLE_ENDIAN), ZarrDataType.fromV2("<f8"));
        for (String s : new String[] {"|u1", "|i1", "|b1", "<i2", ">i2", "<u4", ">u4", "<i8", ">u8", "<f4", ">f4", "<f8", ">f8"}) {
            assertEquals(s, ZarrDataType.fromV2(s).v2Name(), "round trip of " + s);
        }
    }

    @Test
    void unsupportedV2TypesAreNamedWithTheReason() {
        oneLine(() -> ZarrDataType.fromV2("<c8"), "dtype", "expected a NumPy type string", "found '<c8'", "complex");
        oneLine(() -> ZarrDataType.fromV2("<f2"), "'<f2'", "only 4- and 8-byte floats");
        oneLine(() -> ZarrDataType.fromV2("|S12"), "'|S12'", "strings");
        oneLine(() -> ZarrDataType.fromV2("<U4"), "'<U4'", "strings");
        oneLine(() -> ZarrDataType.fromV2("|V8"), "'|V8'", "raw bytes");
        oneLine(() -> ZarrDataType.fromV2("<M8[ns]"), "'<M8[ns]'", "datetimes");
        oneLine(() -> ZarrDataType.fromV2("|u2"), "'|u2'", "needs '<' or '>'");
        oneLine(() -> ZarrDataType.fromV2("=u2"), "'=u2'", "first character");
        oneLine(() -> ZarrDataType.fromV2("u"), "found 'u'");
    }
}
