package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.bigarrays.zarr.Errors.resource;
import static org.bigarrays.zarr.Errors.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** OME-Zarr multiscales: 0.5 and 0.4 read, 0.5 written, levels as resolution and offset in x, y, z, and the errors. */
class MultiscalesTest {
    private static final String W = "zarr.json at mem://img";

    static Multiscales fromAttributes(String attributesJson) {
        return Multiscales.fromAttributes(Json.readObject(utf8(attributesJson), "attrs"), W);
    }

    /** A 0.5 image of axes (z, y, x) in {@code unit} with one dataset's {@code transforms}, and {@code top} transforms (or null). */
    static String image(String unit, String transforms, String top) {
        String u = unit == null ? "" : ", \"unit\": \"" + unit + "\"";
        return "{\"ome\": {\"version\": \"0.5\", \"multiscales\": [{\"axes\": [{\"name\": \"z\", \"type\": \"space\"" + u + "}, "
                + "{\"name\": \"y\", \"type\": \"space\"" + u + "}, {\"name\": \"x\", \"type\": \"space\"" + u + "}], "
                + "\"datasets\": [{\"path\": \"s0\", \"coordinateTransformations\": " + transforms + "}]"
                + (top == null ? "" : ", \"coordinateTransformations\": " + top) + "}]}}";
    }

    static OmeLevel onlyLevel(Multiscales ms) {
        Multiscales.Multiscale m = ms.images().getFirst();
        return m.levels(m.axisMapping(new long[] {10, 10, 10}, W)).getFirst();
    }

    @Test
    void theOme05ExampleImage() {
        ZarrGroupMetadata g = ZarrGroupMetadata.parse(resource("ome-0.5-image.json"), "mem://img");
        Multiscales ms = Multiscales.fromAttributes(g.attributes(), W);
        assertEquals("0.5", ms.version());
        Multiscales.Multiscale m = ms.images().getFirst();
        assertEquals("example", m.name());
        assertEquals(new Multiscales.Axis("t", "time", "millisecond"), m.axes().getFirst());
        assertEquals(List.of("0", "1", "2"), m.datasets().stream().map(Multiscales.Dataset::path).toList());
        assertArrayEquals(new double[] {0.1, 1, 1, 1, 1}, m.transform().scale());
        assertEquals("gaussian", m.extra().get("type").asText());
        AxisMapping mapping = m.axisMapping(new long[] {1, 2, 64, 128, 256}, W);
        assertArrayEquals(new long[] {256, 128, 64, 2}, mapping.librarySize());
        List<OmeLevel> levels = m.levels(mapping);
        assertEquals(3, levels.size());
        assertArrayEquals(new double[] {500, 500, 500}, levels.get(0).resolution(), "0.5 micrometre in nanometres");
        assertArrayEquals(new double[] {2000, 2000, 2000}, levels.get(2).resolution());
        assertEquals(List.of("nanometer", "nanometer", "nanometer"), levels.get(0).units());
        assertArrayEquals(new long[3], levels.get(1).voxelOffset());
        // Written back: the same image (type and metadata included).
        Multiscales back = Multiscales.fromAttributes(ms.writeInto(Json.NODES.objectNode()), W);
        assertEquals(ms, back);
        oneLine(() -> m.axisMapping(new long[] {3, 2, 64, 128, 256}, W), "dimension 't' has size 3; only a single time point is supported");
    }

    @Test
    void theOme04LayoutOnAV2GroupIsRead() {
        ZarrGroupMetadata g = ZarrGroupMetadata.parseV2(utf8("{\"zarr_format\": 2}"), resource("ome-0.4-image.zattrs"), "mem://img");
        Multiscales ms = Multiscales.fromAttributes(g.attributes(), W);
        assertEquals("0.4", ms.version());
        Multiscales.Multiscale m = ms.images().getFirst();
        OmeLevel l = m.levels(m.axisMapping(new long[] {2, 16, 64, 64}, W)).getFirst();
        assertArrayEquals(new double[] {250, 250, 500}, l.resolution());
        // z: 1.0 / 0.5 = 2 voxels; y: 2.5 / 0.25 = 10; x: 0.125 / 0.25 = half a voxel.
        assertArrayEquals(new long[] {0, 10, 2}, l.voxelOffset());
        assertArrayEquals(new double[] {0.5, 0, 0}, l.fractionalOffset());
        assertTrue(l.hasFractionalOffset());
        // Written as 0.5, with the 0.4 member gone and the rest of the attributes kept.
        ObjectNode written = ms.writeInto(g.attributes());
        assertNull(written.get("multiscales"));
        assertEquals("0.5", written.at("/ome/version").asText());
        assertEquals("DAPI", written.at("/omero/channels/0/label").asText());
        assertEquals(ms.images(), Multiscales.fromAttributes(written, W).images());
    }

