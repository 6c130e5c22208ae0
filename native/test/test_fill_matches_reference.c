/* Property: ba_fill writes the pattern (little-endian, zero-extended) into the box and nothing else. */
#include "test_util.h"

static const int64_t ELEM_SIZES[] = {1, 2, 3, 4, 8, 12, 16};

int main(void) {
    for (int iter = 0; iter < 3000; iter++) {
        int rank = 1 + (int)rnd_below(4);
        int64_t e = ELEM_SIZES[rnd_below(sizeof ELEM_SIZES / sizeof ELEM_SIZES[0])];
        int64_t shape[BA_MAX_RANK], ds[BA_MAX_RANK], dof;
        for (int i = 0; i < rank; i++) shape[i] = 1 + rnd_below(rank == 1 ? 200 : 12);
        int64_t dn = random_layout(shape, rank, e, ds, &dof);
        /* Repeated-byte patterns take the memset path; test them often. */
        uint64_t pattern = rnd_below(3) == 0 ? 0x0101010101010101ULL * (uint8_t)rnd() : rnd();
        uint8_t *dst = malloc((size_t)dn), *want = malloc((size_t)dn), *src = malloc((size_t)e);
        CHECK(dst && want && src, "out of memory");
        for (int64_t b = 0; b < e; b++) src[b] = (uint8_t)(b < 8 ? pattern >> (8 * b) : 0);
        fill_random(dst, dn);
        memcpy(want, dst, (size_t)dn);
        int64_t zero[BA_MAX_RANK] = {0};
        reference_copy(src, 0, zero, want, dof, ds, shape, rank, e);
        int rc = ba_fill(dst, dn, dof, ds, shape, rank, e, pattern);
        CHECK(rc == BA_OK, "case %d: rc %d", iter, rc);
        CHECK(memcmp(dst, want, (size_t)dn) == 0, "case %d (rank %d, elem %lld): bytes differ", iter, rank, (long long)e);
        free(dst);
        free(want);
        free(src);
    }
    printf("fill matches reference\n");
    return 0;
}
