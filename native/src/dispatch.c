/*
 * Run-time choice of the copy walk: the library is built for baseline x86-64 (never
 * -march=native) and picks the AVX2 walk when cpuid says the CPU has it.
 */
#include "dispatch.h"
#include "gather.h"

#include <stdlib.h>

typedef void (*walk_fn)(const ba_box *, const uint8_t *, uint8_t *, int64_t, int);

static int have_avx2(void) {
#if BA_X86
    /* BIGARRAYS_NO_AVX2=1 forces the baseline walk (to test it on an AVX2 machine). */
    const char *off = getenv("BIGARRAYS_NO_AVX2");
    if (off != NULL && off[0] == '1') return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static int avx2_state = -1; /* -1 unknown; benign race: every thread computes the same value */

static int use_avx2(void) {
    int v = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (v < 0) {
        v = have_avx2();
        __atomic_store_n(&avx2_state, v, __ATOMIC_RELAXED);
    }
    return v;
}

void ba_walk(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt) {
#if BA_X86
    if (use_avx2()) {
        ba_walk_avx2(b, s, d, e, nt);
        if (nt) ba_store_fence();
        return;
    }
#endif
    ba_walk_baseline(b, s, d, e, nt);
}

static int have_avx512(void) {
#if BA_X86
    /* BIGARRAYS_NO_AVX512=1 forces the AVX2 gather (to test it on an AVX-512 machine). */
    const char *off = getenv("BIGARRAYS_NO_AVX512");
    if (off != NULL && off[0] == '1') return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
#else
    return 0;
#endif
}

static int avx512_state = -1; /* as avx2_state */

static int use_avx512(void) {
    int v = __atomic_load_n(&avx512_state, __ATOMIC_RELAXED);
    if (v < 0) {
        v = use_avx2() && have_avx512();
        __atomic_store_n(&avx512_state, v, __ATOMIC_RELAXED);
    }
    return v;
}

void ba_gather_walk(const ba_gather_args *g, ba_piece *pieces, int nt) {
#if BA_X86
    if (use_avx512()) ba_gather_walk_avx512(g, pieces, nt);
    else if (use_avx2()) ba_gather_walk_avx2(g, pieces, nt);
    else ba_gather_walk_baseline(g, pieces, nt);
    if (nt) ba_store_fence();
#else
    ba_gather_walk_baseline(g, pieces, 0);
#endif
}

const char *ba_gather_path(void) { return use_avx512() ? "avx512" : use_avx2() ? "avx2" : "baseline"; }

const char *ba_simd_path(void) { return use_avx2() ? "avx2" : "baseline"; }
