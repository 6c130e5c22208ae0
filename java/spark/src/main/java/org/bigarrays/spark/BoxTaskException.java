package org.bigarrays.spark;

import org.bigarrays.BigArraysException;

/**
 * A Spark task failed on its box: the message names the box and the layer, then the cause. What
 * the driver throws after Spark's retries are used up (bad input keeps its own type,
 * {@link org.bigarrays.InvalidInputException}, with the same message form).
 */
public class BoxTaskException extends BigArraysException {
    public BoxTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
