package org.bigarrays.kvstore;

/**
 * The outcome of a write: whether it happened (false only when its condition was not met) and
 * the generation now stored ({@link Generation#UNKNOWN} where the store cannot tell).
 */
public record WriteResult(boolean written, String generation) {
    public static WriteResult written(String generation) {
        return new WriteResult(true, generation);
    }

    public static WriteResult conditionNotMet(String current) {
        return new WriteResult(false, current);
    }
}
