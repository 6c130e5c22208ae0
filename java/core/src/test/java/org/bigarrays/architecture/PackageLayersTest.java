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
 * The packages of the core library depend one way: array → chunk → precomputed → sharding →
 * codec → kvstore → core → nativ → the exceptions in {@code org.bigarrays}. (The C kernels'
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
            Map.entry("org.bigarrays.precomputed", 6),
            Map.entry("org.bigarrays.chunk", 7),
            Map.entry("org.bigarrays.array", 8),
            Map.entry("org.bigarrays.ingest", 9));
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
    private static final Set<String> SKIPPING_FORBIDDEN = Set.of("org.bigarrays.chunk->org.bigarrays.sharding");
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
