/* Small helpers shared by the C tests: a seeded PRNG, random layouts, a naive reference copy. */
#ifndef BA_TEST_UTIL_H
#define BA_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigarrays.h"

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static inline uint64_t rnd(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static inline int64_t rnd_below(int64_t n) { return (int64_t)(rnd() % (uint64_t)n); }

static inline void fill_random(uint8_t *p, int64_t n) {
    for (int64_t i = 0; i < n; i++) p[i] = (uint8_t)rnd();
}

/*
 * A random container around a box of `shape`: padded extents, sometimes gaps between elements,
 * a random origin and a few bytes of slack. Returns the buffer size in bytes.
 */
static inline int64_t random_layout(const int64_t *shape, int rank, int64_t e, int64_t *strides, int64_t *offset) {
    int64_t stride = e * (rnd_below(4) == 0 ? 1 + rnd_below(3) : 1);
    int64_t off = rnd_below(5);
    int64_t ext = 1;
    for (int i = 0; i < rank; i++) {
        ext = shape[i] + (rnd_below(3) == 0 ? rnd_below(3) : 0);
        strides[i] = stride;
        off += rnd_below(ext - shape[i] + 1) * stride;
        if (i + 1 < rank) stride *= ext;
    }
    *offset = off;
    return ext * stride + 4 + e;
}

/* The obvious copy, one element at a time in raster order. */
static inline void reference_copy(const uint8_t *src, int64_t so, const int64_t *ss, uint8_t *dst, int64_t dof,
                                  const int64_t *ds, const int64_t *shape, int rank, int64_t e) {
    int64_t idx[BA_MAX_RANK] = {0};
    int64_t count = 1;
    for (int i = 0; i < rank; i++) count *= shape[i];
    for (int64_t n = 0; n < count; n++) {
        int64_t s = so, d = dof;
        for (int i = 0; i < rank; i++) {
            s += idx[i] * ss[i];
            d += idx[i] * ds[i];
        }
        memcpy(dst + d, src + s, (size_t)e);
        for (int i = 0; i < rank && ++idx[i] == shape[i]; i++) idx[i] = 0;
    }
}

#endif
