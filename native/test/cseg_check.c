/* Command-line check of cseg.c (not part of any build yet):
 *   cseg_check enc IN OUT sx sy sz channels bx by bz wpv   -> encodes IN (raw) to OUT
 *   cseg_check dec IN OUT sx sy sz channels bx by bz wpv   -> decodes IN to OUT (channels 0 = one channel, no header)
 * Exit status: 0 ok, 1 corrupt, 2 other error. Driven by native/test/cseg_check.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/codec/cseg.h"

static uint8_t *slurp(const char *p, size_t *n) {
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(len ? (size_t)len : 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

int main(int argc, char **argv) {
    if (argc != 12) return 2;
    int64_t shape[3] = {atoll(argv[4]), atoll(argv[5]), atoll(argv[6])};
    int channels = atoi(argv[7]);
    int32_t block[3] = {atoi(argv[8]), atoi(argv[9]), atoi(argv[10])};
    int wpv = atoi(argv[11]);
    size_t n;
    uint8_t *in = slurp(argv[2], &n);
    if (!in) return 2;
    FILE *o = fopen(argv[3], "wb");
    if (!strcmp(argv[1], "enc")) {
        uint8_t *out; size_t m;
        if (ba_cseg_encode(in, shape, channels, block, wpv, &out, &m) != BA_CSEG_OK) return 2;
        fwrite(out, 1, m, o);
        free(out);
    } else {
        size_t bytes = (size_t)(shape[0] * shape[1] * shape[2]) * 4 * (size_t)wpv * (size_t)(channels ? channels : 1);
        uint8_t *out = malloc(bytes);
        int r = channels ? ba_cseg_decode(in, n, shape, channels, block, wpv, out, bytes)
                         : ba_cseg_decode_channel(in, n, shape, block, wpv, out, bytes);
        if (r != BA_CSEG_OK) {
            free(out);
            free(in);
            return r == BA_CSEG_CORRUPT ? 1 : 2;
        }
        fwrite(out, 1, bytes, o);
        free(out);
    }
    fclose(o);
    free(in);
    return 0;
}
