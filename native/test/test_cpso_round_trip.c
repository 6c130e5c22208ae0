/*
 * compresso in C: random label volumes (Voronoi-like cells, noise, labels at the top of the type
 * that need literal locations) round-trip for 1/2/4/8-byte labels and edge shapes; the encoder
 * stays within its bound and reports a short buffer instead of writing past it; truncated
 * streams are corrupt; mutated streams (bit flips, byte sets, header fields) give BA_OK or
 * BA_CORRUPT_INPUT and never touch memory outside the exact-size heap copies (run under
 * ASan/UBSan by build-native.sh); bad arguments are refused. Byte compatibility with CloudVolume
 * is checked from Java (CompressoFixtureTest).
 */
#include "test_util.h"

static void put(uint8_t *p, int w, uint64_t v) {
    switch (w) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t t = (uint16_t)v; memcpy(p, &t, 2); break; }
    case 4: { uint32_t t = (uint32_t)v; memcpy(p, &t, 4); break; }
    default: memcpy(p, &v, 8);
    }
}

static void volume(uint8_t *p, const int64_t *s, int w, int kind, int labels) {
    uint64_t max = w == 8 ? UINT64_MAX : (1ull << (8 * w)) - 1;
    int64_t seeds[64][3];
    uint64_t ids[64];
    int k = labels < 1 ? 1 : labels > 64 ? 64 : labels;
    for (int j = 0; j < k; j++) {
        for (int d = 0; d < 3; d++) seeds[j][d] = rnd_below(s[d]);
        ids[j] = rnd() & max;
    }
    for (int64_t z = 0, i = 0; z < s[2]; z++)
        for (int64_t y = 0; y < s[1]; y++)
            for (int64_t x = 0; x < s[0]; x++, i++) {
                uint64_t v;
                if (kind == 0) {
                    int best = 0;
                    int64_t bd = INT64_MAX;
                    for (int j = 0; j < k; j++) {
                        int64_t dx = x - seeds[j][0], dy = y - seeds[j][1], dz = 3 * (z - seeds[j][2]);
                        int64_t dd = dx * dx + dy * dy + dz * dz;
                        if (dd < bd) { bd = dd; best = j; }
                    }
                    v = ids[best];
                } else if (kind == 1) {
                    v = ids[rnd_below(k)];
                } else {
                    v = max - (uint64_t)rnd_below(10);
                }
                put(p + i * w, w, v);
            }
}

