package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bigarrays.FormatException;

/**
 * OME-Zarr multiscale images, as held by an image group's attributes.
 *
 * <p>Read from OME-Zarr 0.5 ({@code "ome": {"version": "0.5", "multiscales": [...]}}, on a Zarr
 * v3 group) and 0.4 ({@code "multiscales": [{"version": "0.4", ...}]} directly in the
 * attributes, on a Zarr v2 group's {@code .zattrs}); written as 0.5 only. Each multiscale has
 * {@code axes} (name, optional type — space, time, channel or another — and optional unit),
 * {@code datasets} (a {@code path} and {@code coordinateTransformations}: one {@code scale},
 * optionally followed by one {@code translation}), optional top-level
 * {@code coordinateTransformations} of the same form (applied after each dataset's), and an
 * optional {@code name}. Other members of a multiscale ({@code type}, {@code metadata}) and of
 * the {@code ome} object ({@code omero}, {@code bioformats2raw.layout}) are kept and written back.
 * A transformation given by {@code path} (a binary array) is not supported.
 *
 * @param version "0.5" or "0.4", as read; "0.5" for new ones
 * @param images the multiscale images (most files have one)
 * @param otherOme other members of the 0.5 {@code ome} object, as read (empty for 0.4)
 */
public record Multiscales(String version, List<Multiscale> images, ObjectNode otherOme) {
    private static final Set<String> MULTISCALE_KNOWN = Set.of("version", "name", "axes", "datasets", "coordinateTransformations");

    /** Copies. */
    public Multiscales {
        Objects.requireNonNull(version, "version");
        images = List.copyOf(images);
        otherOme = otherOme == null ? Json.NODES.objectNode() : otherOme.deepCopy();
    }

    @Override
    public ObjectNode otherOme() {
        return otherOme.deepCopy();
    }

    /** A 0.5 multiscales of one image. */
    public static Multiscales of(Multiscale image) {
        return new Multiscales("0.5", List.of(image), null);
    }

