/*
 * png chunks through libspng (0.7 or newer), loaded with dlopen on first use: libbigarrays does
 * not depend on libspng at link time, so a machine without libspng.so.0 still gets every other
 * kernel, and the png codec its Java twin (ImageIO). spng.h gives the types only.
 *
 * Decoding checks the header against the chunk before libspng allocates anything for the
 * image, writes only inside out (gray straight into it; 2-4 channels one row at a time through a
 * row buffer, split into the planar chunk), and turns every libspng error into BA_CORRUPT_INPUT
 * with its message. Encoding writes rows from the planar chunk the same way.
 */
#include "bigarrays.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<spng.h>)
#  include <spng.h>
#  define BA_HAVE_SPNG 1
#else
#  define BA_HAVE_SPNG 0
#endif

#if BA_HAVE_SPNG

static struct {
    spng_ctx *(*ctx_new)(int);
    void (*ctx_free)(spng_ctx *);
    int (*set_png_buffer)(spng_ctx *, const void *, size_t);
    int (*set_image_limits)(spng_ctx *, uint32_t, uint32_t);
    int (*set_chunk_limits)(spng_ctx *, size_t, size_t);
    int (*set_crc_action)(spng_ctx *, int, int);
    int (*get_ihdr)(spng_ctx *, struct spng_ihdr *);
    int (*decoded_image_size)(spng_ctx *, int, size_t *);
    int (*decode_image)(spng_ctx *, void *, size_t, int, int);
    int (*decode_row)(spng_ctx *, void *, size_t);
    int (*set_ihdr)(spng_ctx *, struct spng_ihdr *);
    int (*set_option)(spng_ctx *, enum spng_option, int);
    int (*encode_image)(spng_ctx *, const void *, size_t, int, int);
    int (*encode_row)(spng_ctx *, const void *, size_t);
    void *(*get_png_buffer)(spng_ctx *, size_t *, int *);
    const char *(*strerror)(int);
    const char *(*version)(void);
} S;
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *h = dlopen("libspng.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
#define SYM(field, name) if (!(*(void **)&S.field = dlsym(h, name))) return
    SYM(ctx_new, "spng_ctx_new");
    SYM(ctx_free, "spng_ctx_free");
    SYM(set_png_buffer, "spng_set_png_buffer");
    SYM(set_image_limits, "spng_set_image_limits");
    SYM(set_chunk_limits, "spng_set_chunk_limits");
    SYM(set_crc_action, "spng_set_crc_action");
    SYM(get_ihdr, "spng_get_ihdr");
    SYM(decoded_image_size, "spng_decoded_image_size");
    SYM(decode_image, "spng_decode_image");
    SYM(decode_row, "spng_decode_row");
    SYM(set_ihdr, "spng_set_ihdr");
    SYM(set_option, "spng_set_option");
    SYM(encode_image, "spng_encode_image");
    SYM(encode_row, "spng_encode_row");
    SYM(get_png_buffer, "spng_get_png_buffer");
    SYM(strerror, "spng_strerror");
    SYM(version, "spng_version_string");
#undef SYM
    loaded = 1; /* the handle stays open for the life of the process */
}

static int ready(void) {
    pthread_once(&once, load);
    return loaded;
}

int32_t ba_png_available(void) {
    return ready();
}

const char *ba_png_library(void) {
    return ready() ? S.version() : NULL;
}

