/*
 * Property: ba_gather writes exactly what copying each source's box with the naive
 * element-by-element copy writes, nothing else; and a call with any bad bound returns an error
 * and writes nothing.
 */
#include "test_util.h"

static const int64_t ELEM_SIZES[] = {1, 2, 3, 4, 8, 12, 16, 24};
#define MAX_SRC 12

typedef struct gather_case {
    int rank, nsrc;
    int64_t e;
    int64_t shape[BA_MAX_RANK], ds[BA_MAX_RANK], dof, dn;
    int64_t extents[MAX_SRC], offsets[MAX_SRC], nbytes[MAX_SRC], strides[MAX_SRC * BA_MAX_RANK];
    uint8_t *src[MAX_SRC];
} gather_case;

static void make_case(gather_case *c, int big) {
    c->rank = 1 + (int)rnd_below(big ? 3 : 5);
    c->e = ELEM_SIZES[rnd_below(sizeof ELEM_SIZES / sizeof ELEM_SIZES[0])];
    c->nsrc = (int)rnd_below(MAX_SRC + 1);
    if (big) c->e = rnd_below(2) ? 1 : 8; /* the common chunk types, on the non-temporal path */
    int64_t budget = big ? 1 << 21 : 1 << 12;
    int64_t x = 0;
    /* Rows of short pieces (a 64³ uint8 chunk's are 64 bytes): the staged, streamed rows. */
    int short_pieces = big && rnd_below(2) == 0;
    for (int k = 0; k < c->nsrc; k++) {
        /* Pieces of every length: empty, shorter than a line, whole lines and not. */
        int64_t max = big ? (short_pieces ? 64 : 200) : 40;
        c->extents[k] = rnd_below(6) == 0 ? 0 : 1 + rnd_below(max);
        x += c->extents[k];
    }
    c->shape[0] = x;
    budget /= x > 0 ? x : 1;
    for (int i = 1; i < c->rank; i++) {
        int64_t max = c->rank <= 3 ? (big ? 120 : 20) : 4;
        c->shape[i] = 1 + rnd_below(max);
        if (budget / c->shape[i] < 1) c->shape[i] = 1;
        budget /= c->shape[i];
    }
    c->dn = random_layout(c->shape, c->rank, c->e, c->ds, &c->dof);
    if (big) c->dn += 9 << 20;
    for (int k = 0; k < c->nsrc; k++) {
        int64_t ps[BA_MAX_RANK];
        memcpy(ps, c->shape, sizeof ps);
        ps[0] = c->extents[k];
        if (ps[0] == 0) ps[0] = 1; /* a layout for an empty piece: any valid one */
        c->nbytes[k] = random_layout(ps, c->rank, c->e, c->strides + k * c->rank, &c->offsets[k]);
        c->src[k] = malloc((size_t)c->nbytes[k]);
        CHECK(c->src[k] != NULL, "out of memory");
        fill_random(c->src[k], c->nbytes[k]);
    }
}

static void free_case(gather_case *c) {
    for (int k = 0; k < c->nsrc; k++) free(c->src[k]);
}

static int32_t call(const gather_case *c, uint8_t *dst) {
    return ba_gather(c->nsrc, (const void *const *)c->src, c->nbytes, c->offsets, c->strides, c->extents, dst, c->dn,
                     c->dof, c->ds, c->shape, c->rank, c->e);
}

static void one_case(int iter, int big) {
    gather_case c;
    make_case(&c, big);
    uint8_t *dst = malloc((size_t)c.dn), *want = malloc((size_t)c.dn);
    CHECK(dst && want, "out of memory");
    fill_random(dst, c.dn);
    memcpy(want, dst, (size_t)c.dn);
    int64_t x = 0;
    for (int k = 0; k < c.nsrc; k++) {
        int64_t ps[BA_MAX_RANK];
        memcpy(ps, c.shape, sizeof ps);
        ps[0] = c.extents[k];
        if (ps[0] > 0) reference_copy(c.src[k], c.offsets[k], c.strides + k * c.rank, want, c.dof + x * c.ds[0], c.ds, ps, c.rank, c.e);
        x += c.extents[k];
    }
    int rc = call(&c, dst);
    CHECK(rc == BA_OK, "case %d: rc %d", iter, rc);
    for (int64_t i = 0; i < c.dn; i++) {
        CHECK(dst[i] == want[i], "case %d (rank %d, elem %lld, %d sources, path %s): byte %lld differs", iter, c.rank,
              (long long)c.e, c.nsrc, ba_gather_path(), (long long)i);
    }
    free(dst);
    free(want);
    free_case(&c);
}

/* Each way of getting a bound wrong is refused before anything is written. */
static void bad_calls(int iter) {
    gather_case c;
    c.nsrc = 0;
    do {
        free_case(&c);
        make_case(&c, 0);
    } while (c.nsrc < 2 || c.shape[0] == 0 || c.extents[0] == 0 || c.extents[1] == 0);
    uint8_t *dst = malloc((size_t)c.dn), *before = malloc((size_t)c.dn);
    CHECK(dst && before, "out of memory");
    fill_random(dst, c.dn);
    memcpy(before, dst, (size_t)c.dn);
    int k = (int)rnd_below(2);
    for (int what = 0; what < 8; what++) {
        gather_case b = c;
        int want = BA_OUT_OF_BOUNDS;
        switch (what) {
        case 0: b.nbytes[k] = c.offsets[k]; break; /* no room for even the first element */
        case 1: b.offsets[k] = c.nbytes[k]; break;
        case 2: b.dn = c.dof; break;
        case 3: b.extents[k] += 1; want = BA_BAD_ARGUMENT; break; /* extents no longer sum to shape[0] */
        case 4: b.extents[k] += 1; b.extents[1 - k] -= 1; /* sum kept: source k's box grows past its buffer... */
            b.nbytes[k] = c.offsets[k] + c.e; want = BA_OUT_OF_BOUNDS; break;
        case 5: b.offsets[k] = -1; want = BA_BAD_ARGUMENT; break;
        case 6: b.strides[k * c.rank] = -c.e; want = BA_BAD_ARGUMENT; break;
        case 7: b.src[k] = NULL; want = BA_BAD_ARGUMENT; break;
        }
        int rc = call(&b, dst);
        CHECK(rc == want, "bad call %d/%d: rc %d, want %d", iter, what, rc, want);
        CHECK(memcmp(dst, before, (size_t)c.dn) == 0, "bad call %d/%d wrote to the destination", iter, what);
    }
    CHECK(ba_gather(-1, NULL, NULL, NULL, NULL, NULL, dst, c.dn, 0, c.ds, c.shape, c.rank, c.e) == BA_BAD_ARGUMENT, "nsrc -1");
    CHECK(ba_gather(c.nsrc, NULL, c.nbytes, c.offsets, c.strides, c.extents, dst, c.dn, c.dof, c.ds, c.shape, c.rank, c.e) == BA_BAD_ARGUMENT, "srcs NULL");
    free(dst);
    free(before);
    free_case(&c);
}

int main(void) {
    CHECK(ba_version() == BA_VERSION, "version %d", ba_version());
    for (int i = 0; i < 3000; i++) one_case(i, 0);
    for (int i = 0; i < 40; i++) one_case(i, 1);
    for (int i = 0; i < 200; i++) bad_calls(i);
    printf("gather matches reference (%s)\n", ba_gather_path());
    return 0;
}