int main(void) {
    int accepted = 0, rejected = 0;
    for (int trial = 0; trial < 400; trial++) {
        int64_t shape[3] = {1 + rnd_below(24), 1 + rnd_below(24), 1 + rnd_below(7)};
        int w = 1 << rnd_below(4);
        int64_t n = shape[0] * shape[1] * shape[2], bytes = n * w;
        uint8_t *in = malloc((size_t)bytes), *back = malloc((size_t)bytes);
        volume(in, shape, w, (int)rnd_below(3), (int)(1 + rnd_below(40)));
        int64_t bound = -1, written = -1;
        CHECK(ba_cpso_encode_bound(shape, w, &bound) == BA_OK && bound > 36, "bound %lld", (long long)bound);
        uint8_t *enc = malloc((size_t)bound);
        int32_t r = ba_cpso_encode(in, bytes, shape, w, enc, bound, &written);
        CHECK(r == BA_OK && written >= 36 && written <= bound, "trial %d: encode %d, %lld of %lld bytes", trial, r, (long long)written, (long long)bound);
        CHECK(memcmp(enc, "cpso\x01", 5) == 0, "trial %d: header", trial);
        /* An exact-size copy, so ASan sees any read past the stream. */
        uint8_t *exact = malloc((size_t)written);
        memcpy(exact, enc, (size_t)written);
        CHECK(ba_cpso_decode(exact, written, shape, w, back, bytes) == BA_OK, "trial %d: decode", trial);
        CHECK(memcmp(in, back, (size_t)bytes) == 0, "trial %d: round trip differs", trial);

        uint8_t *tight = malloc((size_t)(written - 1));
        int64_t w2 = -1;
        CHECK(ba_cpso_encode(in, bytes, shape, w, tight, written - 1, &w2) == BA_INSUFFICIENT_SPACE, "trial %d: short buffer", trial);
        free(tight);

        for (int64_t cut = 0; cut < written; cut += 1 + cut / 8) {
            uint8_t *t = malloc((size_t)(cut ? cut : 1));
            memcpy(t, exact, (size_t)cut);
            CHECK(ba_cpso_decode(t, cut, shape, w, back, bytes) == BA_CORRUPT_INPUT, "trial %d: truncated to %lld accepted", trial, (long long)cut);
            free(t);
        }
        for (int m = 0; m < 60; m++) {
            uint8_t *t = malloc((size_t)written);
            memcpy(t, exact, (size_t)written);
            for (int k = 0; k < 1 + rnd_below(3); k++) {
                int64_t at = rnd_below(m < 20 ? (written < 36 ? written : 36) : written);
                if (rnd_below(2)) t[at] ^= (uint8_t)(1u << rnd_below(8));
                else t[at] = (uint8_t)rnd();
            }
            r = ba_cpso_decode(t, written, shape, w, back, bytes);
            CHECK(r == BA_OK || r == BA_CORRUPT_INPUT, "trial %d: mutation gave %d", trial, r);
            if (r == BA_OK) accepted++; else rejected++;
            free(t);
        }
        /* Another shape or width than the stream's. */
        int64_t other[3] = {shape[0], shape[1], shape[2] + 1};
        uint8_t *big = malloc((size_t)(bytes + n / shape[2] * w));
        CHECK(ba_cpso_decode(exact, written, other, w, big, bytes + n / shape[2] * w) == BA_CORRUPT_INPUT, "trial %d: other shape", trial);
        free(big);
        CHECK(ba_cpso_decode(exact, written, shape, w == 8 ? 4 : 8, back, bytes) != BA_OK, "trial %d: other width", trial);
        free(exact);
        free(enc);
        free(in);
        free(back);
    }
    CHECK(rejected > 0, "no mutation was rejected");

    /* Bad arguments: refused before anything is touched. */
    int64_t s[3] = {4, 4, 4}, big[3] = {65536, 1, 1}, zero[3] = {0, 4, 4};
    uint8_t buf[64 * 8] = {0}, enc[4096];
    int64_t wr = 0;
    CHECK(ba_cpso_decode(buf, 36, NULL, 4, buf, sizeof buf) == BA_BAD_ARGUMENT, "null shape");
    CHECK(ba_cpso_decode(buf, 36, s, 3, buf, sizeof buf) == BA_BAD_ARGUMENT, "width 3");
    CHECK(ba_cpso_decode(buf, 36, big, 1, buf, sizeof buf) == BA_BAD_ARGUMENT, "extent 65536");
    CHECK(ba_cpso_decode(buf, 36, zero, 1, buf, sizeof buf) == BA_BAD_ARGUMENT, "extent 0");
    CHECK(ba_cpso_decode(buf, 36, s, 8, buf, 64 * 8 - 1) == BA_INSUFFICIENT_SPACE, "short output");
    CHECK(ba_cpso_decode(NULL, 0, s, 1, buf, sizeof buf) == BA_CORRUPT_INPUT, "empty input");
    int64_t untouched = 12345;
    CHECK(ba_cpso_encode_bound(big, 1, &untouched) == BA_BAD_ARGUMENT && untouched == 12345, "bound of extent 65536");
    CHECK(ba_cpso_encode_bound(s, 1, NULL) == BA_BAD_ARGUMENT, "bound without a place to put it");
    CHECK(ba_cpso_encode(buf, 63, s, 1, enc, sizeof enc, &wr) == BA_OUT_OF_BOUNDS, "short input");
    CHECK(ba_cpso_encode(buf, 64, s, 1, enc, sizeof enc, NULL) == BA_BAD_ARGUMENT, "null written");
    printf("test_cpso_round_trip: ok (%d mutations decoded, %d rejected)\n", accepted, rejected);
    return 0;
}
