package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Data type names (info, CLI) and NumPy descriptors. */
class DataTypeTest {
    @ParameterizedTest
    @EnumSource(DataType.class)
    void namesAndDescriptorsRoundTrip(DataType t) {
        assertEquals(t, DataType.of(t.jsonName()));
        assertEquals(t, DataType.of(t.jsonName().toUpperCase()));
        assertEquals(t, DataType.ofNpy(t.npyDescr()));
        assertEquals(t.jsonName(), t.toString());
    }

    @Test
    void sizesAndKinds() {
        assertEquals(1, DataType.BOOL.size());
        assertEquals(8, DataType.FLOAT64.size());
        assertEquals(2, DataType.INT16.size());
        assertTrue(DataType.INT64.isSigned() && !DataType.UINT64.isSigned() && DataType.FLOAT32.isFloat());
        for (DataType t : new DataType[] {DataType.INT64, DataType.FLOAT64, DataType.BOOL}) assertTrue(!t.neuroglancerDisplays());
    }

    @Test
    void oneByteTypesAcceptEitherByteOrderMark() {
        assertEquals(DataType.UINT8, DataType.ofNpy("<u1"));
        assertEquals(DataType.INT8, DataType.ofNpy(">i1"));
        assertEquals(DataType.BOOL, DataType.ofNpy("<b1"));
    }

    @Test
    void unknownNamesAndDescriptorsAreInvalidInputNamingThem() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DataType.of("complex64"));
        assertTrue(e.getMessage().contains("complex64") && e.getMessage().contains("uint8"), e.getMessage());
        InvalidInputException be = assertThrows(InvalidInputException.class, () -> DataType.ofNpy(">u2"));
        assertTrue(be.getMessage().contains("big-endian"), be.getMessage());
        for (String bad : new String[] {"<c8", "", "<", "u", "<U10", "|O"}) {
            InvalidInputException x = assertThrows(InvalidInputException.class, () -> DataType.ofNpy(bad), "descriptor '" + bad + "'");
            assertTrue(x.getMessage().contains("'" + bad + "'"), x.getMessage());
        }
    }
}
