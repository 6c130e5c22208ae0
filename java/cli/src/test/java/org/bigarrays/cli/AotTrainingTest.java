package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

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
}