static void message(char *err, int64_t err_nbytes, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void message(char *err, int64_t err_nbytes, const char *fmt, ...) {
    if (!err || err_nbytes <= 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, (size_t)err_nbytes, fmt, ap);
    va_end(ap);
}

static int color_type(int32_t channels) {
    static const int types[] = {SPNG_COLOR_TYPE_GRAYSCALE, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, SPNG_COLOR_TYPE_TRUECOLOR,
                                SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
    return types[channels - 1];
}

static int channels_of(int type) {
    switch (type) {
    case SPNG_COLOR_TYPE_GRAYSCALE: return 1;
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA: return 2;
    case SPNG_COLOR_TYPE_TRUECOLOR: return 3;
    case SPNG_COLOR_TYPE_TRUECOLOR_ALPHA: return 4;
    default: return 0;
    }
}

/* The image's bytes, or 0 on a bad geometry (or one whose size overflows). */
static uint64_t image_bytes(int32_t width, int32_t height, int32_t channels, int32_t bit_depth) {
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) return 0;
    uint64_t n = (uint64_t)width * (uint64_t)height * (uint64_t)channels * (uint64_t)(bit_depth / 8);
    return n > (uint64_t)INT64_MAX ? 0 : n;
}

/* Row `y` of pixel-interleaved samples into the planar chunk (channel slowest). */
static void split_row(const uint8_t *row, int32_t width, int32_t channels, size_t bps, uint64_t plane, uint8_t *out, uint32_t y) {
    uint8_t *dst = out + (uint64_t)y * width * bps;
    if (bps == 1) {
        for (int32_t c = 0; c < channels; c++, dst += plane) {
            const uint8_t *s = row + c;
            for (int32_t x = 0; x < width; x++, s += channels) dst[x] = *s;
        }
    } else {
        for (int32_t c = 0; c < channels; c++, dst += plane) {
            const uint8_t *s = row + 2 * c;
            for (int32_t x = 0; x < width; x++, s += 2 * channels) memcpy(dst + 2 * x, s, 2);
        }
    }
}

/* The inverse of split_row: row `y` of the planar chunk, pixel-interleaved. */
static void join_row(const uint8_t *in, int32_t width, int32_t channels, size_t bps, uint64_t plane, uint8_t *row, uint32_t y) {
    const uint8_t *src = in + (uint64_t)y * width * bps;
    if (bps == 1) {
        for (int32_t c = 0; c < channels; c++, src += plane) {
            uint8_t *d = row + c;
            for (int32_t x = 0; x < width; x++, d += channels) *d = src[x];
        }
    } else {
        for (int32_t c = 0; c < channels; c++, src += plane) {
            uint8_t *d = row + 2 * c;
            for (int32_t x = 0; x < width; x++, d += 2 * channels) memcpy(d, src + 2 * x, 2);
        }
    }
}

/* The checks both decoders start with: the arguments, the library loaded, room for the image (total: 0 on a bad geometry). */
static ba_result decode_args(const void *in, int64_t in_nbytes, uint64_t total, int library_loaded, const char *library, const void *out,
                             int64_t out_nbytes, char *err, int64_t err_nbytes) {
    if (!in || !out || in_nbytes < 0 || out_nbytes < 0 || total == 0) return BA_BAD_ARGUMENT;
    if (!library_loaded) {
        message(err, err_nbytes, "%s is not loaded", library);
        return BA_BAD_ARGUMENT;
    }
    return (uint64_t)out_nbytes < total ? BA_INSUFFICIENT_SPACE : BA_OK;
}

ba_result ba_png_decode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels, int32_t bit_depth,
                        int32_t check_crc, void *out, int64_t out_nbytes, char *err, int64_t err_nbytes) {
    uint64_t total = image_bytes(width, height, channels, bit_depth);
    ba_result a = decode_args(in, in_nbytes, total, ready(), "libspng.so.0", out, out_nbytes, err, err_nbytes);
    if (a != BA_OK) return a;
    spng_ctx *ctx = S.ctx_new(0);
    if (!ctx) return BA_NO_MEMORY;
    ba_result r = BA_CORRUPT_INPUT;
    uint8_t *row = NULL;
    int e;
    /* Nothing larger than the chunk is ever allocated: the image limits stop a bigger IHDR, and no
     * ancillary chunk (text, ICC profile) may cache more than the input. */
    S.set_image_limits(ctx, (uint32_t)width, (uint32_t)height);
    S.set_chunk_limits(ctx, (size_t)in_nbytes, (size_t)in_nbytes);
    if (!check_crc) S.set_crc_action(ctx, SPNG_CRC_USE, SPNG_CRC_USE);
    if ((e = S.set_png_buffer(ctx, in, (size_t)in_nbytes))) goto spng_error;
    struct spng_ihdr ihdr;
    if ((e = S.get_ihdr(ctx, &ihdr))) goto spng_error;
    if (ihdr.width != (uint32_t)width || ihdr.height != (uint32_t)height) {
        message(err, err_nbytes, "png image is %ux%u, expected %dx%d", ihdr.width, ihdr.height, width, height);
        goto done;
    }
    if (channels_of(ihdr.color_type) != channels) {
        message(err, err_nbytes, "png image has colour type %u (%d channels), expected %d channels", ihdr.color_type,
                channels_of(ihdr.color_type), channels);
        goto done;
    }
    if (ihdr.bit_depth != bit_depth) {
        message(err, err_nbytes, "png image has %u-bit samples, expected %d", ihdr.bit_depth, bit_depth);
        goto done;
    }
    size_t len;
    if ((e = S.decoded_image_size(ctx, SPNG_FMT_PNG, &len))) goto spng_error;
    if (len != total) {
        message(err, err_nbytes, "png image decodes to %zu bytes, expected %llu", len, (unsigned long long)total);
        goto done;
    }
    if (channels == 1) {
        /* SPNG_FMT_PNG: the image's own format, 16-bit samples in host order (the chunk's). */
        if ((e = S.decode_image(ctx, out, (size_t)total, SPNG_FMT_PNG, 0))) goto spng_error;
        r = BA_OK;
        goto done;
    }
    size_t bps = (size_t)bit_depth / 8, row_bytes = (size_t)width * channels * bps;
    uint64_t plane = total / (uint64_t)channels;
    if (ihdr.interlace_method) {
        /* Adam7 rows arrive in pass order, each spread over the image: decode whole, then split. */
        row = malloc(total);
        if (!row) {
            r = BA_NO_MEMORY;
            goto done;
        }
        if ((e = S.decode_image(ctx, row, (size_t)total, SPNG_FMT_PNG, 0))) goto spng_error;
        for (int32_t y = 0; y < height; y++) split_row(row + (uint64_t)y * row_bytes, width, channels, bps, plane, out, (uint32_t)y);
        r = BA_OK;
        goto done;
    }
    row = malloc(row_bytes);
    if (!row) {
        r = BA_NO_MEMORY;
        goto done;
    }
    if ((e = S.decode_image(ctx, NULL, 0, SPNG_FMT_PNG, SPNG_DECODE_PROGRESSIVE))) goto spng_error;
    for (int32_t y = 0; y < height; y++) {
        e = S.decode_row(ctx, row, row_bytes);
        if (e && e != SPNG_EOI) goto spng_error;
        split_row(row, width, channels, bps, plane, out, (uint32_t)y);
        if (e == SPNG_EOI && y != height - 1) {
            message(err, err_nbytes, "png image ends after row %d of %d", y + 1, height);
            goto done;
        }
    }
    r = BA_OK;
    goto done;
spng_error:
    message(err, err_nbytes, "png data is damaged: %s (libspng error %d)", S.strerror(e), e);
    r = e == SPNG_EMEM ? BA_NO_MEMORY : BA_CORRUPT_INPUT;
done:
    free(row);
    S.ctx_free(ctx);
    return r;
}

