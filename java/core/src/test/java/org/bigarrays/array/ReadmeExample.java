package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;

/**
 * A README example is code a user copies: this compiles a java block of the README as written
 * (imports and all, the rest as the body of a {@code main} method) and runs it, with the paths
 * it names replaced by the test's own. Shared by every module's README example test.
 */
public final class ReadmeExample {
    private ReadmeExample() {}

    /** The first java block after the heading matched by {@code heading} (a regex), from the module's ../../README.md. */
    public static String block(String heading) throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).resolve("../../README.md").normalize();
        Matcher m = Pattern.compile(heading + ".*?```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(readme));
        assertTrue(m.find(), "README.md has a java block under '" + heading + "'");
        return m.group(1);
    }

    /**
     * Compile {@code block} as class {@code className} (in a new folder under {@code work}), each
     * key of {@code replace} in its body replaced by its value, and run its main method.
     */
    public static void compileAndRun(String block, Map<String, String> replace, Path work, String className) throws Exception {
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n")) {
            if (line.startsWith("import ")) imports.add(line);
            else body.append("        ").append(line).append('\n');
        }
        String b = body.toString();
        for (var r : replace.entrySet()) b = b.replace(r.getKey(), r.getValue());
        String code = String.join("\n", imports) + "\n\npublic class " + className + " {\n    public static void main(String[] args) throws Exception {\n"
                + b + "    }\n}\n";
        Path dir = Files.createDirectories(work.resolve("readme-" + className));
        Path src = dir.resolve(className + ".java");
        Files.writeString(src, code);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README example " + className + " compiles (javac output above)");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeExample.class.getClassLoader())) {
            loader.loadClass(className).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        }
    }
}
