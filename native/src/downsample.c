/*
 * ba_downsample: one mip of an image pyramid from the mip below (see bigarrays.h for the
 * semantics). Every element is mapped to an unsigned 64-bit "key" that orders like the value
 * (signed: sign bit flipped; floats: IEEE total order), so mode, median, min and max are one
 * code path for every type, and the integer mean is the mean of the keys (a shift by an even
 * constant keeps round-half-to-even exact). The Java twin (JavaDownsampleKernel) follows the
 * same steps in the same order, so float means agree bit for bit.
 *
 * Paths: blocks wholly inside the input take a fast path for the hot cases (mean uint8 and
 * mode of 32/64-bit labels with factors 2,2,1 and 2,2,2, not sparse; 64-bit labels through the
 * per-CPU row of downsample_mode.h); every other block (edge blocks, other factors, types and
 * methods) takes the general path, which gathers the block's keys into a scratch array.
 */
#include <stdlib.h>
#include <string.h>

#include "bigarrays.h"
#include "dispatch.h"
#include "downsample_mode.h"

__extension__ typedef unsigned __int128 ba_u128;

typedef struct ds_ctx {
    ba_dtype dtype;
    ba_ds_method method;
    int sparse;
    int64_t es;          /* bytes per element */
    uint64_t fill;       /* fill bits masked to es bytes */
    int64_t n[3], m[3], f[3], ph[3];
    int64_t in_chan, out_chan; /* elements per channel */
    uint64_t *scratch;   /* one block of keys (general path, sorting methods) */
} ds_ctx;

static inline uint64_t load_raw(const uint8_t *p, int64_t es) {
    switch (es) {
        case 1: return p[0];
        case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
        default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void store_raw(uint8_t *p, int64_t es, uint64_t v) {
    switch (es) {
        case 1: p[0] = (uint8_t)v; break;
        case 2: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); break; }
        case 4: { uint32_t w = (uint32_t)v; memcpy(p, &w, 4); break; }
        default: memcpy(p, &v, 8); break;
    }
}

/* Order-preserving bijection from an element's bits to an unsigned 64-bit key. */
static inline uint64_t to_key(ba_dtype dt, uint64_t raw) {
    switch (dt) {
        case BA_DT_I8: return (uint64_t)(int64_t)(int8_t)(uint8_t)raw ^ 0x8000000000000000ULL;
        case BA_DT_I16: return (uint64_t)(int64_t)(int16_t)(uint16_t)raw ^ 0x8000000000000000ULL;
        case BA_DT_I32: return (uint64_t)(int64_t)(int32_t)(uint32_t)raw ^ 0x8000000000000000ULL;
        case BA_DT_I64: return raw ^ 0x8000000000000000ULL;
        case BA_DT_F32: {
            uint32_t b = (uint32_t)raw;
            return (b & 0x80000000u) ? (uint64_t)(~b) : (uint64_t)(b | 0x80000000u);
        }
        case BA_DT_F64: return (raw & 0x8000000000000000ULL) ? ~raw : raw | 0x8000000000000000ULL;
        default: return raw;
    }
}

static inline uint64_t from_key(ba_dtype dt, uint64_t k) {
    switch (dt) {
        case BA_DT_I8: case BA_DT_I16: case BA_DT_I32: case BA_DT_I64: return k ^ 0x8000000000000000ULL;
        case BA_DT_F32: {
            uint32_t b = (uint32_t)k;
            return (b & 0x80000000u) ? (uint64_t)(b ^ 0x80000000u) : (uint64_t)(uint32_t)(~b);
        }
        case BA_DT_F64: return (k & 0x8000000000000000ULL) ? k ^ 0x8000000000000000ULL : ~k;
        default: return k;
    }
}

static inline double as_double(ba_dtype dt, uint64_t raw) {
    if (dt == BA_DT_F32) {
        uint32_t b = (uint32_t)raw;
        float f;
        memcpy(&f, &b, 4);
        return (double)f;
    }
    double d;
    memcpy(&d, &raw, 8);
    return d;
}