ba_result ba_png_encode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels, int32_t bit_depth,
                        int32_t level, void *out, int64_t out_nbytes, int64_t *out_written) {
    uint64_t total = image_bytes(width, height, channels, bit_depth);
    if (!in || !out || !out_written || in_nbytes < 0 || out_nbytes < 0 || total == 0 || level < 0 || level > 9) return BA_BAD_ARGUMENT;
    if (!ready()) return BA_BAD_ARGUMENT;
    if ((uint64_t)in_nbytes < total) return BA_OUT_OF_BOUNDS;
    spng_ctx *ctx = S.ctx_new(SPNG_CTX_ENCODER);
    if (!ctx) return BA_NO_MEMORY;
    ba_result r = BA_NO_MEMORY;
    uint8_t *row = NULL, *png = NULL;
    struct spng_ihdr ihdr = {(uint32_t)width, (uint32_t)height, (uint8_t)bit_depth, (uint8_t)color_type(channels), 0, 0, 0};
    /* Sub and Up only, and zlib's default strategy (libspng's defaults are all five filters and
     * Z_FILTERED): on EM-like 64^3 uint8 at level 6 that encodes 1.7x faster than the defaults for
     * files 1.13x larger, still 1.15x smaller than ImageIO's (bench/results/issue25/spng/). Paeth
     * and Average are the slow filters to choose and to undo; Z_RLE, faster still on noisy data,
     * compresses smooth images and labels 10-100x worse. */
    if (S.set_ihdr(ctx, &ihdr) || S.set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1) || S.set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level)
        || S.set_option(ctx, SPNG_FILTER_CHOICE, SPNG_FILTER_CHOICE_SUB | SPNG_FILTER_CHOICE_UP)
        || S.set_option(ctx, SPNG_IMG_COMPRESSION_STRATEGY, 0 /* Z_DEFAULT_STRATEGY */)) {
        r = BA_BAD_ARGUMENT;
        goto done;
    }
    int flags = SPNG_ENCODE_FINALIZE;
    if (channels == 1) {
        if (S.encode_image(ctx, in, (size_t)total, SPNG_FMT_PNG, flags)) goto done;
    } else {
        size_t bps = (size_t)bit_depth / 8, row_bytes = (size_t)width * channels * bps;
        uint64_t plane = total / (uint64_t)channels;
        row = malloc(row_bytes);
        if (!row || S.encode_image(ctx, NULL, 0, SPNG_FMT_PNG, flags | SPNG_ENCODE_PROGRESSIVE)) goto done;
        for (int32_t y = 0; y < height; y++) {
            join_row(in, width, channels, bps, plane, row, (uint32_t)y);
            int e = S.encode_row(ctx, row, row_bytes);
            if (e && e != SPNG_EOI) goto done;
        }
    }
    size_t n = 0;
    int e = 0;
    png = S.get_png_buffer(ctx, &n, &e);
    if (!png || e) goto done;
    if ((uint64_t)n > (uint64_t)out_nbytes) {
        r = BA_INSUFFICIENT_SPACE;
        goto done;
    }
    memcpy(out, png, n);
    *out_written = (int64_t)n;
    r = BA_OK;
