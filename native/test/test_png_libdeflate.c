/*
 * ba_png_decode_libdeflate against the image it was made from and against ba_png_decode
 * (libspng): hand-made pngs whose rows use every filter type (0-4, chosen at random per row),
 * stored in uncompressed deflate blocks cut into random IDATs, 1-4 channels, 8 and 16 bits, odd
 * widths; and libspng's own files. Damage (bad filter byte, zlib stream too short, too long or
 * followed by bytes, truncations, random flips) gives BA_CORRUPT_INPUT and leaves out untouched,
 * never a crash (ASan/UBSan in build-native.sh). Exits 77 (skipped) without libspng or libdeflate.
 */
#include "test_util.h"

static uint32_t crc_table[256];

static uint32_t crc32_of(const uint8_t *p, size_t n) {
    if (!crc_table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint8_t *put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *chunk(uint8_t *p, const char *type, const uint8_t *data, uint32_t n) {
    p = put32(p, n);
    memcpy(p, type, 4);
    if (n) memcpy(p + 4, data, n);
    uint32_t crc = crc32_of(p, n + 4);
    return put32(p + 4 + n, crc);
}

/* zlib stream of n bytes in stored blocks (deflate without compression), plus `extra` bytes after it. */
static uint8_t *zlib_stored(const uint8_t *d, size_t n, size_t extra, size_t *out_n) {
    uint8_t *z = malloc(6 + n + 5 * (n / 65535 + 1) + extra), *p = z;
    *p++ = 0x78, *p++ = 0x01;
    size_t i = 0;
    do {
        size_t m = n - i < 65535 ? n - i : 65535;
        *p++ = i + m == n;
        *p++ = (uint8_t)m, *p++ = (uint8_t)(m >> 8), *p++ = (uint8_t)~m, *p++ = (uint8_t)(~m >> 8);
        memcpy(p, d + i, m);
        p += m, i += m;
    } while (i < n);
    uint32_t a = 1, b = 0;
    for (i = 0; i < n; i++) a = (a + d[i]) % 65521, b = (b + a) % 65521;
    p = put32(p, b << 16 | a);
    for (i = 0; i < extra; i++) *p++ = (uint8_t)i;
    *out_n = (size_t)(p - z);
    return z;
}

static int paeth(int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* A png of the planar chunk (16-bit samples in host order) with random filters per row;
 * `rows_delta` rows more or fewer in the zlib data, `bad_row` >= 0 gets filter type 5. */
static uint8_t *make_png(const uint8_t *chunk_data, int w, int h, int c, int depth, int rows_delta, int bad_row, size_t extra,
                         size_t *png_n) {
    size_t bps = (size_t)depth / 8, bpp = (size_t)c * bps, rb = (size_t)w * bpp, plane = (size_t)w * h * bps;
    int rows = h + rows_delta;
    uint8_t *img = calloc((size_t)(rows + 1) * rb, 1), *raw = malloc((size_t)rows * (rb + 1) + 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++) {
                const uint8_t *s = chunk_data + k * plane + ((size_t)y * w + x) * bps;
                uint8_t *d = img + (size_t)y * rb + x * bpp + k * bps;
                if (bps == 1) {
                    d[0] = s[0];
                } else {
                    uint16_t v;
                    memcpy(&v, s, 2);
                    d[0] = (uint8_t)(v >> 8), d[1] = (uint8_t)v;
                }
            }
    for (int y = 0; y < rows; y++) {
        const uint8_t *r = img + (size_t)y * rb, *p = y ? r - rb : NULL;
        uint8_t *o = raw + (size_t)y * (rb + 1);
        int f = (int)rnd_below(5);
        o[0] = (uint8_t)(y == bad_row ? 5 : f);
        for (size_t i = 0; i < rb; i++) {
            int a = i >= bpp ? r[i - bpp] : 0, b = p ? p[i] : 0, cc = p && i >= bpp ? p[i - bpp] : 0;
            int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) >> 1 : paeth(a, b, cc);
            o[1 + i] = (uint8_t)(r[i] - pred);
        }
    }
    size_t zn;
    uint8_t *z = zlib_stored(raw, (size_t)rows * (rb + 1), extra, &zn);
    uint8_t *png = malloc(8 + 25 + zn + 12 * (zn + 1) + 12), *p = png;
    memcpy(p, "\x89PNG\r\n\x1a\n", 8);
    p += 8;
    static const uint8_t types[] = {0, 4, 2, 6};
    uint8_t ihdr[13];
    put32(ihdr, (uint32_t)w), put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = (uint8_t)depth, ihdr[9] = types[c - 1], ihdr[10] = ihdr[11] = ihdr[12] = 0;
    p = chunk(p, "IHDR", ihdr, 13);
    for (size_t i = 0; i < zn;) { /* IDATs of random sizes, some empty */
        size_t m = rnd_below(3) == 0 ? zn - i : (size_t)rnd_below((int64_t)(zn - i) + 1);
        p = chunk(p, "IDAT", z + i, (uint32_t)m);
        i += m;
    }
    p = chunk(p, "IEND", NULL, 0);
    *png_n = (size_t)(p - png);
    free(z), free(raw), free(img);
    return png;
}

static ba_result fast(const uint8_t *png, size_t n, int w, int h, int c, int depth, uint8_t *out, int64_t out_n) {
    char err[160] = {0};
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, png, n);
    ba_result r = ba_png_decode_libdeflate(in, (int64_t)n, w, h, c, depth, out, out_n, err, sizeof err);
    CHECK(r == BA_OK || r == BA_INSUFFICIENT_SPACE || err[0], "no reason for result %d", r);
    free(in);
    return r;
}

static void check_image(int w, int h, int c, int depth) {
    int64_t bytes = (int64_t)w * h * c * (depth / 8);
    uint8_t *data = malloc((size_t)bytes), *back = malloc((size_t)bytes), *spng = malloc((size_t)bytes);
    fill_random(data, bytes);
    size_t n;
    uint8_t *png = make_png(data, w, h, c, depth, 0, -1, 0, &n);
    memset(back, 0xAB, (size_t)bytes);
    CHECK(fast(png, n, w, h, c, depth, back, bytes) == BA_OK, "decode %dx%d c%d %d-bit", w, h, c, depth);
    CHECK(memcmp(data, back, (size_t)bytes) == 0, "%dx%d c%d %d-bit differs from the image", w, h, c, depth);
    char err[160];
    CHECK(ba_png_decode(png, (int64_t)n, w, h, c, depth, 1, spng, bytes, err, sizeof err) == BA_OK, "libspng: %s", err);
    CHECK(memcmp(spng, back, (size_t)bytes) == 0, "%dx%d c%d %d-bit differs from libspng", w, h, c, depth);

    /* Damage: out stays as it was. */
    memset(back, 0xAB, (size_t)bytes);
    uint8_t *bad;
    size_t bn;
    struct { int rows_delta, bad_row; size_t extra; const char *what; } cases[] = {
        {-1, -1, 0, "a row short"}, {1, -1, 0, "a row long"}, {0, (int)rnd_below(h), 0, "filter type 5"}, {0, -1, 3, "bytes after the zlib stream"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (h + cases[k].rows_delta < 1) continue;
        bad = make_png(data, w, h, c, depth, cases[k].rows_delta, cases[k].bad_row, cases[k].extra, &bn);
        CHECK(fast(bad, bn, w, h, c, depth, back, bytes) == BA_CORRUPT_INPUT, "%s not refused", cases[k].what);
        free(bad);
    }
    CHECK(fast(png, n, w + 1, h, c, depth, back, 2 * bytes + 64) == BA_CORRUPT_INPUT, "wider");
    CHECK(fast(png, n, w, h, c % 4 + 1, depth, back, 4 * bytes) == BA_CORRUPT_INPUT, "channels");
    CHECK(fast(png, n, w, h, c, 24 - depth, back, 2 * bytes) == BA_CORRUPT_INPUT, "depth");
    CHECK(fast(png, n, w, h, c, depth, back, bytes - 1) == BA_INSUFFICIENT_SPACE, "short output");
    for (size_t k = 0; k < n; k += 1 + k / 32) CHECK(fast(png, k, w, h, c, depth, back, bytes) == BA_CORRUPT_INPUT, "truncated to %zu", k);
    bad = malloc(n);
    for (int t = 0; t < 200; t++) { /* random flips (the CRCs are the caller's): an error or some image */
        memcpy(bad, png, n);
        for (int j = 0, m = 1 + (int)rnd_below(4); j < m; j++) bad[rnd_below((int64_t)n)] ^= (uint8_t)(1 + rnd_below(255));
        ba_result r = fast(bad, n, w, h, c, depth, back, bytes);
        CHECK(r == BA_OK || r == BA_CORRUPT_INPUT || r == BA_BAD_ARGUMENT, "damaged: %d", r);
    }
    memset(back, 0xAB, (size_t)bytes);
    memcpy(bad, png, n);
    bad[8 + 8 + 12] = 1; /* interlaced: not taken */
    CHECK(fast(bad, n, w, h, c, depth, back, bytes) == BA_BAD_ARGUMENT, "interlaced taken");
    for (int64_t i = 0; i < bytes; i++) CHECK(back[i] == 0xAB, "a refused decode wrote out");
    free(bad);

    /* libspng's own file (Sub and Up, compressed). */
    int64_t cap = 2 * bytes + 65536, pn;
    uint8_t *enc = malloc((size_t)cap);
    CHECK(ba_png_encode(data, bytes, w, h, c, depth, 6, enc, cap, &pn) == BA_OK, "encode");
    CHECK(fast(enc, (size_t)pn, w, h, c, depth, back, bytes) == BA_OK, "libspng's file");
    CHECK(memcmp(data, back, (size_t)bytes) == 0, "libspng's file differs");
    free(enc), free(png), free(data), free(back), free(spng);
}

int main(void) {
    if (!ba_png_available() || !ba_png_libdeflate_available()) {
        fprintf(stderr, "libspng.so.0 or libdeflate.so.0 is not loaded: skipped\n");
        return 77;
    }
    for (int c = 1; c <= 4; c++)
        for (int depth = 8; depth <= 16; depth += 8) {
            check_image(64, 64 * 3, c, depth);
            check_image(7, 13, c, depth);
            check_image(1, 1, c, depth);
            check_image(301, 2, c, depth);
        }
    char err[8];
    uint8_t b[16] = {0};
    CHECK(ba_png_decode_libdeflate(NULL, 0, 1, 1, 1, 8, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "null in");
    CHECK(ba_png_decode_libdeflate(b, 16, 0, 1, 1, 8, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "zero width");
    CHECK(ba_png_decode_libdeflate(b, 16, 1, 1, 5, 8, b, 16, err, sizeof err) == BA_BAD_ARGUMENT, "5 channels");
    CHECK(ba_png_decode_libdeflate(b, 16, 65536, 65536, 4, 16, b, 16, err, sizeof err) == BA_INSUFFICIENT_SPACE, "huge");
    CHECK(ba_png_decode_libdeflate(b, 16, 1, 1, 1, 8, b, 16, err, sizeof err) == BA_CORRUPT_INPUT, "not a png");
    puts("png libdeflate: ok");
    return 0;
}