static inline uint64_t double_bits(ba_dtype dt, double d) {
    if (dt == BA_DT_F32) {
        float f = (float)d;
        uint32_t b;
        memcpy(&b, &f, 4);
        return b;
    }
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

/* sum / n rounded to nearest, ties to even (n >= 1; the result fits 64 bits: it is a mean of keys). */
static inline uint64_t round_mean(ba_u128 sum, uint64_t n) {
    ba_u128 q = sum / n;
    ba_u128 r = sum - q * n;
    if (2 * r > n || (2 * r == n && (q & 1))) q++;
    return (uint64_t)q;
}

/* The most frequent key of v[0..n) (ties: the lowest); sorts v. */
static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void sort_keys(uint64_t *v, int64_t n) {
    if (n <= 32) {
        for (int64_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            int64_t j = i;
            for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
            v[j] = x;
        }
    } else {
        qsort(v, (size_t)n, sizeof *v, cmp_u64);
    }
}

static uint64_t mode_sorted(const uint64_t *v, int64_t n) {
    uint64_t best = v[0];
    int64_t best_count = 0;
    for (int64_t i = 0; i < n;) {
        int64_t j = i + 1;
        while (j < n && v[j] == v[i]) j++;
        if (j - i > best_count) { best_count = j - i; best = v[i]; }
        i = j;
    }
    return best;
}

/* One output element from the input block [lo, hi) per axis of channel base `in`. Returns its bits. */
static uint64_t general_block(const ds_ctx *c, const uint8_t *in, const int64_t lo[3], const int64_t hi[3]) {
    const int64_t es = c->es, nx = c->n[0], nxy = c->n[0] * c->n[1];
    const ba_dtype dt = c->dtype;
    const int fl = dt == BA_DT_F32 || dt == BA_DT_F64;
    ba_ds_method method = c->method;
    if (method == BA_DS_MEAN && dt == BA_DT_BOOL) method = BA_DS_MODE;
    int64_t count = 0;
    ba_u128 sum = 0;
    double dsum = 0.0;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    for (int64_t z = lo[2]; z < hi[2]; z++) {
        for (int64_t y = lo[1]; y < hi[1]; y++) {
            const uint8_t *row = in + (z * nxy + y * nx) * es;
            for (int64_t x = lo[0]; x < hi[0]; x++) {
                uint64_t raw = load_raw(row + x * es, es);
                if (c->sparse && raw == c->fill) continue;
                switch (method) {
                    case BA_DS_MEAN:
                        if (fl) dsum += as_double(dt, raw); else sum += to_key(dt, raw);
                        break;
                    case BA_DS_MIN: { uint64_t k = to_key(dt, raw); if (k < kmin) kmin = k; break; }
                    case BA_DS_MAX: { uint64_t k = to_key(dt, raw); if (k > kmax) kmax = k; break; }
                    default: c->scratch[count] = to_key(dt, raw); break;
                }
                count++;
            }
        }
    }
    if (count == 0) return c->fill; /* sparse: the whole block is fill */
    switch (method) {
        case BA_DS_MEAN:
            return fl ? double_bits(dt, dsum / (double)count) : from_key(dt, round_mean(sum, (uint64_t)count));
        case BA_DS_MIN: return from_key(dt, kmin);
        case BA_DS_MAX: return from_key(dt, kmax);
        case BA_DS_MEDIAN:
            sort_keys(c->scratch, count);
            return from_key(dt, c->scratch[(count - 1) / 2]);
        default:
            sort_keys(c->scratch, count);
            return from_key(dt, mode_sorted(c->scratch, count));
    }
}

#if defined(__SSE2__)
#  include <emmintrin.h>
/* Sums of adjacent byte pairs of 16 bytes, as 8 uint16 lanes. */
static inline __m128i pair_sums(const uint8_t *p) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return _mm_add_epi16(_mm_and_si128(v, _mm_set1_epi16(0x00ff)), _mm_srli_epi16(v, 8));
}
#endif