done:
    free(png); /* spng_get_png_buffer hands over a buffer from the default allocator (malloc) */
    free(row);
    S.ctx_free(ctx);
    return r;
}


/*
 * The whole-image path (ba_png_decode_libdeflate): libspng inflates one scanline per zlib call,
 * and a 64^3 chunk is an image 64 pixels wide, so every call asks zlib for 65 bytes, under the
 * 258 its fast loop needs: 79% of a decode was zlib's byte-at-a-time inflate (perf,
 * bench/results/issue25/pngdeflate/). Here the IDATs are inflated at once by libdeflate into a
 * scratch of exactly height rows of (filter byte + row), and the rows are unfiltered from there.
 * libdeflate is loaded with dlopen like libspng; without it callers use ba_png_decode.
 */
static struct {
    void *(*alloc)(void);
    void (*free)(void *);
    int (*zlib_decompress_ex)(void *, const void *, size_t, void *, size_t, size_t *, size_t *);
} D;
static int deflate_loaded;
static pthread_once_t deflate_once = PTHREAD_ONCE_INIT;

/* Each thread keeps its decompressor and scratch between calls: a fresh malloc of a few hundred KiB
 * per chunk came back from glibc as fresh pages (it trims what is freed), and their page faults
 * were 18% of a 64^3 decode. Buffers above SCRATCH_KEEP are allocated per call instead. */
#define SCRATCH_KEEP ((size_t)8 << 20)
struct scratch {
    void *d;
    uint8_t *raw, *joined;
    size_t raw_cap, joined_cap;
};
static pthread_key_t scratch_key;

static void scratch_free(void *p) {
    struct scratch *s = p;
    if (s->d) D.free(s->d);
    free(s->raw);
    free(s->joined);
    free(s);
}

