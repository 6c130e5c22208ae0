/*
 * compressed_segmentation decoded by sub-box into a strided destination (ba_cseg_decode_box):
 * for random chunks (uint32/uint64, 1-2 channels, odd block sizes), random sub-boxes and padded
 * destination layouts, every voxel equals the whole-chunk decode's and no byte outside the
 * destination box changes; damaged encodings give BA_OK or BA_CORRUPT_INPUT and never touch
 * memory outside the buffers (ASan/UBSan under build-native.sh); bad boxes and short
 * destinations are refused before anything is written.
 */
#include "test_util.h"

static void random_labels(uint8_t *p, int64_t n, int wpv, int labels) {
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = labels ? (uint64_t)rnd_below(labels) * 0x10001ull + 3 : rnd();
        if (wpv == 1) { uint32_t w = (uint32_t)v; memcpy(p + 4 * i, &w, 4); }
        else memcpy(p + 8 * i, &v, 8);
    }
}

int main(void) {
    for (int trial = 0; trial < 300; trial++) {
        int64_t shape[3] = {1 + rnd_below(20), 1 + rnd_below(20), 1 + rnd_below(12)};
        int32_t block[3] = {(int32_t)(1 + rnd_below(9)), (int32_t)(1 + rnd_below(9)), (int32_t)(1 + rnd_below(9))};
        int32_t channels = (int32_t)(1 + rnd_below(2)), wpv = (int32_t)(1 + rnd_below(2));
        const int64_t vs = 4 * wpv;
        int labels = trial % 5 == 0 ? 0 : (int)(1 + rnd_below(trial % 3 == 0 ? 300 : 6));
        int64_t n = shape[0] * shape[1] * shape[2] * channels, bytes = n * vs;
        uint8_t *in = malloc((size_t)bytes), *whole = malloc((size_t)bytes);
        random_labels(in, n, wpv, labels);
        int64_t bound = -1, written = -1;
        CHECK(ba_cseg_encode_bound(shape, channels, block, wpv, &bound) == BA_OK, "bound");
        uint8_t *enc = malloc((size_t)bound);
        CHECK(ba_cseg_encode(in, bytes, shape, channels, block, wpv, enc, bound, &written) == BA_OK, "encode");
        CHECK(ba_cseg_decode(enc, written, shape, channels, block, wpv, whole, bytes) == BA_OK, "decode");

        for (int k = 0; k < 8; k++) {
            int64_t lo[3], sh[3], pad[3];
            for (int d = 0; d < 3; d++) {
                lo[d] = k == 0 ? 0 : rnd_below(shape[d]);
                sh[d] = k == 0 ? shape[d] : 1 + rnd_below(shape[d] - lo[d]);
                pad[d] = rnd_below(3);
            }
            /* Fortran order with padding per axis, channel slowest, and an offset. */
            int64_t strides[4];
            strides[0] = vs * (1 + (rnd_below(4) == 0));
            strides[1] = strides[0] * (sh[0] + pad[0]);
            strides[2] = strides[1] * (sh[1] + pad[1]);
            strides[3] = strides[2] * (sh[2] + pad[2]);
            int64_t offset = rnd_below(16);
            /* Exactly up to the last byte written: one byte less must be refused. */
            int64_t size = offset + (sh[0] - 1) * strides[0] + (sh[1] - 1) * strides[1] + (sh[2] - 1) * strides[2] + (channels - 1) * strides[3] + vs;
            uint8_t *dst = malloc((size_t)size), *want = malloc((size_t)size);
            memset(dst, 0xA5, (size_t)size);
            memset(want, 0xA5, (size_t)size);
            for (int32_t c = 0; c < channels; c++)
                for (int64_t z = 0; z < sh[2]; z++)
                    for (int64_t y = 0; y < sh[1]; y++)
                        for (int64_t x = 0; x < sh[0]; x++) {
                            int64_t src = ((((int64_t)c * shape[2] + lo[2] + z) * shape[1] + lo[1] + y) * shape[0] + lo[0] + x) * vs;
                            memcpy(want + offset + x * strides[0] + y * strides[1] + z * strides[2] + c * strides[3], whole + src, (size_t)vs);
                        }
            int32_t r = ba_cseg_decode_box(enc, written, shape, channels, block, wpv, lo, sh, dst, size, offset, strides);
            CHECK(r == BA_OK, "trial %d box %d: %d", trial, k, r);
            CHECK(memcmp(dst, want, (size_t)size) == 0, "trial %d box %d: voxels or bytes outside the box differ", trial, k);
            /* A destination one byte short, and a box past the chunk: refused, nothing written. */
            memset(dst, 0xA5, (size_t)size);
            CHECK(ba_cseg_decode_box(enc, written, shape, channels, block, wpv, lo, sh, dst, size - 1, offset, strides) == BA_OUT_OF_BOUNDS, "short dst");
            int64_t far[3] = {lo[0] + 1, lo[1], lo[2]}, big[3] = {shape[0] - lo[0], sh[1], sh[2]};
            CHECK(ba_cseg_decode_box(enc, written, shape, channels, block, wpv, far, big, dst, size, offset, strides) == BA_OUT_OF_BOUNDS, "box past the chunk");
            for (int64_t i = 0; i < size; i++) CHECK(dst[i] == 0xA5, "refused call wrote byte %lld", (long long)i);
            /* Damaged copies decode or are rejected; never crash, never write outside the box. */
            for (int f = 0; f < 6; f++) {
                int64_t len = rnd_below(4) == 0 ? rnd_below(written + 1) : written;
                uint8_t *bad = malloc((size_t)(len ? len : 1));
                memcpy(bad, enc, (size_t)len);
                for (int b = 0; b < 3 && len > 0; b++) bad[rnd_below(len)] ^= (uint8_t)(1u << rnd_below(8));
                r = ba_cseg_decode_box(bad, len, shape, channels, block, wpv, lo, sh, dst, size, offset, strides);
                CHECK(r == BA_OK || r == BA_CORRUPT_INPUT, "trial %d: damaged input gave %d", trial, r);
                free(bad);
            }
            free(dst);
            free(want);
        }
        free(in);
        free(whole);
        free(enc);
    }
    int64_t shape[3] = {4, 4, 4}, lo[3] = {0, 0, 0}, sh[3] = {4, 4, 4}, neg[4] = {-8, 32, 128, 512}, st[4] = {8, 32, 128, 512};
    int32_t block[3] = {2, 2, 2};
    uint8_t buf[1024] = {0};
    CHECK(ba_cseg_decode_box(buf, 16, shape, 1, block, 2, lo, sh, buf, sizeof buf, 0, neg) == BA_BAD_ARGUMENT, "negative stride");
    CHECK(ba_cseg_decode_box(buf, 16, shape, 1, block, 2, lo, sh, buf, sizeof buf, -1, st) == BA_BAD_ARGUMENT, "negative offset");
    CHECK(ba_cseg_decode_box(buf, 16, shape, 1, block, 2, lo, NULL, buf, sizeof buf, 0, st) == BA_BAD_ARGUMENT, "no box");
    printf("ok\n");
    return 0;
}