    @Test
    void unitsAndTopLevelTransformations() {
        String scale = "[{\"type\": \"scale\", \"scale\": [2, 3, 4]}, {\"type\": \"translation\", \"translation\": [4, 6, 8]}]";
        OmeLevel nm = onlyLevel(fromAttributes(image("nanometer", scale, null)));
        assertArrayEquals(new double[] {4, 3, 2}, nm.resolution());
        assertArrayEquals(new long[] {2, 2, 2}, nm.voxelOffset());
        assertArrayEquals(new double[] {0.4, 0.3, 0.2}, onlyLevel(fromAttributes(image("angstrom", scale, null))).resolution(), 1e-9);
        assertArrayEquals(new double[] {4e6, 3e6, 2e6}, onlyLevel(fromAttributes(image("millimeter", scale, null))).resolution(), 1e-3);
        OmeLevel unknown = onlyLevel(fromAttributes(image("furlong", scale, null)));
        assertArrayEquals(new double[] {4, 3, 2}, unknown.resolution(), "an unknown unit: the number as stored");
        assertEquals(List.of("furlong", "furlong", "furlong"), unknown.units());
        OmeLevel none = onlyLevel(fromAttributes(image(null, scale, null)));
        assertEquals(Arrays.asList(null, null, null), none.units());
        // The multiscale's own transformations come after the dataset's: scale 2·10, translation 4·10 + 1 (z).
        String top = "[{\"type\": \"scale\", \"scale\": [10, 10, 10]}, {\"type\": \"translation\", \"translation\": [1, 0, 0]}]";
        OmeLevel both = onlyLevel(fromAttributes(image("nanometer", scale, top)));
        assertArrayEquals(new double[] {40, 30, 20}, both.resolution());
        assertArrayEquals(new long[] {2, 2, 0}, both.voxelOffset(), "z: 41 / 20 is not whole");
        assertArrayEquals(new double[] {0, 0, 2.05}, both.fractionalOffset(), 1e-12);
        // Within 1e-6 of a whole voxel: rounded.
        OmeLevel near = onlyLevel(fromAttributes(image("nanometer", "[{\"type\": \"scale\", \"scale\": [1, 1, 3]}, "
                + "{\"type\": \"translation\", \"translation\": [0, 0, 3.0000000001]}]", null)));
        assertArrayEquals(new long[] {1, 0, 0}, near.voxelOffset());
        assertTrue(!near.hasFractionalOffset());
    }

    @Test
    void attributesWithoutMultiscalesHaveNone() {
        assertNull(fromAttributes("{}"));
        assertNull(fromAttributes("{\"ome\": {\"version\": \"0.5\", \"plate\": {}}}"));
    }