static struct scratch *thread_scratch(void) {
    struct scratch *s = pthread_getspecific(scratch_key);
    if (s) return s;
    s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (!(s->d = D.alloc()) || pthread_setspecific(scratch_key, s)) {
        scratch_free(s);
        return NULL;
    }
    return s;
}

/* n bytes: the thread's kept buffer (grown to n) when n <= SCRATCH_KEEP, else a new one for the
 * caller to free (*owned). NULL when out of memory. */
static uint8_t *scratch_buffer(uint8_t **kept, size_t *cap, size_t n, uint8_t **owned) {
    if (n > SCRATCH_KEEP) return *owned = malloc(n);
    if (*cap < n) {
        free(*kept);
        *kept = malloc(n);
        *cap = *kept ? n : 0;
    }
    return *kept;
}

static void load_deflate(void) {
    void *h = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    if (pthread_key_create(&scratch_key, scratch_free)) return;
    if (!(*(void **)&D.alloc = dlsym(h, "libdeflate_alloc_decompressor"))) return;
    if (!(*(void **)&D.free = dlsym(h, "libdeflate_free_decompressor"))) return;
    if (!(*(void **)&D.zlib_decompress_ex = dlsym(h, "libdeflate_zlib_decompress_ex"))) return;
    deflate_loaded = 1; /* the handle stays open for the life of the process */
}