    /**
     * One axis.
     *
     * @param name the axis name ("x", "t", "c", ...)
     * @param type "space", "time", "channel", another type, or null (none given)
     * @param unit the unit ("micrometer", ...) or null
     */
    public record Axis(String name, String type, String unit) {
        public Axis {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A {@code scale} and an optional {@code translation}, one number per axis.
     *
     * @param scale per axis
     * @param translation per axis; null when there is none
     */
    public record Transform(double[] scale, double[] translation) {
        public Transform {
            scale = scale.clone();
            translation = translation == null ? null : translation.clone();
            if (translation != null && translation.length != scale.length) throw new IllegalArgumentException("scale and translation of different lengths");
        }

        @Override
        public double[] scale() {
            return scale.clone();
        }

        @Override
        public double[] translation() {
            return translation == null ? null : translation.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transform t && Arrays.equals(t.scale, scale) && Arrays.equals(t.translation, translation);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(scale) * 31 + Arrays.hashCode(translation);
        }

        @Override
        public String toString() {
            return "scale " + Arrays.toString(scale) + (translation == null ? "" : " translation " + Arrays.toString(translation));
        }
    }

    /**
     * One level of the pyramid.
     *
     * @param path the level's array, relative to the image group
     * @param transform its coordinate transformations
     */
    public record Dataset(String path, Transform transform) {
        public Dataset {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(transform, "transform");
        }
    }

    /**
     * One multiscale image.
     *
     * @param name its name, or null
     * @param axes one per dimension of each level's array, in stored order
     * @param datasets the levels, finest first
     * @param transform the transformations applied after each level's, or null
     * @param extra other members ({@code type}, {@code metadata}), as read
     */
    public record Multiscale(String name, List<Axis> axes, List<Dataset> datasets, Transform transform, ObjectNode extra) {
        /** Copies. */
        public Multiscale {
            axes = List.copyOf(axes);
            datasets = List.copyOf(datasets);
            extra = extra == null ? Json.NODES.objectNode() : extra.deepCopy();
        }

        @Override
        public ObjectNode extra() {
            return extra.deepCopy();
        }

        /**
         * A multiscale for a pyramid we write: axes (c, z, y, x) with channels, else (z, y, x) —
         * the order of {@link AxisMapping#forWriting} — c of type channel, z, y, x of type space
         * in nanometres; per level a scale of its resolution (1 for c) and, where its offset
         * (voxel offset plus fractional offset) is not zero, a translation of offset × resolution.
         */
        public static Multiscale forPyramid(String name, boolean channels, List<OmeLevel> levels) {
            List<Axis> axes = new ArrayList<>();
            if (channels) axes.add(new Axis("c", "channel", null));
            for (String n : List.of("z", "y", "x")) axes.add(new Axis(n, "space", "nanometer"));
            List<Dataset> ds = new ArrayList<>();
            for (OmeLevel l : levels) {
                double[] r = l.resolution();
                long[] vo = l.voxelOffset();
                double[] fo = l.fractionalOffset();
                double[] o = {vo[0] + fo[0], vo[1] + fo[1], vo[2] + fo[2]};
                double[] scale = channels ? new double[] {1, r[2], r[1], r[0]} : new double[] {r[2], r[1], r[0]};
                double[] tr = null;
                if (o[0] != 0 || o[1] != 0 || o[2] != 0) {
                    double[] t = {o[2] * r[2], o[1] * r[1], o[0] * r[0]};
                    tr = channels ? new double[] {0, t[0], t[1], t[2]} : t;
                }
                ds.add(new Dataset(l.path(), new Transform(scale, tr)));
            }
            return new Multiscale(name, axes, ds, null, null);
        }

        /** The stated mapping for the arrays of this image, which have {@code storedShape} (of the finest level, say). */
        public AxisMapping axisMapping(long[] storedShape, String where) {
            return AxisMapping.ofOme(storedShape, axes, where);
        }

        /**
         * Each level's path, resolution and offset as {@code [x, y, z]} through {@code mapping}
         * (see {@link OmeLevel}): the level's scale times the multiscale's, and the level's
         * translation times the multiscale's scale plus the multiscale's translation.
         */
        public List<OmeLevel> levels(AxisMapping mapping) {
            List<OmeLevel> out = new ArrayList<>();
            for (Dataset ds : datasets) {
                double[] s = ds.transform().scale();
                double[] t = ds.transform().translation() == null ? new double[s.length] : ds.transform().translation();
                if (transform != null) {
                    double[] ts = transform.scale();
                    double[] tt = transform.translation() == null ? new double[s.length] : transform.translation();
                    for (int d = 0; d < s.length; d++) {
                        s[d] *= ts[d];
                        t[d] = t[d] * ts[d] + tt[d];
                    }
                }
                double[] res = {1, 1, 1};
                long[] off = new long[3];
                double[] frac = new double[3];
                List<String> units = new ArrayList<>(Arrays.asList(null, null, null));
                for (int a = 0; a < 3; a++) {
                    int d = mapping.storedDimension(a);
                    if (d < 0) continue;
                    String unit = axes.get(d).unit();
                    Double nm = unit == null ? null : NANOMETRES_PER.get(unit);
                    res[a] = nm == null ? s[d] : s[d] * nm;
                    units.set(a, nm == null ? unit : "nanometer");
                    double v = t[d] / s[d];
                    double r = Math.rint(v);
                    if (Math.abs(v - r) <= 1e-6 && Math.abs(r) < 0x1p62) off[a] = (long) r;
                    else frac[a] = v;
                }
                out.add(new OmeLevel(ds.path(), res, units, off, frac));
            }
            return out;
        }
    }

    /**
     * Nanometres per OME-NGFF length unit (the UDUNITS-2 names the spec lists), plus the short
     * forms nm, um, µm, mm. Other units (and time units) are not converted.
     */
    static final Map<String, Double> NANOMETRES_PER = Map.ofEntries(
            Map.entry("yoctometer", 1e-15), Map.entry("zeptometer", 1e-12), Map.entry("attometer", 1e-9), Map.entry("femtometer", 1e-6),
            Map.entry("picometer", 1e-3), Map.entry("angstrom", 0.1), Map.entry("nanometer", 1.0), Map.entry("micrometer", 1e3),
            Map.entry("millimeter", 1e6), Map.entry("centimeter", 1e7), Map.entry("decimeter", 1e8), Map.entry("meter", 1e9),
            Map.entry("hectometer", 1e11), Map.entry("kilometer", 1e12), Map.entry("megameter", 1e15), Map.entry("gigameter", 1e18),
            Map.entry("terameter", 1e21), Map.entry("petameter", 1e24), Map.entry("exameter", 1e27), Map.entry("zettameter", 1e30),
            Map.entry("yottameter", 1e33), Map.entry("inch", 2.54e7), Map.entry("foot", 3.048e8), Map.entry("yard", 9.144e8),
            Map.entry("mile", 1.609344e12), Map.entry("parsec", 3.0856775814913673e25),
            Map.entry("nm", 1.0), Map.entry("um", 1e3), Map.entry("µm", 1e3), Map.entry("mm", 1e6));

    /**
     * The multiscales in a group's {@code attributes}: 0.5 under {@code ome}, else 0.4 under
     * {@code multiscales}; null when there are none.
     *
     * @param where opens error messages ("zarr.json at URL")
     * @throws FormatException (one line: member, expected, found) when they are malformed or of another version
     */
    public static Multiscales fromAttributes(ObjectNode attributes, String where) {
        JsonNode ome = attributes.get("ome");
        if (ome != null) {
            Json.Fields f = new Json.Fields(where, "attributes.");
            if (!(ome instanceof ObjectNode oo)) throw f.error("ome", "a JSON object", ome);
            Json.Fields of = f.nested("ome");
            JsonNode v = oo.get("version");
            if (v == null || !v.isTextual() || !v.asText().startsWith("0.5")) throw of.error("version", "\"0.5\"", v);
            if (!oo.has("multiscales")) return null; // an "ome" group of another kind (plate, labels)
            List<Multiscale> images = parseList(of.array(oo, "multiscales"), of, "multiscales", false);
            ObjectNode other = oo.deepCopy();
            other.remove(List.of("version", "multiscales"));
            return new Multiscales(v.asText(), images, other);
        }
        JsonNode ms = attributes.get("multiscales");
        if (ms == null) return null;
        Json.Fields f = new Json.Fields(where, "attributes.");
        if (!(ms instanceof ArrayNode a)) throw f.error("multiscales", "a JSON array", ms);
        return new Multiscales("0.4", parseList(a, f, "multiscales", true), null);
    }

    private static List<Multiscale> parseList(ArrayNode a, Json.Fields f, String k, boolean v04) {
        if (a.isEmpty()) throw f.error(k, "at least one multiscale image", "[]");
        List<Multiscale> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String at = k + "[" + i + "]";
            if (!(a.get(i) instanceof ObjectNode o)) throw f.error(at, "a JSON object", a.get(i));
            out.add(parseOne(o, f.nested(at), v04));
        }
        return out;
    }

