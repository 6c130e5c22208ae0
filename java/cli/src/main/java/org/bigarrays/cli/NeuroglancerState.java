package org.bigarrays.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bigarrays.InvalidInputException;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;

/**
 * A Neuroglancer viewer state (the newer form: {@code dimensions}, {@code position},
 * {@code crossSectionScale}) showing served layers: image layers as {@code image}, segmentation
 * layers as {@code segmentation}, in the finest scale's voxels of the first layer, centred on it
 * and zoomed so that its x-y extent fills about 800 screen pixels.
 */
final class NeuroglancerState {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Screen pixels the first layer's larger x-y extent is zoomed to. */
    static final double VIEW_PIXELS = 800;

    private NeuroglancerState() {}

    /** A served layer: its info and its Neuroglancer data source ({@code precomputed://…}, {@code zarr3://…}). */
    record Layer(Info info, String source) {}

    /**
     * The state for {@code layers} (by name).
     *
     * @param layout Neuroglancer's layout: {@code 4panel}, {@code xy}, {@code xz}, {@code yz}, {@code 3d}, ...
     */
    static ObjectNode of(Map<String, Layer> layers, String layout) {
        if (layers.isEmpty()) throw new InvalidInputException("no layers to view");
        Scale first = layers.values().iterator().next().info().scale(0);
        ObjectNode state = JSON.createObjectNode();
        ObjectNode dims = state.putObject("dimensions");
        String[] axes = {"x", "y", "z"};
        ArrayNode position = state.putArray("position");
        for (int d = 0; d < 3; d++) {
            // Resolution is in nanometres; Neuroglancer's units are SI: metres with a scale factor.
            dims.putArray(axes[d]).add(first.resolution()[d] * 1e-9).add("m");
            position.add(first.voxelOffset()[d] + first.size()[d] / 2.0);
        }
        double extent = Math.max(first.size()[0], first.size()[1]);
        state.put("crossSectionScale", extent / VIEW_PIXELS);
        state.put("projectionScale", 2 * Math.max(extent, first.size()[2]));
        ArrayNode ls = state.putArray("layers");
        for (var e : layers.entrySet()) {
            ObjectNode l = ls.addObject();
            l.put("type", e.getValue().info().type().equals("segmentation") ? "segmentation" : "image");
            l.put("source", e.getValue().source());
            l.put("name", e.getKey());
        }
        state.put("layout", layout);
        return state;
    }

    /** The viewer URL: {@code viewer} (the Neuroglancer page) with the state in its fragment. */
    static URI url(URI viewer, ObjectNode state) {
        String json;
        try {
            json = JSON.writeValueAsString(state);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Neuroglancer reads "#!" + the URL-encoded JSON; keep the JSON punctuation readable.
        String enc = URLEncoder.encode(json, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create(viewer + "#!" + enc);
    }
}
