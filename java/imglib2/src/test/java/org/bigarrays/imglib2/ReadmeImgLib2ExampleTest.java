package org.bigarrays.imglib2;

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
import org.bigarrays.array.BigArray;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ImgLib2 example, compiled as written and run against a temporary layer instead of {@code /data/em}. */
class ReadmeImgLib2ExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theImgLib2ExampleCompilesAndRuns() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolve("../../README.md").normalize();
        Matcher m = Pattern.compile("## ImgLib2[^\\n]*\\n.*?```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(readme));
        assertTrue(m.find(), "README.md has a java block under '## ImgLib2'");
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : m.group(1).split("\n")) {
            if (line.startsWith("import ")) imports.add(line);
            else body.append("        ").append(line).append('\n');
        }
        Path layer = tmp.resolve("em");
        Info info = Info.builder(DataType.UINT8, new long[] {128, 128, 64}, new long[] {64, 64, 32}).offset(-512, 0, 100).mips(2).build();
        try (BigArray a = BigArray.create(layer.toUri().toString(), info)) {
            assertEquals(2, a.info().scales().size());
        }
        String code = String.join("\n", imports) + "\n\npublic class ReadmeImgLib2Example {\n    public static void main(String[] args) throws Exception {\n"
                + body.toString().replace("file:///data/em", layer.toUri().toString()) + "    }\n}\n";
        Path src = tmp.resolve("src/ReadmeImgLib2Example.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README example compiles (javac output above)");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("ReadmeImgLib2Example").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        }
    }
}