    private static Multiscale parseOne(ObjectNode o, Json.Fields f, boolean v04) {
        if (v04) {
            JsonNode v = o.get("version");
            // Some 0.4 writers leave the version out; older versions (axes as bare names) are refused.
            if (v != null && !(v.isTextual() && v.asText().equals("0.4"))) throw f.error("version", "\"0.4\" (or OME-Zarr 0.5 under \"ome\")", v);
        }
        String name = null;
        if (o.has("name") && !o.get("name").isNull()) name = f.text(o, "name");
        ArrayNode ax = f.array(o, "axes");
        if (ax.size() < 2 || ax.size() > 5) throw f.error("axes", "2 to 5 axes", ax);
        List<Axis> axes = new ArrayList<>();
        for (int i = 0; i < ax.size(); i++) {
            String at = "axes[" + i + "]";
            if (!(ax.get(i) instanceof ObjectNode ao)) throw f.error(at, "an object with a \"name\" (OME-Zarr 0.4 or later)", ax.get(i));
            Json.Fields af = f.nested(at);
            String n = af.text(ao, "name");
            String type = optionalText(ao, "type", af);
            String unit = optionalText(ao, "unit", af);
            axes.add(new Axis(n, type, unit));
        }
        int rank = axes.size();
        ArrayNode dsa = f.array(o, "datasets");
        if (dsa.isEmpty()) throw f.error("datasets", "at least one dataset", "[]");
        List<Dataset> datasets = new ArrayList<>();
        for (int i = 0; i < dsa.size(); i++) {
            String at = "datasets[" + i + "]";
            if (!(dsa.get(i) instanceof ObjectNode dso)) throw f.error(at, "a JSON object", dsa.get(i));
            Json.Fields df = f.nested(at);
            String path = df.text(dso, "path");
            if (path.isEmpty() || path.startsWith("/") || Arrays.asList(path.split("/")).contains("..")) {
                throw df.error("path", "a relative path inside the image group", "\"" + path + "\"");
            }
            JsonNode ct = dso.get("coordinateTransformations");
            if (ct == null) throw df.error("coordinateTransformations", "a scale (and optional translation)", "nothing");
            datasets.add(new Dataset(path, transform(ct, df, rank)));
        }
        Transform top = null;
        JsonNode tct = o.get("coordinateTransformations");
        if (tct != null && !tct.isNull()) top = transform(tct, f, rank);
        ObjectNode extra = Json.NODES.objectNode();
        o.properties().forEach(e -> {
            if (!MULTISCALE_KNOWN.contains(e.getKey())) extra.set(e.getKey(), e.getValue());
        });
        return new Multiscale(name, axes, datasets, top, extra);
    }

