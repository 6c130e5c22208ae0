package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example is code a user copies: compile it as written (imports and all)
 * and run it against a temporary directory instead of {@code /data/em}.
 */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theLibraryExampleCompilesAndRuns() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolve("../../README.md").normalize();
        Matcher m = Pattern.compile("## Library\\s+```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(readme));
        assertTrue(m.find(), "README.md has a java block under '## Library'");
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : m.group(1).split("\n")) {
            if (line.startsWith("import ")) imports.add(line);
            else body.append("        ").append(line).append('\n');
        }
        Path layer = tmp.resolve("em");
        String code = String.join("\n", imports) + "\n\npublic class ReadmeExample {\n    public static void main(String[] args) throws Exception {\n"
                + body.toString().replace("file:///data/em", layer.toUri().toString()).replace("\"/data/em\"", "\"" + layer + "\"")
                + "    }\n}\n";
        Path src = tmp.resolve("src/ReadmeExample.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README example compiles (javac output above)");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("ReadmeExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        }
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals(255, a.read(org.bigarrays.core.Box.parse("-500,3,101:-499,4,102")).getAsLong(-500, 3, 101), "the voxel the example wrote");
            assertEquals(3, a.info().scales().size());
        }
        assertTrue(new File(layer.toFile(), "info").isFile());
    }

    @Test
    void theCacheAndStreamingExampleCompilesAndRuns() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolve("../../README.md").normalize();
        Matcher m = Pattern.compile("### The decoded-chunk cache in the library\\s+```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(readme));
        assertTrue(m.find(), "README.md has a java block under '### The decoded-chunk cache in the library'");
        Path layer = tmp.resolve("em");
        try (BigArray a = BigArray.create(layer.toString(), org.bigarrays.precomputed.Info.builder(org.bigarrays.core.DataType.UINT8,
                new long[] {300, 300, 64}, new long[] {64, 64, 64}).build())) {
            a.write(a.read(a.bounds()));
        }
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : m.group(1).split("\n")) {
            if (line.startsWith("import ")) imports.add(line);
            else body.append("        ").append(line).append('\n');
        }
        Path out = tmp.resolve("cutout.npy");
        String code = String.join("\n", imports) + "\n\npublic class ReadmeCacheExample {\n    public static void main(String[] args) throws Exception {\n"
                + body.toString().replace("\"/data/em\"", "\"" + layer + "\"").replace("\"/data/cutout.npy\"", "\"" + out + "\"")
                + "    }\n}\n";
        Path src = tmp.resolve("src2/ReadmeCacheExample.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(tmp.resolve("classes2"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README cache example compiles (javac output above)");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("ReadmeCacheExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        }
        assertEquals(NpyHeader.of(org.bigarrays.core.DataType.UINT8, new long[] {512, 512, 64, 1}).length + 512L * 512 * 64, Files.size(out));
    }
}