/* Fast path: mean of uint8 over full 2x2x1 (nrows 2) or 2x2x2 (nrows 4) blocks of one output row. */
static void mean_u8_row(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count) {
    int64_t j = 0;
#if defined(__SSE2__)
    /* 16 outputs (32 input bytes per row) at a time: pair sums in 16-bit lanes, rounding half to even. */
    const __m128i one = _mm_set1_epi16(1);
    const int shift = nrows == 4 ? 3 : 2;
    const __m128i bias = _mm_set1_epi16(nrows == 4 ? 3 : 1);
    for (; j + 16 <= count; j += 16) {
        int64_t x = x0 + 2 * j;
        __m128i lo = _mm_add_epi16(pair_sums(rows[0] + x), pair_sums(rows[1] + x));
        __m128i hi = _mm_add_epi16(pair_sums(rows[0] + x + 16), pair_sums(rows[1] + x + 16));
        if (nrows == 4) {
            lo = _mm_add_epi16(lo, _mm_add_epi16(pair_sums(rows[2] + x), pair_sums(rows[3] + x)));
            hi = _mm_add_epi16(hi, _mm_add_epi16(pair_sums(rows[2] + x + 16), pair_sums(rows[3] + x + 16)));
        }
        __m128i cnt = _mm_cvtsi32_si128(shift);
        __m128i rl = _mm_srl_epi16(_mm_add_epi16(_mm_add_epi16(lo, bias), _mm_and_si128(_mm_srl_epi16(lo, cnt), one)), cnt);
        __m128i rh = _mm_srl_epi16(_mm_add_epi16(_mm_add_epi16(hi, bias), _mm_and_si128(_mm_srl_epi16(hi, cnt), one)), cnt);
        _mm_storeu_si128((__m128i *)(void *)(out + j), _mm_packus_epi16(rl, rh));
    }
#endif
    if (nrows == 4) {
        for (; j < count; j++) {
            int64_t x = x0 + 2 * j;
            unsigned s = (unsigned)rows[0][x] + rows[0][x + 1] + rows[1][x] + rows[1][x + 1]
                       + rows[2][x] + rows[2][x + 1] + rows[3][x] + rows[3][x + 1];
            out[j] = (uint8_t)((s + 3u + ((s >> 3) & 1u)) >> 3);
        }
    } else {
        for (; j < count; j++) {
            int64_t x = x0 + 2 * j;
            unsigned s = (unsigned)rows[0][x] + rows[0][x + 1] + rows[1][x] + rows[1][x + 1];
            out[j] = (uint8_t)((s + 1u + ((s >> 2) & 1u)) >> 2);
        }
    }
}

/* The baseline 64-bit row (other CPUs, or BIGARRAYS_NO_AVX2=1): the scalar count matrix that the AVX2 row computes with vector compares. */
void ba_mode64_row_baseline(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count, uint64_t flip) {
    uint64_t v[8];
    for (int64_t j = 0; j < count; j++) {
        int64_t x = x0 + 2 * j;
        for (int r = 0; r < nrows; r++) memcpy(&v[2 * r], rows[r] + x * 8, 16);
        if (flip) for (int i = 0; i < 2 * nrows; i++) v[i] ^= flip;
        uint64_t m = ba_mode_keys(v, 2 * nrows) ^ flip;
        memcpy(out + j * 8, &m, 8);
    }
}