    private static String optionalText(ObjectNode o, String k, Json.Fields f) {
        JsonNode n = o.get(k);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw f.error(k, "a string", n);
        return n.asText();
    }

    /** A {@code coordinateTransformations} list: one scale, then optionally one translation. */
    private static Transform transform(JsonNode n, Json.Fields f, int rank) {
        String k = "coordinateTransformations";
        String expected = "[{\"type\": \"scale\", \"scale\": [" + rank + " numbers]}] and optionally a translation after it";
        if (!(n instanceof ArrayNode a) || a.isEmpty() || a.size() > 2) throw f.error(k, expected, n);
        double[] scale = null;
        double[] translation = null;
        for (int i = 0; i < a.size(); i++) {
            Json.Fields tf = f.nested(k + "[" + i + "]");
            if (!(a.get(i) instanceof ObjectNode t)) throw f.error(k, expected, n);
            String type = tf.text(t, "type");
            if (t.has("path")) throw tf.error("path", "the " + type + " given inline (transformations stored in a file are not supported)", t.get("path"));
            if (i == 0 && type.equals("scale")) {
                scale = tf.doubles(t, "scale", rank);
                for (double s : scale) {
                    if (!(s > 0)) throw tf.error("scale", rank + " positive numbers", t.get("scale"));
                }
            } else if (i == 1 && type.equals("translation")) {
                translation = tf.doubles(t, "translation", rank);
            } else {
                throw tf.error("type", i == 0 ? "\"scale\" first" : "\"translation\" after the scale", "\"" + type + "\"");
            }
        }
        return new Transform(scale, translation);
    }

    /**
     * {@code attributes} with these multiscales written into them as OME-Zarr 0.5 (under
     * {@code ome}, with {@code version} "0.5"); a 0.4 {@code multiscales} member is removed.
     * Other attributes are kept.
     */
    public ObjectNode writeInto(ObjectNode attributes) {
        ObjectNode out = attributes.deepCopy();
        out.remove("multiscales");
        ObjectNode ome = Json.NODES.objectNode();
        ome.put("version", "0.5");
        ArrayNode list = ome.putArray("multiscales");
        for (Multiscale m : images) {
            ObjectNode o = list.addObject();
            if (m.name() != null) o.put("name", m.name());
            ArrayNode ax = o.putArray("axes");
            for (Axis a : m.axes()) {
                ObjectNode ao = ax.addObject().put("name", a.name());
                if (a.type() != null) ao.put("type", a.type());
                if (a.unit() != null) ao.put("unit", a.unit());
            }
            ArrayNode ds = o.putArray("datasets");
            for (Dataset d : m.datasets()) {
                ObjectNode dobj = ds.addObject().put("path", d.path());
                dobj.set("coordinateTransformations", transformJson(d.transform()));
            }
            if (m.transform() != null) o.set("coordinateTransformations", transformJson(m.transform()));
            o.setAll(m.extra());
        }
        ome.setAll(otherOme.deepCopy());
        out.set("ome", ome);
        return out;
    }

    private static ArrayNode transformJson(Transform t) {
        ArrayNode a = Json.NODES.arrayNode();
        a.addObject().put("type", "scale").set("scale", Json.numberArray(t.scale()));
        if (t.translation() != null) a.addObject().put("type", "translation").set("translation", Json.numberArray(t.translation()));
        return a;
    }
}
