/*
 * Run-time choice of the walks: the library is built for baseline x86-64 (never -march=native)
 * and takes the AVX2 or AVX-512 walks when cpuid says the CPU has them. One probe, one table
 * pointer cached for the process (see dispatch.h).
 */
#include "dispatch.h"

#include <stdlib.h>

static const ba_impl impl_baseline = {ba_walk_baseline, ba_gather_walk_baseline, ba_mode64_row_baseline, "baseline", "baseline"};
#if BA_X86
static const ba_impl impl_avx2 = {ba_walk_avx2, ba_gather_walk_avx2, ba_mode64_row_avx2, "avx2", "avx2"};
/* The copy walk has no AVX-512 variant: AVX2 is as fast for it (whole rows, memcpy for long ones). */
static const ba_impl impl_avx512 = {ba_walk_avx2, ba_gather_walk_avx512, ba_mode64_row_avx2, "avx2", "avx512"};

/* BIGARRAYS_NO_AVX2=1 / BIGARRAYS_NO_AVX512=1 force a lower path (to test it on a bigger CPU). */
static int switched_off(const char *name) {
    const char *v = getenv(name);
    return v != NULL && v[0] == '1';
}
#endif

static const ba_impl *probe(void) {
#if BA_X86
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || switched_off("BIGARRAYS_NO_AVX2")) return &impl_baseline;
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") || switched_off("BIGARRAYS_NO_AVX512")) {
        return &impl_avx2;
    }
    return &impl_avx512;
#else
    return &impl_baseline;
#endif
}

/* NULL until the first call. A benign race: threads that probe at once store the same table. */
static const ba_impl *chosen;

const ba_impl *ba_impl_get(void) {
    const ba_impl *p = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (__builtin_expect(p == NULL, 0)) {
        p = probe();
        __atomic_store_n(&chosen, p, __ATOMIC_RELEASE);
    }
    return p;
}

void ba_walk(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt) {
    ba_impl_get()->walk(b, s, d, e, nt);
#if BA_X86
    if (nt) ba_store_fence();
#endif
}

void ba_gather_walk(const ba_gather_args *g, ba_piece *pieces, int nt) {
#if BA_X86
    ba_impl_get()->gather_walk(g, pieces, nt);
    if (nt) ba_store_fence();
#else
    ba_impl_get()->gather_walk(g, pieces, 0);
#endif
}

const char *ba_gather_path(void) { return ba_impl_get()->gather_name; }

const char *ba_simd_path(void) { return ba_impl_get()->walk_name; }