/* Fast path: mode of 32- or 64-bit labels over full 2x2x1 / 2x2x2 blocks of one output row. */
static void mode_label_row(const ds_ctx *c, const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count) {
    /* Signed labels: flipping the sign bit makes unsigned order the numeric order. */
    const uint64_t flip = (c->dtype == BA_DT_I64 || c->dtype == BA_DT_I32) ? 0x8000000000000000ULL : 0;
    if (c->es == 8) {
        ba_impl_get()->mode64_row(rows, nrows, x0, out, count, flip);
        return;
    }
    uint64_t v[8];
    const uint32_t flip32 = flip ? 0x80000000u : 0;
    for (int64_t j = 0; j < count; j++) {
        int64_t x = x0 + 2 * j;
        for (int r = 0; r < nrows; r++) {
            uint32_t w[2];
            memcpy(w, rows[r] + x * 4, 8);
            v[2 * r] = w[0] ^ flip32;
            v[2 * r + 1] = w[1] ^ flip32;
        }
        uint32_t m = (uint32_t)ba_mode_keys(v, 2 * nrows) ^ flip32;
        memcpy(out + j * 4, &m, 4);
    }
}

/* Which fast path applies to full blocks: 0 none, 1 mean u8, 2 mode of labels. */
static int fast_kind(const ds_ctx *c) {
    if (c->sparse || c->f[0] != 2 || c->f[1] != 2 || (c->f[2] != 1 && c->f[2] != 2)) return 0;
    if (c->method == BA_DS_MEAN && c->dtype == BA_DT_U8) return 1;
    if (c->method == BA_DS_MODE && (c->dtype == BA_DT_U32 || c->dtype == BA_DT_U64 || c->dtype == BA_DT_I32 || c->dtype == BA_DT_I64)) return 2;
    return 0;
}

/* Block [lo, hi) of output index j along axis d, clipped to the input. */
static inline void block_range(const ds_ctx *c, int d, int64_t j, int64_t *lo, int64_t *hi) {
    int64_t s = j * c->f[d] - c->ph[d], e = s + c->f[d];
    *lo = s < 0 ? 0 : s;
    *hi = e > c->n[d] ? c->n[d] : e;
}

static void downsample_channel(const ds_ctx *c, const uint8_t *in, uint8_t *out) {
    const int64_t es = c->es;
    const int fast = fast_kind(c);
    /* Output indices [full_lo, full_hi) along x have whole blocks inside the input. */
    const int64_t full_lo = c->ph[0] > 0 ? 1 : 0;
    int64_t full_hi = (c->ph[0] + c->n[0]) / c->f[0];
    if (full_hi < full_lo) full_hi = full_lo;
    int64_t lo[3], hi[3];
    for (int64_t jz = 0; jz < c->m[2]; jz++) {
        block_range(c, 2, jz, &lo[2], &hi[2]);
        for (int64_t jy = 0; jy < c->m[1]; jy++) {
            block_range(c, 1, jy, &lo[1], &hi[1]);
            uint8_t *orow = out + (jz * c->m[1] + jy) * c->m[0] * es;
            int64_t skip_lo = 0, skip_hi = 0; /* output x range done by the fast path */
            if (fast && hi[1] - lo[1] == 2 && hi[2] - lo[2] == c->f[2] && full_hi > full_lo) {
                const uint8_t *rows[4] = {NULL, NULL, NULL, NULL};
                int nrows = 0;
                for (int64_t z = lo[2]; z < hi[2]; z++) {
                    for (int64_t y = lo[1]; y < hi[1]; y++) rows[nrows++] = in + ((z * c->n[1] + y) * c->n[0]) * es;
                }
                int64_t x0 = full_lo * 2 - c->ph[0];
                if (fast == 1) mean_u8_row(rows, nrows, x0, orow + full_lo, full_hi - full_lo);
                else mode_label_row(c, rows, nrows, x0, orow + full_lo * es, full_hi - full_lo);
                skip_lo = full_lo;
                skip_hi = full_hi;
            }
            for (int64_t jx = 0; jx < c->m[0]; jx++) {
                if (jx == skip_lo && skip_hi > skip_lo) { jx = skip_hi - 1; continue; }
                block_range(c, 0, jx, &lo[0], &hi[0]);
                store_raw(orow + jx * es, es, general_block(c, in, lo, hi));
            }
        }
    }
}

