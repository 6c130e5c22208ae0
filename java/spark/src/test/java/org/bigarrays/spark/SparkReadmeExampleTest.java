package org.bigarrays.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.ToolProvider;
import org.bigarrays.array.ReadmeExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's mapBoxes example compiles as written (running it needs an S3 bucket; SparkJobsTest runs the same kind of job). */
class SparkReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theMapBoxesExampleCompiles() throws Exception {
        String block = ReadmeExample.block("## Ingest and Spark");
        String code = "import org.apache.spark.api.java.JavaSparkContext;\nimport org.bigarrays.core.NdView;\nimport org.bigarrays.spark.BigArraysSpark;\n\n"
                + "public class SparkReadmeExample {\n    static void run(JavaSparkContext sc) {\n" + block + "    }\n}\n";
        Path src = tmp.resolve("SparkReadmeExample.java");
        Files.writeString(src, code);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", tmp.resolve("classes").toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README's Spark example compiles (javac output above):\n" + code);
    }
}
