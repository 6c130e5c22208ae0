package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's AOT training run must exercise every step without failing (else no cache is made). */
class AotTrainingTest {
    @Test
    void everyTrainingStepSucceeds() throws Exception {
        assertEquals(0, AotTraining.train());
    }

    @Test
    void theS3StepsSucceedAgainstTheLocalStandIn() throws Exception {
        assertEquals(0, AotTraining.train(true));
    }

    /** The read cache's two runs: {@code prepare DIR} in one JVM, {@code read DIR} in the recording one. */
    @Test
    void theReadStepsSucceedOnTheLayersThePreparationWrote(@TempDir Path dir) throws Exception {
        assertEquals(0, AotTraining.runSteps(AotTraining.writeSteps(dir)));
        for (String layer : new String[] {"demo/raw", "demo/gzip", "zstd", "labels"}) {
            assertTrue(Files.isRegularFile(dir.resolve(layer).resolve("info")), layer);
        }
        assertEquals(0, AotTraining.runSteps(AotTraining.readSteps(dir)));
        assertTrue(Files.size(dir.resolve("cut.npy")) > 64L * 64 * 64, "the last cutout wrote its .npy");
    }

    /** A failing step stops the run with its exit code: the launcher then keeps no cache. */
    @Test
    void aFailingReadStepFailsTheTraining(@TempDir Path dir) throws Exception {
        assertEquals(2, AotTraining.runSteps(AotTraining.readSteps(dir))); // nothing prepared: no layer there
    }
}
