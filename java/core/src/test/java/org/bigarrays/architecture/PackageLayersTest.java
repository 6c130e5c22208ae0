package org.bigarrays.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.constant.ClassDesc;
import java.lang.classfile.constantpool.NameAndTypeEntry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bigarrays.core.Box;
import org.junit.jupiter.api.Test;

/**
 * The packages of the core library depend one way: array → chunk → zarr (a format driver) →
 * precomputed (the layer model and the first format driver) → sharding, zarr.codec → codec →
 * kvstore → core → nativ → the exceptions in {@code org.bigarrays}. (The C kernels'
 * bindings sit below the vocabulary because {@code NdView} fills and copies through them; they
 * call nothing of ours.) Read from the
 * compiled classes (every class, field and method descriptor in each constant pool), so an import
 * that only a fully qualified name or a lambda carries is caught too. A violation names both
 * classes.
 */
class PackageLayersTest {
    /** Layer of each package; a package may depend on its own layer's package only, or lower layers. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("org.bigarrays", 0),
            Map.entry("org.bigarrays.nativ", 1),
            Map.entry("org.bigarrays.core", 2),
            Map.entry("org.bigarrays.kvstore", 3),
            Map.entry("org.bigarrays.kvstore.remote", 3),
            Map.entry("org.bigarrays.kvstore.http", 3),
            // Downsampling kernels over views: uses core and nativ only, no storage (beside kvstore, which it never sees).
            Map.entry("org.bigarrays.downsample", 3),
            Map.entry("org.bigarrays.codec", 4),
            Map.entry("org.bigarrays.sharding", 5),
            // Zarr v3's codec stages and shard index over the library's codecs; nothing of the precomputed format.
            Map.entry("org.bigarrays.zarr.codec", 5),
            // The precomputed package holds the layer model (Info, ScaleChunkStore) every format maps to.
            Map.entry("org.bigarrays.precomputed", 6),
            // The second format driver, on the layer model.
            Map.entry("org.bigarrays.zarr", 7),
            Map.entry("org.bigarrays.chunk", 8),
            Map.entry("org.bigarrays.array", 9),
            Map.entry("org.bigarrays.ingest", 10));
    /** Within a layer these pairs are allowed (the kvstore implementations use the kvstore contract). */
    private static final Set<String> SAME_LAYER_ALLOWED = Set.of(
            "org.bigarrays.kvstore.remote->org.bigarrays.kvstore",
            "org.bigarrays.kvstore.http->org.bigarrays.kvstore",
            "org.bigarrays.kvstore.http->org.bigarrays.kvstore.remote");
    /**
     * Downward pairs that would skip a layer's abstraction: the chunk layer reaches shard files
     * only through the format layer's chunk store ({@code ScaleChunkStore}), never the sharding
     * package itself.
     */
    private static final Set<String> SKIPPING_FORBIDDEN = Set.of("org.bigarrays.chunk->org.bigarrays.sharding",
            "org.bigarrays.chunk->org.bigarrays.zarr", "org.bigarrays.chunk->org.bigarrays.zarr.codec");
    private static final Pattern CLASS_NAME = Pattern.compile("L(org/bigarrays/[\\w/$]+);");

    @Test
    void everyPackageIsKnownAndDependsOnlyDownward() throws Exception {
        Map<String, Set<String>> edges = new TreeMap<>(); // "from.Class -> to.Class"
        List<String> violations = new ArrayList<>();
        for (Path cls : classFiles()) {
            ClassModel m = ClassFile.of().parse(Files.readAllBytes(cls));
            String from = m.thisClass().asInternalName().replace('/', '.');
            String fromPkg = pkg(from);
            assertTrue(LAYER.containsKey(fromPkg), "package " + fromPkg + " (of " + from + ") has no layer in " + getClass().getSimpleName());
            for (String to : referencedClasses(m)) {
                String toPkg = pkg(to);
                if (toPkg.equals(fromPkg) || !to.startsWith("org.bigarrays.")) continue;
                edges.computeIfAbsent(fromPkg, k -> new TreeSet<>()).add(toPkg);
                Integer lf = LAYER.get(fromPkg);
                Integer lt = LAYER.get(toPkg);
                boolean ok = lt != null && (lt < lf || (lt.equals(lf) && SAME_LAYER_ALLOWED.contains(fromPkg + "->" + toPkg)))
                        && !SKIPPING_FORBIDDEN.contains(fromPkg + "->" + toPkg);
                if (!ok) violations.add(from + " -> " + to);
            }
        }
        assertEquals(List.of(), violations, "upward, sideways or layer-skipping package dependencies (layers: " + new TreeMap<>(LAYER) + "); package graph: " + edges);
    }

