package org.bigarrays.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bigarrays.core.Box;
import org.junit.jupiter.api.Test;

/**
 * The core module's descriptor exports the API packages only (the rest go by name to the modules
 * that need them), and no public signature in an exported package mentions Jackson or a type of
 * a package not exported to everyone: a pipeline
 * that uses BigArrays on the module path sees a small, self-contained API.
 */
class ModuleDescriptorTest {
    /** Exported to everyone: codec, sharding, downsample and chunk only because API signatures name some of their types. */
    private static final Set<String> API = Set.of("org.bigarrays", "org.bigarrays.core", "org.bigarrays.kvstore", "org.bigarrays.precomputed",
            "org.bigarrays.array", "org.bigarrays.codec", "org.bigarrays.sharding", "org.bigarrays.downsample", "org.bigarrays.chunk");

    @Test
    void exportsExactlyTheApiPackages() throws Exception {
        ModuleDescriptor d = descriptor();
        assertEquals("org.bigarrays.core", d.name());
        Set<String> open = d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(API), open);
        assertTrue(d.exports().stream().filter(e -> e.source().equals("org.bigarrays.kvstore.remote")).allMatch(e -> e.targets().equals(Set.of("org.bigarrays.s3", "org.bigarrays.gcs"))),
                "the remote-store plumbing is shared with the store modules only");
        assertTrue(d.requires().stream().noneMatch(r -> r.name().startsWith("software.amazon") || r.name().equals("info.picocli")),
                "no cloud SDK or CLI dependency: " + d.requires());
    }

    @Test
    void publicSignaturesOfExportedPackagesUseNoHiddenTypes() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : exportedPublicClasses()) {
            List<Type> types = new ArrayList<>();
            for (Method m : c.getMethods()) if (m.getDeclaringClass() == c) addSignature(m, types);
            for (var k : c.getConstructors()) addSignature(k, types);
            for (Field f : c.getFields()) if (f.getDeclaringClass() == c) types.add(f.getGenericType());
            if (c.getGenericSuperclass() != null) types.add(c.getGenericSuperclass());
            types.addAll(List.of(c.getGenericInterfaces()));
            for (Type t : types) {
                String n = t.getTypeName();
                if (n.contains("com.fasterxml") || hiddenBigArraysType(n)) leaks.add(c.getName() + ": " + n);
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** Whether a type name mentions a BigArrays type of a package not exported to everyone (a module-path user could not name it). */
    private static boolean hiddenBigArraysType(String typeName) {
        var m = java.util.regex.Pattern.compile("org\\.bigarrays(?:\\.[a-z]+)*(?=\\.[A-Z])").matcher(typeName);
        while (m.find()) if (!API.contains(m.group())) return true;
        return false;
    }

    private static void addSignature(Executable e, List<Type> into) {
        if (!Modifier.isPublic(e.getModifiers())) return;
        into.addAll(List.of(e.getGenericParameterTypes()));
        into.addAll(List.of(e.getGenericExceptionTypes()));
        if (e instanceof Method m) into.add(m.getGenericReturnType());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        try (InputStream in = Files.newInputStream(classesRoot().resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    private static Path classesRoot() throws Exception {
        return Path.of(Box.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<Class<?>> exportedPublicClasses() throws Exception {
        Path root = classesRoot();
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".class") && !x.getFileName().toString().equals("module-info.class")).toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                String pkg = name.substring(0, name.lastIndexOf('.'));
                if (!API.contains(pkg)) continue;
                Class<?> c = Class.forName(name, false, ModuleDescriptorTest.class.getClassLoader());
                if (Modifier.isPublic(c.getModifiers()) && (c.getEnclosingClass() == null || Modifier.isPublic(c.getEnclosingClass().getModifiers()))) out.add(c);
            }
        }
        assertTrue(out.size() > 30, "found the exported classes: " + out.size());
        return out;
    }
}
