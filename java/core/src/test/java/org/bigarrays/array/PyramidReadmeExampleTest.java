package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Pyramids" example, compiled as written and run against a temporary layer (as {@link ReadmeExampleTest}). */
class PyramidReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void thePyramidExampleCompilesAndRuns() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolve("../../README.md").normalize();
        Matcher m = Pattern.compile("## Pyramids\\s+.*?```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(readme));
        assertTrue(m.find(), "README.md has a java block under '## Pyramids'");
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : m.group(1).split("\n")) {
            if (line.startsWith("import ")) imports.add(line);
            else body.append("        ").append(line).append('\n');
        }
        Path layer = tmp.resolve("em");
        try (BigArray a = BigArray.create(layer.toString(), Info.builder(DataType.UINT8, new long[] {256, 256, 64}, new long[] {64, 64, 64})
                .resolution(4, 4, 40).build())) {
            NdView v = a.read(a.bounds());
            v.fill(200);
            a.write(v);
        }
        String code = String.join("\n", imports) + "\n\npublic class PyramidExample {\n    public static void main(String[] args) throws Exception {\n"
                + body.toString().replace("\"/data/em\"", "\"" + layer + "\"") + "    }\n}\n";
        Path src = tmp.resolve("src/PyramidExample.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString()),
                "the README example compiles (javac output above)");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("PyramidExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        }
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals(5, a.info().scales().size());
            assertEquals("64_64_80", a.info().scale(4).key());
            assertEquals(200, a.mip(4).read(a.mip(4).bounds()).getAsLong(0, 0, 0));
        }
    }
}