int32_t ba_png_libdeflate_available(void) {
    pthread_once(&deflate_once, load_deflate);
    return deflate_loaded;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undo filter f (PNG section 9) on row r of n bytes in place; p is the row above, already
 * unfiltered, or NULL for the first row (zeros). bpp: bytes per whole pixel. 0, or -1 for a
 * filter byte other than 0-4. */
static int unfilter_row(int f, uint8_t *r, const uint8_t *p, size_t n, size_t bpp) {
    size_t i;
    switch (f) {
    case 0: return 0;
    case 1:
        for (i = bpp; i < n; i++) r[i] = (uint8_t)(r[i] + r[i - bpp]);
        return 0;
    case 2:
        if (p) for (i = 0; i < n; i++) r[i] = (uint8_t)(r[i] + p[i]);
        return 0;
    case 3:
        if (!p) {
            for (i = bpp; i < n; i++) r[i] = (uint8_t)(r[i] + (r[i - bpp] >> 1));
            return 0;
        }
        for (i = 0; i < bpp && i < n; i++) r[i] = (uint8_t)(r[i] + (p[i] >> 1));
        for (; i < n; i++) r[i] = (uint8_t)(r[i] + ((r[i - bpp] + p[i]) >> 1));
        return 0;
    case 4:
        if (!p) { /* paeth(a, 0, 0) is a: Sub */
            for (i = bpp; i < n; i++) r[i] = (uint8_t)(r[i] + r[i - bpp]);
            return 0;
        }
        for (i = 0; i < bpp && i < n; i++) r[i] = (uint8_t)(r[i] + p[i]); /* paeth(0, b, 0) is b */
        for (; i < n; i++) r[i] = (uint8_t)(r[i] + paeth(r[i - bpp], p[i], p[i - bpp]));
        return 0;
    default: return -1;
    }
}

/* Row y of unfiltered big-endian samples into the planar chunk, 16-bit samples in host order. */
static void emit_row(const uint8_t *row, int32_t width, int32_t channels, size_t bps, uint64_t plane, uint8_t *out, uint32_t y) {
    size_t n = (size_t)width * bps;
    uint8_t *dst = out + (uint64_t)y * n;
    if (bps == 1) {
        if (channels == 1) {
            memcpy(dst, row, n);
            return;
        }
        split_row(row, width, channels, 1, plane, out, y);
        return;
    }
    for (int32_t c = 0; c < channels; c++, dst += plane) {
        const uint8_t *s = row + 2 * c;
        for (int32_t x = 0; x < width; x++, s += 2 * channels) {
            uint16_t v = (uint16_t)(s[0] << 8 | s[1]);
            memcpy(dst + 2 * x, &v, 2);
        }
    }
}

ba_result ba_png_decode_libdeflate(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels,
                                   int32_t bit_depth, void *out, int64_t out_nbytes, char *err, int64_t err_nbytes) {
    uint64_t total = image_bytes(width, height, channels, bit_depth);
    ba_result a = decode_args(in, in_nbytes, total, ba_png_libdeflate_available(), "libdeflate.so.0", out, out_nbytes, err, err_nbytes);
    if (a != BA_OK) return a;
    const uint8_t *s = in;
    uint64_t n = (uint64_t)in_nbytes;
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 8 || memcmp(s, signature, 8) != 0) {
        message(err, err_nbytes, "png: no PNG signature");
        return BA_CORRUPT_INPUT;
    }
    /* Walk the chunks (CRCs are the caller's): IHDR first and as expected, the IDATs, IEND last. */
    uint64_t p = 8, idat_bytes = 0, idat_count = 0, first_idat = 0;
    int ihdr = 0, iend = 0;
    while (!iend) {
        if (n - p < 12) {
            message(err, err_nbytes, "png: truncated (no IEND chunk)");
            return BA_CORRUPT_INPUT;
        }
        uint64_t len = be32(s + p);
        const uint8_t *type = s + p + 4, *data = s + p + 8;
        if (len > n - p - 12) {
            message(err, err_nbytes, "png: chunk of %llu bytes at byte %llu runs past the end", (unsigned long long)len, (unsigned long long)p);
            return BA_CORRUPT_INPUT;
        }
        if (!ihdr) {
            if (memcmp(type, "IHDR", 4) != 0 || len != 13) {
                message(err, err_nbytes, "png: the first chunk is not a 13-byte IHDR");
                return BA_CORRUPT_INPUT;
            }
            uint32_t w = be32(data), h = be32(data + 4);
            if (w != (uint32_t)width || h != (uint32_t)height) {
                message(err, err_nbytes, "png image is %ux%u, expected %dx%d", w, h, width, height);
                return BA_CORRUPT_INPUT;
            }
            if (data[8] != bit_depth || channels_of(data[9]) != channels) {
                message(err, err_nbytes, "png image has colour type %u and %u-bit samples, expected %d channels of %d bits", data[9], data[8],
                        channels, bit_depth);
                return BA_CORRUPT_INPUT;
            }
            if (data[10] != 0 || data[11] != 0 || data[12] != 0) {
                /* Interlaced (or an unknown method): ba_png_decode takes it. */
                message(err, err_nbytes, "png: compression %u, filter %u, interlace %u: only 0, 0, 0 here", data[10], data[11], data[12]);
                return BA_BAD_ARGUMENT;
            }
            ihdr = 1;
        } else if (memcmp(type, "IDAT", 4) == 0) {
            if (idat_count++ == 0) first_idat = p;
            idat_bytes += len;
        } else if (memcmp(type, "IEND", 4) == 0) {
            iend = 1;
        }
        p += 12 + len;
    }
    if (p != n) {
        message(err, err_nbytes, "png: IEND ends at byte %llu of %llu: trailing bytes", (unsigned long long)p, (unsigned long long)n);
        return BA_CORRUPT_INPUT;
    }
    if (idat_bytes == 0) {
        message(err, err_nbytes, idat_count ? "png: the IDAT chunks are empty" : "png: no IDAT chunk");
        return BA_CORRUPT_INPUT;
    }
    size_t bps = (size_t)bit_depth / 8, bpp = (size_t)channels * bps, row_bytes = (size_t)width * bpp;
    uint64_t raw_bytes = (uint64_t)height * (1 + (uint64_t)row_bytes);
    if (raw_bytes > SIZE_MAX) return BA_BAD_ARGUMENT;
    ba_result r = BA_CORRUPT_INPUT;
    uint8_t *raw_owned = NULL, *joined_owned = NULL, *raw = NULL, *joined = NULL;
    struct scratch *t = thread_scratch();
    const uint8_t *z = s + first_idat + 8;
    if (!t || !(raw = scratch_buffer(&t->raw, &t->raw_cap, (size_t)raw_bytes, &raw_owned))) {
        r = BA_NO_MEMORY;
        goto done;
    }
    if (idat_count > 1) { /* several IDATs: one zlib stream cut in pieces, joined first */
        joined = scratch_buffer(&t->joined, &t->joined_cap, (size_t)idat_bytes, &joined_owned);
        if (!joined) {
            r = BA_NO_MEMORY;
            goto done;
        }
        uint64_t q = 0;
        for (p = first_idat; p < n; p += 12 + be32(s + p)) {
            uint64_t len = be32(s + p);
            if (memcmp(s + p + 4, "IDAT", 4) == 0) {
                memcpy(joined + q, s + p + 8, (size_t)len);
                q += len;
            }
        }
        z = joined;
    }
    size_t used = 0, got = 0;
    int e = D.zlib_decompress_ex(t->d, z, (size_t)idat_bytes, raw, (size_t)raw_bytes, &used, &got);
    if (e == 3 /* LIBDEFLATE_INSUFFICIENT_SPACE */) {
        message(err, err_nbytes, "png image data inflates to more than the image's %llu bytes", (unsigned long long)raw_bytes);
        goto done;
    }
    if (e != 0) {
        message(err, err_nbytes, "png image data is damaged (bad zlib stream, libdeflate result %d)", e);
        goto done;
    }
    if (got != raw_bytes) {
        message(err, err_nbytes, "png image data inflates to %zu bytes, expected %llu", got, (unsigned long long)raw_bytes);
        goto done;
    }
    if (used != idat_bytes) {
        message(err, err_nbytes, "png image data: the zlib stream ends at byte %zu of %llu", used, (unsigned long long)idat_bytes);
        goto done;
    }
    uint64_t plane = total / (uint64_t)channels;
    const uint8_t *prev = NULL;
    for (int32_t y = 0; y < height; y++) {
        uint8_t *row = raw + (size_t)y * (1 + row_bytes);
        if (unfilter_row(row[0], row + 1, prev, row_bytes, bpp)) {
            message(err, err_nbytes, "png row %d has filter type %u (0-4 are defined)", y, row[0]);
            goto done;
        }
        prev = row + 1;
    }
    /* Out only once every row is good: damaged data leaves out as it was. */
    for (int32_t y = 0; y < height; y++) emit_row(raw + (size_t)y * (1 + row_bytes) + 1, width, channels, bps, plane, out, (uint32_t)y);
    r = BA_OK;
done:
    free(joined_owned);
    free(raw_owned);
    return r;
}