    @Test
    void theCheckSeesUpwardReferences() throws Exception {
        // The check must not pass vacuously: the facade's class does reference the layers below it.
        Path facade = classesRoot().resolve("org/bigarrays/array/BigArray.class");
        Set<String> refs = referencedClasses(ClassFile.of().parse(Files.readAllBytes(facade)));
        assertTrue(refs.stream().anyMatch(r -> r.startsWith("org.bigarrays.chunk.")), "BigArray references the chunk layer: " + refs);
        assertTrue(refs.contains(Box.class.getName()), "BigArray references core.Box: " + refs);
    }

    /** The modules built on core, each with the source folders of its main code (tests share core's packages on the class path). */
    private static final List<String> MODULES = List.of("cli", "server", "s3", "gcs", "spark", "imglib2", "options");
    /** A package of ours named in source: an import (single, static or on demand) or a fully qualified name. */
    private static final Pattern SOURCE_REF = Pattern.compile("\\b(org\\.bigarrays(?:\\.[a-z][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");
    private static final Pattern EXPORT = Pattern.compile("exports\\s+([\\w.]+)(?:\\s+to\\s+([\\w.,\\s]+))?;");

    /**
     * Each module's main code uses only the core packages that core's module-info exports to it
     * (to everyone, or by name in a qualified export), whether or not the module is itself named
     * (cli, spark, imglib2 and options run on the class path, where nothing enforces this: the
     * test does, under the name they would have). A store module's packages sit on the kvstore
     * layer and obey the layers too. Read from sources, since the other modules' classes are not
     * on core's test class path; the benchmarks are left out (they time internals such as the
     * native kernels directly, on the class path).
     */
    @Test
    void everyModuleUsesOnlyWhatCoreExportsToIt() throws Exception {
        Path javaDir = classesRoot().getParent().getParent().getParent();
        Map<String, Set<String>> exports = coreExports(Files.readString(javaDir.resolve("core/src/main/java/module-info.java")));
        List<String> violations = new ArrayList<>();
        int seen = 0;
        for (String dir : MODULES) {
            Path module = javaDir.resolve(dir);
            String name = moduleName(module, dir);
            Path main = module.resolve("src/main/java");
            assertTrue(Files.isDirectory(main), "no sources of module " + dir + " at " + main);
            try (Stream<Path> files = Files.walk(main)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                    String own = main.relativize(f.getParent()).toString().replace(java.io.File.separatorChar, '.');
                    List<String> v = violations(name, own, Files.readString(f), exports);
                    seen++;
                    for (String x : v) violations.add(dir + "/" + main.relativize(f) + ": " + x);
                }
            }
        }
        assertTrue(seen > 50, "expected the modules' sources under " + javaDir + ", found " + seen + " files");
        assertEquals(List.of(), violations, "packages used but not exported to the module (core's exports: " + exports + ")");
    }

    @Test
    void theModuleCheckSeesUnexportedUses() {
        Map<String, Set<String>> exports = coreExports("module m { exports org.bigarrays.kvstore; exports org.bigarrays.array; "
                + "exports org.bigarrays.codec to org.bigarrays.cli, org.bigarrays.spark; }");
        String s3 = "package org.bigarrays.kvstore.s3;\nimport org.bigarrays.kvstore.KeyValueStore;\nimport org.bigarrays.array.BigArray;\n"
                + "// org.bigarrays.nativ.Kernels in a comment is no use\nclass A { Object k = org.bigarrays.nativ.Kernels.get(); }";
        assertEquals(List.of("uses org.bigarrays.array, above its own layer (org.bigarrays.kvstore.s3)",
                "uses org.bigarrays.nativ, not exported to org.bigarrays.s3"), violations("org.bigarrays.s3", "org.bigarrays.kvstore.s3", s3, exports));
        String cli = "package org.bigarrays.cli;\nimport org.bigarrays.codec.*;\nimport static org.bigarrays.sharding.ShardingSpec.of;";
        assertEquals(List.of("uses org.bigarrays.sharding, not exported to org.bigarrays.cli"), violations("org.bigarrays.cli", "org.bigarrays.cli", cli, exports));
        assertEquals(List.of("uses org.bigarrays.codec, not exported to org.bigarrays.server", "uses org.bigarrays.sharding, not exported to org.bigarrays.server"),
                violations("org.bigarrays.server", "org.bigarrays.cli", cli, exports));
    }

    /** What {@code module} (in package {@code own}) may not use of core, one line per package, in order of first use. */
    private static List<String> violations(String module, String own, String source, Map<String, Set<String>> exports) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        Integer ownLayer = layerOf(own);
        Set<String> out = new java.util.LinkedHashSet<>();
        Matcher m = SOURCE_REF.matcher(code);
        while (m.find()) {
            String pkg = m.group(1);
            if (pkg.equals(own) || !LAYER.containsKey(pkg)) continue; // the module's own packages, or another module's
            Set<String> to = exports.get(pkg);
            if (to == null || !(to.isEmpty() || to.contains(module))) out.add("uses " + pkg + ", not exported to " + module);
            else if (ownLayer != null && LAYER.get(pkg) > ownLayer) out.add("uses " + pkg + ", above its own layer (" + own + ")");
        }
        return List.copyOf(out);
    }

    /** The layer of a module's package nested in one of core's (a store under kvstore), or null for the applications on top. */
    private static Integer layerOf(String pkg) {
        for (String p = pkg; p.contains("."); p = p.substring(0, p.lastIndexOf('.'))) {
            if (LAYER.containsKey(p) && !p.equals("org.bigarrays")) return LAYER.get(p);
        }
        return null;
    }

    /** Package → the modules it is exported to (empty: to every module). */
    private static Map<String, Set<String>> coreExports(String moduleInfo) {
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher m = EXPORT.matcher(moduleInfo.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", ""));
        while (m.find()) {
            Set<String> to = new TreeSet<>();
            if (m.group(2) != null) for (String t : m.group(2).split(",")) to.add(t.strip());
            out.put(m.group(1), to);
        }
        assertTrue(out.containsKey("org.bigarrays.array"), "no exports read from core's module-info: " + out);
        return out;
    }

    /** The module's name from its module-info, or the one it would have ({@code org.bigarrays.<folder>}) when it runs on the class path. */
    private static String moduleName(Path module, String dir) throws IOException {
        Path info = module.resolve("src/main/module/module-info.java");
        if (!Files.exists(info)) return "org.bigarrays." + dir;
        Matcher m = Pattern.compile("module\\s+([\\w.]+)\\s*\\{").matcher(Files.readString(info));
        assertTrue(m.find(), "no module name in " + info);
        return m.group(1);
    }

    /** Every org.bigarrays class named in the constant pool: class entries and descriptors. */
    private static Set<String> referencedClasses(ClassModel m) {
        Set<String> out = new TreeSet<>();
        for (PoolEntry e : m.constantPool()) {
            if (e instanceof ClassEntry c) {
                String n = c.asInternalName();
                while (n.startsWith("[")) n = n.substring(1);
                if (n.startsWith("L") && n.endsWith(";")) n = n.substring(1, n.length() - 1);
                if (n.startsWith("org/bigarrays/")) out.add(n.replace('/', '.'));
            } else if (e instanceof java.lang.classfile.constantpool.Utf8Entry u) {
                Matcher mt = CLASS_NAME.matcher(u.stringValue());
                while (mt.find()) out.add(mt.group(1).replace('/', '.'));
            }
        }
        return out;
    }

    private static String pkg(String className) {
        String outer = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return outer.substring(0, outer.lastIndexOf('.'));
    }

    private static Path classesRoot() throws URISyntaxException {
        // target/classes: where Box (a main class) was loaded from.
        return Path.of(Box.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<Path> classFiles() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.walk(classesRoot())) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().equals("module-info.class")).toList();
            assertTrue(all.size() > 40, "expected the core library's classes under " + classesRoot() + ", found " + all.size());
            return all;
        }
    }
}
