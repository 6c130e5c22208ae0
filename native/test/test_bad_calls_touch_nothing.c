/* Property: a call whose box leaves a buffer, or with bad arguments, returns an error and writes nothing. */
#include "test_util.h"

static void expect_untouched(const uint8_t *dst, const uint8_t *copy, int64_t n, const char *what) {
    CHECK(memcmp(dst, copy, (size_t)n) == 0, "%s: destination was modified", what);
}

int main(void) {
    for (int iter = 0; iter < 2000; iter++) {
        int rank = 1 + (int)rnd_below(4);
        int64_t e = 1 + rnd_below(9);
        int64_t shape[BA_MAX_RANK], ss[BA_MAX_RANK], ds[BA_MAX_RANK], so, dof;
        for (int i = 0; i < rank; i++) shape[i] = 1 + rnd_below(10);
        int64_t sn = random_layout(shape, rank, e, ss, &so);
        int64_t dn = random_layout(shape, rank, e, ds, &dof);
        uint8_t *src = malloc((size_t)sn), *dst = malloc((size_t)dn), *copy = malloc((size_t)dn);
        CHECK(src && dst && copy, "out of memory");
        fill_random(src, sn);
        fill_random(dst, dn);
        memcpy(copy, dst, (size_t)dn);
        /* The exact end of each box: one byte less must be refused. */
        int64_t send = so + e, dend = dof + e;
        for (int i = 0; i < rank; i++) {
            send += (shape[i] - 1) * ss[i];
            dend += (shape[i] - 1) * ds[i];
        }
        CHECK(ba_copy(src, send, so, ss, dst, dend, dof, ds, shape, rank, e) == BA_OK, "exact fit refused");
        memcpy(copy, dst, (size_t)dn);
        CHECK(ba_copy(src, send - 1, so, ss, dst, dn, dof, ds, shape, rank, e) == BA_OUT_OF_BOUNDS, "short source");
        CHECK(ba_copy(src, sn, so, ss, dst, dend - 1, dof, ds, shape, rank, e) == BA_OUT_OF_BOUNDS, "short destination");
        CHECK(ba_fill(dst, dend - 1, dof, ds, shape, rank, e, 7) == BA_OUT_OF_BOUNDS, "short fill");
        expect_untouched(dst, copy, dn, "out of bounds");

        int k = (int)rnd_below(rank);
        int64_t saved = ds[k];
        ds[k] = -1;
        CHECK(ba_copy(src, sn, so, ss, dst, dn, dof, ds, shape, rank, e) == BA_BAD_ARGUMENT, "negative stride");
        ds[k] = INT64_MAX / 2 + 1; /* times 2 overflows int64 */
        int64_t big_shape = shape[k];
        shape[k] = 3;
        int64_t zero[BA_MAX_RANK] = {0}; /* a source that always fits: every element reads the same bytes */
        CHECK(ba_copy(src, sn, so, zero, dst, dn, dof, ds, shape, rank, e) == BA_BAD_ARGUMENT, "overflowing stride");
        CHECK(ba_fill(dst, dn, dof, ds, shape, rank, e, 7) == BA_BAD_ARGUMENT, "overflowing fill stride");
        ds[k] = saved;
        shape[k] = big_shape;
        CHECK(ba_copy(src, sn, -1, ss, dst, dn, dof, ds, shape, rank, e) == BA_BAD_ARGUMENT, "negative offset");
        CHECK(ba_copy(src, sn, so, ss, dst, dn, dof, ds, shape, 0, e) == BA_BAD_ARGUMENT, "rank 0");
        CHECK(ba_copy(src, sn, so, ss, dst, dn, dof, ds, shape, BA_MAX_RANK + 1, e) == BA_BAD_ARGUMENT, "rank 9");
        CHECK(ba_copy(src, sn, so, ss, dst, dn, dof, ds, shape, rank, 0) == BA_BAD_ARGUMENT, "element size 0");
        CHECK(ba_copy(NULL, sn, so, ss, dst, dn, dof, ds, shape, rank, e) == BA_BAD_ARGUMENT, "null source");
        CHECK(ba_copy(src, sn, so, NULL, dst, dn, dof, ds, shape, rank, e) == BA_BAD_ARGUMENT, "null strides");
        expect_untouched(dst, copy, dn, "bad argument");

        shape[k] = 0; /* an empty box is fine even far outside the buffer, and touches nothing */
        CHECK(ba_copy(src, 0, 1 << 20, ss, dst, 0, 1 << 20, ds, shape, rank, e) == BA_OK, "empty box");
        expect_untouched(dst, copy, dn, "empty box");
        free(src);
        free(dst);
        free(copy);
    }
    printf("bad calls touch nothing\n");
    return 0;
}