#else /* no spng.h at build time: png stays with the Java twin */

int32_t ba_png_available(void) {
    return 0;
}

const char *ba_png_library(void) {
    return NULL;
}

ba_result ba_png_decode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels, int32_t bit_depth,
                        int32_t check_crc, void *out, int64_t out_nbytes, char *err, int64_t err_nbytes) {
    (void)in, (void)in_nbytes, (void)width, (void)height, (void)channels, (void)bit_depth, (void)check_crc, (void)out,
        (void)out_nbytes;
    if (err && err_nbytes > 0) snprintf(err, (size_t)err_nbytes, "libbigarrays was built without spng.h");
    return BA_BAD_ARGUMENT;
}

ba_result ba_png_encode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels, int32_t bit_depth,
                        int32_t level, void *out, int64_t out_nbytes, int64_t *out_written) {
    (void)in, (void)in_nbytes, (void)width, (void)height, (void)channels, (void)bit_depth, (void)level, (void)out,
        (void)out_nbytes, (void)out_written;
    return BA_BAD_ARGUMENT;
}

int32_t ba_png_libdeflate_available(void) {
    return 0;
}

ba_result ba_png_decode_libdeflate(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels,
                                   int32_t bit_depth, void *out, int64_t out_nbytes, char *err, int64_t err_nbytes) {
    (void)in, (void)in_nbytes, (void)width, (void)height, (void)channels, (void)bit_depth, (void)out, (void)out_nbytes;
    if (err && err_nbytes > 0) snprintf(err, (size_t)err_nbytes, "libbigarrays was built without spng.h");
    return BA_BAD_ARGUMENT;
}

#endif
