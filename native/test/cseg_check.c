/* Command-line driver of the compressed_segmentation codec for cseg_check.py (ctest cseg_fixtures):
 *   cseg_check enc IN OUT sx sy sz channels bx by bz wpv   -> encodes IN (raw) to OUT
 *   cseg_check dec IN OUT sx sy sz channels bx by bz wpv   -> decodes IN to OUT (channels 0 = one channel, no header)
 * Exit status: 0 ok, 1 corrupt, 2 other error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bigarrays.h"

static uint8_t *slurp(const char *p, int64_t *n) {
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* 4 spare bytes: a single channel gets a header word in front (see below). */
    uint8_t *b = malloc((size_t)len + 4);
    *n = (int64_t)fread(b + 4, 1, (size_t)len, f);
    fclose(f);
    return b;
}

int main(int argc, char **argv) {
    if (argc != 12) return 2;
    int64_t shape[3] = {atoll(argv[4]), atoll(argv[5]), atoll(argv[6])};
    int32_t channels = atoi(argv[7]);
    int32_t block[3] = {atoi(argv[8]), atoi(argv[9]), atoi(argv[10])};
    int32_t wpv = atoi(argv[11]);
    int64_t n;
    uint8_t *in = slurp(argv[2], &n);
    if (!in) return 2;
    FILE *o = fopen(argv[3], "wb");
    if (!o) return 2;
    int rc = 0;
    if (!strcmp(argv[1], "enc")) {
        int64_t bound = 0, m = 0;
        uint8_t *out = ba_cseg_encode_bound(shape, channels, block, wpv, &bound) == BA_OK ? malloc((size_t)bound) : NULL;
        if (!out || ba_cseg_encode(in + 4, n, shape, channels, block, wpv, out, bound, &m) != BA_OK) rc = 2;
        else fwrite(out, 1, (size_t)m, o);
        free(out);
    } else {
        int32_t c = channels ? channels : 1;
        int64_t bytes = shape[0] * shape[1] * shape[2] * 4 * wpv * c;
        uint8_t *out = malloc((size_t)bytes);
        const uint8_t *data = in + 4;
        if (!channels) { /* one channel without header: give it the header word {1} */
            uint32_t one = 1;
            memcpy(in, &one, 4);
            data = in;
            n += 4;
        }
        int32_t r = ba_cseg_decode(data, n, shape, c, block, wpv, out, bytes);
        if (r == BA_OK) fwrite(out, 1, (size_t)bytes, o);
        else rc = r == BA_CORRUPT_INPUT ? 1 : 2;
        free(out);
    }
    fclose(o);
    free(in);
    return rc;
}
