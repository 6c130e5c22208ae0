package org.bigarrays.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.precomputed.Info;

/**
 * The body of {@code POST /<layer>/cutouts}: {@code {"mip": N, "boxes": ["x0,y0,z0:x1,y1,z1",
 * ...], "axes": "xyzc" | "czyx"}} ({@code mip} defaults to 0, {@code axes} to {@code xyzc}),
 * checked against the layer and the server's limits. Every problem is an
 * {@link InvalidInputException} (a 400) with one line naming what is wrong, e.g.
 * {@code boxes[3] '1,2:3,4': ...}.
 *
 * @param mip the scale the boxes are in
 * @param boxes the boxes, in request order (repeats allowed)
 * @param channelsFirst {@code axes: "czyx"}: arrays of shape (c, z, y, x) in C order, as
 *     PyTorch's 3-D layers take them, else (x, y, z, c) in Fortran order, as {@code GET
 *     cutout?format=npy} answers (both are the same bytes)
 */
public record BatchRequest(int mip, List<Box> boxes, boolean channelsFirst) {
    /** The most boxes one request may ask for, unless the server says otherwise. */
    public static final int DEFAULT_MAX_BOXES = 10_000;
    /** The longest body read: 100 bytes per box is room for any box of 64-bit coordinates. */
    public static long maxBodyBytes(int maxBoxes) {
        return 4096 + 100L * maxBoxes;
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1 << 10).build()).build();

    public BatchRequest {
        boxes = List.copyOf(boxes);
    }

    /**
     * Read and check a request body of at most {@link #maxBodyBytes} from {@code body}.
     * @param maxBoxes the most boxes allowed
     * @param maxBytes the most voxel bytes of all the boxes together (the server's --max-cutout-size)
     * @throws InvalidInputException naming what is wrong
     * @throws IOException when the body cannot be read
     */
    public static BatchRequest read(InputStream body, Info info, int maxBoxes, long maxBytes) throws IOException {
        long limit = maxBodyBytes(maxBoxes);
        byte[] b = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (b.length > limit) throw new InvalidInputException("request body: more than " + limit + " bytes (at most " + maxBoxes + " boxes)");
        return parse(b, info, maxBoxes, maxBytes);
    }

    /**
     * Parse and check {@code json}: see {@link #read}.
     * @throws InvalidInputException naming what is wrong
     */
    public static BatchRequest parse(byte[] json, Info info, int maxBoxes, long maxBytes) {
        int mip = 0;
        boolean mipSeen = false;
        boolean axesSeen = false;
        boolean channelsFirst = false;
        List<String> texts = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw bad("expected a JSON object {\"mip\": N, \"boxes\": [\"x0,y0,z0:x1,y1,z1\", ...]}");
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "mip" -> {
                        if (mipSeen) throw bad("\"mip\" given twice");
                        mipSeen = true;
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                            throw new InvalidInputException("mip " + p.getText() + ": expected an integer 0.." + (info.scales().size() - 1));
                        }
                        mip = p.getIntValue();
                        if (mip < 0 || mip >= info.scales().size()) throw new InvalidInputException("mip " + mip + ": expected 0.." + (info.scales().size() - 1));
                    }
                    case "axes" -> {
                        if (axesSeen) throw bad("\"axes\" given twice");
                        axesSeen = true;
                        String a = t == JsonToken.VALUE_STRING ? p.getText().toLowerCase(Locale.ROOT) : "";
                        if (!a.equals("xyzc") && !a.equals("czyx")) throw new InvalidInputException("axes " + p.getText() + ": expected \"xyzc\" or \"czyx\"");
                        channelsFirst = a.equals("czyx");
                    }
                    case "boxes" -> {
                        if (texts != null) throw bad("\"boxes\" given twice");
                        if (t != JsonToken.START_ARRAY) throw new InvalidInputException("boxes: expected an array of \"x0,y0,z0:x1,y1,z1\" strings");
                        texts = new ArrayList<>();
                        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                            if (texts.size() == maxBoxes) throw new InvalidInputException("boxes: more than " + maxBoxes + " in one request: split the batch");
                            if (e != JsonToken.VALUE_STRING) {
                                throw new InvalidInputException("boxes[" + texts.size() + "]: expected a string \"x0,y0,z0:x1,y1,z1\", found " + p.getText());
                            }
                            texts.add(p.getText());
                        }
                    }
                    default -> throw bad("unknown member \"" + name + "\": expected mip, boxes, axes");
                }
            }
            if (p.nextToken() != null) throw bad("unexpected content after the JSON object");
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException e) {
            throw bad("malformed JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (texts == null) throw bad("missing \"boxes\": [\"x0,y0,z0:x1,y1,z1\", ...]");
        if (texts.isEmpty()) throw new InvalidInputException("boxes: empty, expected at least one box");
        long voxelBytes = (long) info.numChannels() * info.dataType().size();
        List<Box> boxes = new ArrayList<>(texts.size());
        long total = 0;
        for (int i = 0; i < texts.size(); i++) {
            String s = texts.get(i);
            String where = "boxes[" + i + "] '" + s + "'";
            Box box;
            try {
                box = Box.parse(s);
            } catch (InvalidInputException e) {
                throw new InvalidInputException(where + ": " + e.getMessage());
            }
            if (box.rank() != 3) throw new InvalidInputException(where + ": expected x0,y0,z0:x1,y1,z1, found " + box.rank() + " coordinates");
            if (box.isEmpty()) throw new InvalidInputException(where + " is empty: each max must exceed its min");
            try {
                total = Math.addExact(total, Math.multiplyExact(box.volume(), voxelBytes));
            } catch (ArithmeticException e) {
                total = Long.MAX_VALUE;
            }
            if (total > maxBytes) {
                throw new InvalidInputException("boxes: the first " + (i + 1) + " of " + texts.size() + " already exceed the " + maxBytes
                        + " bytes of cutouts this server answers in one request (--max-cutout-size): ask for fewer or smaller boxes");
            }
            boxes.add(box);
        }
        return new BatchRequest(mip, boxes, channelsFirst);
    }

    private static InvalidInputException bad(String what) {
        return new InvalidInputException("request body: " + what);
    }
}
