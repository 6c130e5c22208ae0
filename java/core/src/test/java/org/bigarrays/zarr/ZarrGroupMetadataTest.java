package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.bigarrays.zarr.Errors.resource;
import static org.bigarrays.zarr.Errors.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Group metadata: the spec's example, ignorable extensions, v2 groups, errors. */
class ZarrGroupMetadataTest {
    private static final String WHERE = "s3://b/img";

    @Test
    void theSpecsExampleGroup() {
        ZarrGroupMetadata g = ZarrGroupMetadata.parse(resource("spec-group.json"), WHERE);
        assertEquals(3, g.zarrFormat());
        assertEquals("ham", g.attributes().get("spam").asText());
        assertEquals(42, g.attributes().get("eggs").asInt());
        assertEquals(Json.readObject(resource("spec-group.json"), "spec"), Json.readObject(utf8(g.toJson()), "written"));
        assertEquals(g, ZarrGroupMetadata.parse(utf8(g.toJson()), WHERE));
    }

    @Test
    void consolidatedMetadataIsKeptAndOtherExtensionsAreRefused() {
        String doc = "{\"zarr_format\": 3, \"node_type\": \"group\", \"consolidated_metadata\": {\"must_understand\": false, \"kind\": \"inline\", \"metadata\": {}}}";
        ZarrGroupMetadata g = ZarrGroupMetadata.parse(utf8(doc), WHERE);
        ObjectNode written = Json.readObject(utf8(g.toJson()), "written");
        assertEquals("inline", written.at("/consolidated_metadata/kind").asText());
        oneLine(() -> ZarrGroupMetadata.parse(utf8("{\"zarr_format\": 3, \"node_type\": \"group\", \"links\": {\"name\": \"links\"}}"), WHERE),
                "zarr.json at " + WHERE + ": links: expected no unknown member unless marked \"must_understand\": false");
        oneLine(() -> ZarrGroupMetadata.parse(utf8("{\"zarr_format\": 3, \"node_type\": \"array\"}"), WHERE),
                "zarr.json at " + WHERE + ": node_type: expected \"group\", found \"array\"");
        oneLine(() -> ZarrGroupMetadata.parse(utf8("{\"zarr_format\": 3, \"node_type\": \"group\", \"attributes\": []}"), WHERE),
                "attributes: expected a JSON object, found []");
    }

    @Test
    void v2Groups() {
        ZarrGroupMetadata g = ZarrGroupMetadata.parseV2(utf8("{\"zarr_format\": 2}"), resource("ome-0.4-image.zattrs"), WHERE);
        assertEquals(2, g.zarrFormat());
        assertEquals("0.4", g.attributes().at("/multiscales/0/version").asText());
        assertEquals(g.attributes(), ZarrGroupMetadata.parse(utf8(g.toJson()), WHERE).attributes(), "written as v3, attributes unchanged");
        oneLine(() -> ZarrGroupMetadata.parseV2(utf8("{\"zarr_format\": 3}"), null, WHERE), ".zgroup at " + WHERE + ": zarr_format: expected 2, found 3");
    }
}
