/*
 * png through libspng: planar chunks of 1-4 channels, 8 and 16 bits, round-trip at every level's
 * extremes; the decoder refuses an image of another size, channel count or bit depth, every
 * truncation and random byte damage with BA_CORRUPT_INPUT (or, for damage libspng cannot see
 * with the CRCs off, BA_OK) and never touches memory outside the exact-size heap copies (run
 * under ASan/UBSan by build-native.sh); short buffers and bad arguments are refused.
 * Exits 77 (skipped, see CMakeLists.txt) when libspng.so.0 is not installed.
 */
#include "test_util.h"

static uint8_t *encode(const uint8_t *chunk, int w, int h, int c, int depth, int level, int64_t *n) {
    int64_t cap = 2 * (int64_t)w * h * c * (depth / 8) + 65536;
    uint8_t *out = malloc((size_t)cap);
    CHECK(out, "malloc");
    ba_result r = ba_png_encode(chunk, (int64_t)w * h * c * (depth / 8), w, h, c, depth, level, out, cap, n);
    CHECK(r == BA_OK, "encode %dx%d c%d %d-bit level %d: %d", w, h, c, depth, level, r);
    uint8_t *exact = malloc((size_t)*n);
    memcpy(exact, out, (size_t)*n);
    free(out);
    return exact;
}

static ba_result decode(const uint8_t *png, int64_t n, int w, int h, int c, int depth, int crc, uint8_t *out, int64_t out_n) {
    char err[160];
    uint8_t *in = malloc((size_t)(n ? n : 1));
    memcpy(in, png, (size_t)n);
    ba_result r = ba_png_decode(in, n, w, h, c, depth, crc, out, out_n, err, sizeof err);
    free(in);
    return r;
}

static void round_trip(int w, int h, int c, int depth, int level, int smooth) {
    int64_t bytes = (int64_t)w * h * c * (depth / 8);
    uint8_t *chunk = malloc((size_t)bytes), *back = malloc((size_t)bytes);
    if (smooth) {
        for (int64_t i = 0; i < bytes; i++) chunk[i] = (uint8_t)((i / 7) ^ (i >> 9));
    } else {
        fill_random(chunk, bytes);
    }
    int64_t n;
    uint8_t *png = encode(chunk, w, h, c, depth, level, &n);
    memset(back, 0xAB, (size_t)bytes);
    CHECK(decode(png, n, w, h, c, depth, 1, back, bytes) == BA_OK, "decode %dx%d c%d %d-bit", w, h, c, depth);
    CHECK(memcmp(chunk, back, (size_t)bytes) == 0, "round trip %dx%d c%d %d-bit level %d differs", w, h, c, depth, level);

    /* Another size, channel count or depth than the header's: refused. */
    CHECK(decode(png, n, w + 1, h, c, depth, 1, back, bytes * 2) == BA_CORRUPT_INPUT, "wider");
    CHECK(decode(png, n, w, h + 1, c, depth, 1, back, bytes * 2) == BA_CORRUPT_INPUT, "taller");
    CHECK(decode(png, n, w, h, c % 4 + 1, depth, 1, back, bytes * 4) == BA_CORRUPT_INPUT, "channels");
    CHECK(decode(png, n, w, h, c, 24 - depth, 1, back, bytes * 2) == BA_CORRUPT_INPUT, "depth");
    CHECK(decode(png, n, w, h, c, depth, 1, back, bytes - 1) == BA_INSUFFICIENT_SPACE, "short output");

    /* Every truncation inside the image data is corrupt (libspng stops at the end of the zlib
     * stream, before the last IDAT's CRC and IEND: PngHeader checks those from Java). */
    for (int64_t k = 0; k < n - 16; k += 1 + k / 64) {
        ba_result r = decode(png, k, w, h, c, depth, 1, back, bytes);
        CHECK(r == BA_CORRUPT_INPUT, "truncated to %lld of %lld: %d", (long long)k, (long long)n, r);
    }
    /* Random damage, CRCs on and off: an error or (CRCs off) some image, never a crash. */
    uint8_t *bad = malloc((size_t)n);
    for (int t = 0; t < 300; t++) {
        memcpy(bad, png, (size_t)n);
        for (int j = 0, m = 1 + (int)rnd_below(4); j < m; j++) bad[rnd_below(n)] ^= (uint8_t)(1 + rnd_below(255));
        int crc = t & 1;
        ba_result r = decode(bad, n, w, h, c, depth, crc, back, bytes);
        CHECK(r == BA_OK || r == BA_CORRUPT_INPUT, "damaged: %d", r);
    }
    free(bad);
    free(png);
    free(chunk);
    free(back);
}

int main(void) {
    if (!ba_png_available()) {
        fprintf(stderr, "libspng.so.0 is not loaded: skipped\n");
        return 77;
    }
    CHECK(ba_png_library() != NULL, "version string");
    for (int c = 1; c <= 4; c++)
        for (int depth = 8; depth <= 16; depth += 8) {
            round_trip(64, 64 * 4, c, depth, 6, c & 1);
            round_trip(7, 3 * 5, c, depth, c == 2 ? 0 : 9, 0);
            round_trip(1, 1, c, depth, 1, 1);
        }
    /* Bad arguments: nothing is read or written. */
    uint8_t b[16] = {0};
    int64_t n = 0;
    char err[8];
    CHECK(ba_png_decode(NULL, 0, 1, 1, 1, 8, 1, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "null in");
    CHECK(ba_png_decode(b, 16, 0, 1, 1, 8, 1, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "zero width");
    CHECK(ba_png_decode(b, 16, 1, 1, 5, 8, 1, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "5 channels");
    CHECK(ba_png_decode(b, 16, 1, 1, 1, 12, 1, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "12 bits");
    CHECK(ba_png_decode(b, 16, 65536, 65536, 4, 16, 1, b, 16, err, sizeof err) == BA_INSUFFICIENT_SPACE, "huge");
    CHECK(ba_png_decode(b, 16, 1, 1, 1, 8, 1, b, 16, err, sizeof err) == BA_CORRUPT_INPUT, "not a png");
    CHECK(ba_png_encode(b, 16, 4, 4, 1, 8, 10, b, 16, &n) == BA_BAD_ARGUMENT, "level 10");
    CHECK(ba_png_encode(b, 15, 4, 4, 1, 8, 6, b, 16, &n) == BA_OUT_OF_BOUNDS, "short input");
    CHECK(ba_png_encode(b, 16, 4, 4, 1, 8, 6, b, 16, &n) == BA_INSUFFICIENT_SPACE, "short output");
    puts("png round trip: ok");
    return 0;
}
