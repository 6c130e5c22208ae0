/* Property: ba_copy writes exactly what the naive element-by-element copy writes, nothing else. */
#include "test_util.h"

static const int64_t ELEM_SIZES[] = {1, 2, 3, 4, 8, 12, 16, 24, 72};

static void one_case(int iter, int big) {
    int rank = 1 + (int)rnd_below(big ? 3 : BA_MAX_RANK);
    int64_t e = ELEM_SIZES[rnd_below(sizeof ELEM_SIZES / sizeof ELEM_SIZES[0])];
    int64_t shape[BA_MAX_RANK], ss[BA_MAX_RANK], ds[BA_MAX_RANK], so, dof;
    int64_t budget = big ? 1 << 22 : 1 << 12; /* elements, roughly */
    for (int i = 0; i < rank; i++) {
        int64_t max = rank <= 3 ? (big ? 300 : 40) : 5;
        shape[i] = 1 + rnd_below(max);
        if (budget / shape[i] < 1) shape[i] = 1;
        budget /= shape[i];
    }
    int64_t sn = random_layout(shape, rank, e, ss, &so);
    int64_t dn = random_layout(shape, rank, e, ds, &dof);
    if (big) dn += 9 << 20; /* large destination: the non-temporal path */
    uint8_t *src = malloc((size_t)sn), *dst = malloc((size_t)dn), *want = malloc((size_t)dn);
    CHECK(src && dst && want, "out of memory");
    fill_random(src, sn);
    fill_random(dst, dn);
    memcpy(want, dst, (size_t)dn);
    reference_copy(src, so, ss, want, dof, ds, shape, rank, e);
    int rc = ba_copy(src, sn, so, ss, dst, dn, dof, ds, shape, rank, e);
    CHECK(rc == BA_OK, "case %d: rc %d", iter, rc);
    for (int64_t i = 0; i < dn; i++) {
        CHECK(dst[i] == want[i], "case %d (rank %d, elem %lld, path %s): byte %lld differs", iter, rank,
              (long long)e, ba_simd_path(), (long long)i);
    }
    free(src);
    free(dst);
    free(want);
}

int main(void) {
    CHECK(ba_version() == BA_VERSION, "version %d", ba_version());
    CHECK(ba_abi_version == BA_VERSION, "exported version constant %d", ba_abi_version);
    for (int i = 0; i < 3000; i++) one_case(i, 0);
    for (int i = 0; i < 12; i++) one_case(i, 1);
    printf("copy matches reference (%s)\n", ba_simd_path());
    return 0;
}
