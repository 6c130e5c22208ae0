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

ba_result ba_png_decode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels, int32_t bit_depth,
                        int32_t check_crc, void *out, int64_t out_nbytes, char *err, int64_t err_nbytes) {
    uint64_t total = image_bytes(width, height, channels, bit_depth);
    if (!in || !out || in_nbytes < 0 || out_nbytes < 0 || total == 0) return BA_BAD_ARGUMENT;
    if (!ready()) {
        message(err, err_nbytes, "libspng.so.0 is not loaded");
        return BA_BAD_ARGUMENT;
    }
    if ((uint64_t)out_nbytes < total) return BA_INSUFFICIENT_SPACE;
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

#endif
