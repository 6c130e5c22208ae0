/*
 * Run-time choice of the copy walk: the library is built for baseline x86-64 (never
 * -march=native) and picks the AVX2 walk when cpuid says the CPU has it.
 */
#include "dispatch.h"

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

const char *ba_simd_path(void) { return use_avx2() ? "avx2" : "baseline"; }