    @Test
    void malformedMultiscalesAreOneLineErrorsNamingTheMember() {
        String s = "[{\"type\": \"scale\", \"scale\": [1, 1, 1]}]";
        oneLine(() -> fromAttributes("{\"ome\": []}"), W + ": attributes.ome: expected a JSON object, found []");
        oneLine(() -> fromAttributes("{\"ome\": {\"version\": \"0.4\", \"multiscales\": []}}"), W + ": attributes.ome.version: expected \"0.5\", found \"0.4\"");
        oneLine(() -> fromAttributes("{\"ome\": {\"version\": \"0.5\", \"multiscales\": []}}"), "attributes.ome.multiscales: expected at least one multiscale image, found []");
        oneLine(() -> fromAttributes("{\"multiscales\": {}}"), W + ": attributes.multiscales: expected a JSON array, found {}");
        oneLine(() -> fromAttributes("{\"multiscales\": [{\"version\": \"0.3\", \"axes\": [\"y\", \"x\"]}]}"),
                "attributes.multiscales[0].version: expected \"0.4\"", "found \"0.3\"");
        oneLine(() -> fromAttributes("{\"multiscales\": [{\"axes\": [\"y\", \"x\"], \"datasets\": []}]}"),
                "attributes.multiscales[0].axes[0]: expected an object with a \"name\" (OME-Zarr 0.4 or later), found \"y\"");
        oneLine(() -> fromAttributes(image("nanometer", s, null).replace("\"datasets\": [{", "\"datasets\": [], \"x\": [{")),
                "attributes.ome.multiscales[0].datasets: expected at least one dataset, found []");
        oneLine(() -> fromAttributes(image("nanometer", "[{\"type\": \"translation\", \"translation\": [1, 1, 1]}]", null)),
                "attributes.ome.multiscales[0].datasets[0].coordinateTransformations[0].type: expected \"scale\" first, found \"translation\"");
        oneLine(() -> fromAttributes(image("nanometer", "[{\"type\": \"scale\", \"scale\": [1, 1]}]", null)),
                "datasets[0].coordinateTransformations[0].scale: expected an array of 3 finite numbers, found [1,1]");
        oneLine(() -> fromAttributes(image("nanometer", "[{\"type\": \"scale\", \"scale\": [1, 0, 1]}]", null)),
                "coordinateTransformations[0].scale: expected 3 positive numbers, found [1,0,1]");
        oneLine(() -> fromAttributes(image("nanometer", "[{\"type\": \"scale\", \"path\": \"s.bin\"}]", null)),
                "coordinateTransformations[0].path: expected the scale given inline", "found \"s.bin\"");
        oneLine(() -> fromAttributes(image("nanometer", s, "[{\"type\": \"identity\"}]")),
                "attributes.ome.multiscales[0].coordinateTransformations[0].type: expected \"scale\" first, found \"identity\"");
        oneLine(() -> fromAttributes(image("nanometer", s, null).replace("\"s0\"", "\"../s0\"")),
                "datasets[0].path: expected a relative path inside the image group, found \"../s0\"");
        oneLine(() -> fromAttributes(image("nanometer", s, null).replace("\"s0\"", "7")), "datasets[0].path: expected a string, found 7");
        oneLine(() -> fromAttributes(image(null, s, null).replace("{\"name\": \"z\", \"type\": \"space\"}, ", "")),
                "coordinateTransformations[0].scale: expected an array of 2 finite numbers, found [1,1,1]");
        oneLine(() -> fromAttributes(image(null, s, null).replace("\"type\": \"space\"}", "\"type\": 3}")), "axes[0].type: expected a string, found 3");
    }

    /** A pyramid we write reads back as the levels it was written from. */
    @Property(tries = 300)
    void pyramidsWeWriteReadBackAsTheirLevels(@ForAll boolean channels, @ForAll @IntRange(min = 1, max = 5) int count,
            @ForAll @DoubleRange(min = 0.25, max = 100) double rx, @ForAll @DoubleRange(min = 0.25, max = 100) double rz,
            @ForAll @LongRange(min = -1000, max = 1000) long ox, @ForAll @LongRange(min = 0, max = 1000) long oz) {
        List<OmeLevel> levels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double f = Math.pow(2, i);
            levels.add(OmeLevel.of(Integer.toString(i), new double[] {rx * f, rx * f, rz}, new long[] {ox >> i, 0, oz}));
        }
        Multiscales ms = Multiscales.of(Multiscales.Multiscale.forPyramid("img", channels, levels));
        ObjectNode attrs = ms.writeInto(Json.NODES.objectNode().put("keep", 1));
        ZarrGroupMetadata g = ZarrGroupMetadata.parse(utf8(ZarrGroupMetadata.of(attrs).toJson()), "mem://img");
        assertEquals(1, g.attributes().get("keep").asInt());
        Multiscales back = Multiscales.fromAttributes(g.attributes(), W);
        Multiscales.Multiscale m = back.images().getFirst();
        long[] shape = channels ? new long[] {3, 10, 20, 30} : new long[] {10, 20, 30};
        AxisMapping mapping = m.axisMapping(shape, W);
        assertEquals(channels ? List.of("c", "z", "y", "x") : List.of("z", "y", "x"), mapping.dimensionNames());
        List<OmeLevel> read = m.levels(mapping);
        for (int i = 0; i < count; i++) {
            assertArrayEquals(levels.get(i).resolution(), read.get(i).resolution(), 1e-9 * rx * (1 << i) + 1e-9 * rz, "level " + i);
            assertArrayEquals(levels.get(i).voxelOffset(), read.get(i).voxelOffset(), "level " + i);
            assertTrue(!read.get(i).hasFractionalOffset());
            assertEquals(List.of("nanometer", "nanometer", "nanometer"), read.get(i).units());
        }
    }
}