static int64_t elem_size(ba_dtype dt) {
    switch (dt) {
        case BA_DT_U8: case BA_DT_I8: case BA_DT_BOOL: return 1;
        case BA_DT_U16: case BA_DT_I16: return 2;
        case BA_DT_U32: case BA_DT_I32: case BA_DT_F32: return 4;
        case BA_DT_U64: case BA_DT_I64: case BA_DT_F64: return 8;
        default: return 0;
    }
}

ba_result ba_downsample(const void *in, int64_t in_nbytes, const int64_t *in_shape, ba_dtype dtype,
                        ba_ds_method method, int32_t sparse, uint64_t fill, const int64_t *factor,
                        const int64_t *phase, void *out, int64_t out_nbytes) {
    if (!in_shape || !factor || !phase || in_nbytes < 0 || out_nbytes < 0) return BA_BAD_ARGUMENT;
    ds_ctx c;
    memset(&c, 0, sizeof c);
    c.es = elem_size(dtype);
    /* An enum carries any int the caller passed: compared unsigned, a negative one is out of range too. */
    if (c.es == 0 || (uint32_t)method > (uint32_t)BA_DS_MAX) return BA_BAD_ARGUMENT;
    c.dtype = dtype;
    c.method = method;
    c.sparse = sparse != 0;
    c.fill = c.es == 8 ? fill : fill & ((1ULL << (8 * c.es)) - 1);
    int64_t channels = in_shape[3];
    if (channels < 0) return BA_BAD_ARGUMENT;
    int64_t in_count = 1, out_count = 1, block = 1;
    for (int d = 0; d < 3; d++) {
        c.n[d] = in_shape[d];
        c.f[d] = factor[d];
        c.ph[d] = phase[d];
        if (c.n[d] < 0 || c.f[d] < 1 || c.ph[d] < 0 || c.ph[d] >= c.f[d] || c.n[d] > INT64_MAX - c.f[d]) return BA_BAD_ARGUMENT;
        c.m[d] = c.n[d] == 0 ? 0 : (c.ph[d] + c.n[d] + c.f[d] - 1) / c.f[d];
        if (__builtin_mul_overflow(in_count, c.n[d], &in_count) || __builtin_mul_overflow(out_count, c.m[d], &out_count)
            || __builtin_mul_overflow(block, c.f[d], &block)) return BA_BAD_ARGUMENT;
    }
    c.in_chan = in_count;
    c.out_chan = out_count;
    int64_t in_bytes, out_bytes;
    if (__builtin_mul_overflow(in_count, channels, &in_bytes) || __builtin_mul_overflow(in_bytes, c.es, &in_bytes)
        || __builtin_mul_overflow(out_count, channels, &out_bytes) || __builtin_mul_overflow(out_bytes, c.es, &out_bytes)) {
        return BA_BAD_ARGUMENT;
    }
    if (in_bytes == 0 || out_bytes == 0) return BA_OK;
    if (!in || !out) return BA_BAD_ARGUMENT;
    if (in_bytes > in_nbytes || out_bytes > out_nbytes) return BA_OUT_OF_BOUNDS;
    int needs_scratch = method == BA_DS_MODE || method == BA_DS_MEDIAN || (method == BA_DS_MEAN && dtype == BA_DT_BOOL);
    if (needs_scratch) {
        if ((uint64_t)block > SIZE_MAX / sizeof(uint64_t)) return BA_NO_MEMORY;
        c.scratch = malloc((size_t)block * sizeof(uint64_t));
        if (!c.scratch) return BA_NO_MEMORY;
    }
    for (int64_t ch = 0; ch < channels; ch++) {
        downsample_channel(&c, (const uint8_t *)in + ch * c.in_chan * c.es, (uint8_t *)out + ch * c.out_chan * c.es);
    }
    free(c.scratch);
    return BA_OK;
}
