/*
 * compressed_segmentation in C: random chunks (few labels per block, as in segmentation, and
 * random ones) round-trip for uint32/uint64, 1-2 channels and odd block sizes; the encoder
 * stays within its bound and reports a short buffer instead of writing past it; damaged
 * encodings give BA_OK or BA_CORRUPT_INPUT and never touch memory outside the buffers (run
 * under ASan/UBSan by build-native.sh). Conformance with Neuroglancer/TensorStore byte vectors
 * is checked by cseg_check.py (ctest cseg_fixtures).
 */
#include "test_util.h"

static void random_labels(uint8_t *p, int64_t n, int wpv, int labels) {
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = labels ? (uint64_t)rnd_below(labels) * 0x10001ull + (rnd_below(4) == 0 ? 0 : 7) : rnd();
        if (wpv == 1) { uint32_t w = (uint32_t)v; memcpy(p + 4 * i, &w, 4); }
        else memcpy(p + 8 * i, &v, 8);
    }
}

int main(void) {
    for (int trial = 0; trial < 300; trial++) {
        int64_t shape[3] = {1 + rnd_below(20), 1 + rnd_below(20), 1 + rnd_below(12)};
        int32_t block[3] = {(int32_t)(1 + rnd_below(9)), (int32_t)(1 + rnd_below(9)), (int32_t)(1 + rnd_below(9))};
        int32_t channels = (int32_t)(1 + rnd_below(2)), wpv = (int32_t)(1 + rnd_below(2));
        int labels = trial % 5 == 0 ? 0 : (int)(1 + rnd_below(trial % 3 == 0 ? 300 : 6));
        int64_t n = shape[0] * shape[1] * shape[2] * channels, bytes = n * 4 * wpv;
        uint8_t *in = malloc((size_t)bytes), *back = malloc((size_t)bytes);
        random_labels(in, n, wpv, labels);
        int64_t bound = -1, written = -1;
        CHECK(ba_cseg_encode_bound(shape, channels, block, wpv, &bound) == BA_OK && bound > 0, "bound %lld", (long long)bound);
        uint8_t *enc = malloc((size_t)bound);
        int32_t r = ba_cseg_encode(in, bytes, shape, channels, block, wpv, enc, bound, &written);
        CHECK(r == BA_OK && written > 0 && written <= bound && written % 4 == 0, "trial %d: encode %d, %lld of %lld bytes", trial, r, (long long)written, (long long)bound);
        CHECK(ba_cseg_decode(enc, written, shape, channels, block, wpv, back, bytes) == BA_OK, "trial %d: decode", trial);
        CHECK(memcmp(in, back, (size_t)bytes) == 0, "trial %d: round trip differs", trial);

        /* A buffer one word short: reported, and nothing written past it (ASan watches the heap copy). */
        uint8_t *tight = malloc((size_t)(written - 4));
        int64_t w2 = -1;
        CHECK(ba_cseg_encode(in, bytes, shape, channels, block, wpv, tight, written - 4, &w2) == BA_INSUFFICIENT_SPACE, "trial %d: short buffer", trial);
        free(tight);
        /* An output too small for the chunk, and an input shorter than the chunk. */
        CHECK(ba_cseg_decode(enc, written, shape, channels, block, wpv, back, bytes - 1) == BA_INSUFFICIENT_SPACE, "short output");
        CHECK(ba_cseg_encode(in, bytes - 1, shape, channels, block, wpv, enc, bound, &w2) == BA_OUT_OF_BOUNDS, "short input");

        /* Damaged copies (bit flips, truncation) decode or are rejected; never crash. */
        for (int k = 0; k < 20; k++) {
            int64_t len = rnd_below(4) == 0 ? rnd_below(written + 1) : written;
            uint8_t *bad = malloc((size_t)(len ? len : 1));
            memcpy(bad, enc, (size_t)len);
            for (int f = 0; f < 3 && len > 0; f++) bad[rnd_below(len)] ^= (uint8_t)(1u << rnd_below(8));
            r = ba_cseg_decode(bad, len, shape, channels, block, wpv, back, bytes);
            CHECK(r == BA_OK || r == BA_CORRUPT_INPUT, "trial %d: damaged input gave %d", trial, r);
            free(bad);
        }
        free(in);
        free(back);
        free(enc);
    }
    /* Bad arguments: rejected before anything is read. */
    int64_t shape[3] = {4, 4, 4}, w = 0;
    int32_t block[3] = {2, 2, 2}, zero[3] = {0, 2, 2};
    uint8_t buf[1024] = {0};
    CHECK(ba_cseg_decode(buf, 16, shape, 1, zero, 1, buf, sizeof buf) == BA_BAD_ARGUMENT, "zero block");
    CHECK(ba_cseg_decode(buf, 16, shape, 0, block, 1, buf, sizeof buf) == BA_BAD_ARGUMENT, "no channels");
    CHECK(ba_cseg_decode(buf, 16, shape, 1, block, 3, buf, sizeof buf) == BA_BAD_ARGUMENT, "3 words per value");
    CHECK(ba_cseg_decode(buf, 6, shape, 1, block, 1, buf, sizeof buf) == BA_CORRUPT_INPUT, "not whole words");
    CHECK(ba_cseg_encode(buf, 256, shape, 1, block, 1, NULL, 100, &w) == BA_BAD_ARGUMENT, "null output");
    int64_t untouched = 12345;
    CHECK(ba_cseg_encode_bound(shape, 1, zero, 1, &untouched) == BA_BAD_ARGUMENT && untouched == 12345, "bound of a bad block");
    CHECK(ba_cseg_encode_bound(shape, 1, block, 1, NULL) == BA_BAD_ARGUMENT, "bound without a place to put it");
    printf("ok\n");
    return 0;
}
