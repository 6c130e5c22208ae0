package org.bigarrays.bench.serveload;

/** The kinds of request the load test mixes, with their share of a mixed phase (weights). */
enum RequestClass {
    CHUNK("chunk GET", 40),
    CUTOUT_64("cutout 64³", 25),
    CUTOUT_128("cutout 128³", 20),
    CUTOUT_256("cutout 256³", 10),
    BATCH("batch 16×64³", 5);

    final String label;
    final int weight;

    RequestClass(String label, int weight) {
        this.label = label;
        this.weight = weight;
    }

    boolean isCutout() {
        return this == CUTOUT_64 || this == CUTOUT_128 || this == CUTOUT_256;
    }

    /** The edge of this class's cubic boxes (batch: of each box). */
    int edge() {
        return switch (this) {
            case CUTOUT_64, BATCH -> 64;
            case CUTOUT_128 -> 128;
            case CUTOUT_256 -> 256;
            case CHUNK -> 0;
        };
    }
}
