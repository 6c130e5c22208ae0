/*
 * Internal: the gather walk, written once and compiled per instruction set (gather_baseline.c,
 * gather_avx2.c, gather_avx512.c). Before including it a file defines
 *   BA_GATHER_NAME        the walk's name,
 *   BA_SPAN(d, s, n)      copy n bytes with ordinary stores,
 *   BA_LINE_NT(d, s)      copy one 64-byte line to a 64-byte aligned d with non-temporal stores.
 *
 * The slab is walked in output raster order: for each output row, the pieces of the sources
 * are copied in turn, so the row is written front to back once. With non-temporal stores every
 * whole 64-byte line of the row is streamed, also the lines that straddle two sources (those
 * are assembled in a stack line first): the output's lines are never read for ownership and
 * never written in parts.
 */
#include <stdint.h>
#include <string.h>
#include "gather.h"
#include "rowcopy.h"

/* n bytes of the row from the cursor (piece *k, byte *pos) to *d, advancing both. */
BA_INLINE void ba_gather_spans(uint8_t **d, const ba_piece *p, int64_t *k, int64_t *pos, int64_t n) {
    while (n > 0) {
        int64_t left = p[*k].n - *pos;
        if (left == 0) {
            (*k)++;
            *pos = 0;
            continue;
        }
        int64_t m = left < n ? left : n;
        BA_SPAN(*d, p[*k].s + *pos, m);
        *d += m;
        *pos += m;
        n -= m;
    }
}

/* One contiguous output row of `total` bytes from the pieces, streaming its whole lines. */
BA_INLINE void ba_gather_row_nt(uint8_t *d, const ba_piece *p, int64_t total) {
    int64_t k = 0, pos = 0;
    int64_t head = (int64_t)((64 - ((uintptr_t)d & 63)) & 63);
    if (head > total) head = total;
    ba_gather_spans(&d, p, &k, &pos, head);
    int64_t lines = (total - head) >> 6;
    int64_t tail = total - head - (lines << 6);
    while (lines > 0) {
        while (pos == p[k].n) {
            k++;
            pos = 0;
        }
        int64_t whole = (p[k].n - pos) >> 6;
        if (whole > 0) {
            int64_t m = whole < lines ? whole : lines;
            const uint8_t *s = p[k].s + pos;
            for (int64_t i = 0; i < m; i++) BA_LINE_NT(d + (i << 6), s + (i << 6));
            d += m << 6;
            pos += m << 6;
            lines -= m;
        } else {
            uint8_t line[64] __attribute__((aligned(64)));
            uint8_t *l = line;
            ba_gather_spans(&l, p, &k, &pos, 64);
            BA_LINE_NT(d, line);
            d += 64;
            lines--;
        }
    }
    ba_gather_spans(&d, p, &k, &pos, tail);
}

void BA_GATHER_NAME(const ba_gather_args *g, ba_piece *p, int nt) {
    const int r = g->rank;
    const int64_t e = g->e, ns = g->nsrc;
    const int64_t n1 = r > 1 ? g->shape[1] : 1;
    const int64_t ds0 = g->dst_strides[0], ds1 = r > 1 ? g->dst_strides[1] : 0;
    int contiguous = ds0 == e || g->shape[0] <= 1;
    for (int64_t k = 0; k < ns; k++) {
        if (g->extents[k] > 1 && g->src_strides[k * r] != e) contiguous = 0;
    }
    const int64_t total = g->shape[0] * e;
    int64_t idx[BA_MAX_RANK] = {0};
    uint8_t *plane = g->dst;
    for (;;) {
        /* Each source's row 0 of this plane (dims 2 and up at idx). */
        for (int64_t k = 0; k < ns; k++) {
            const int64_t *ss = g->src_strides + k * r;
            int64_t off = g->src_offsets[k];
            for (int i = 2; i < r; i++) off += idx[i] * ss[i];
            p[k].s = (const uint8_t *)g->srcs[k] + off;
            p[k].n = g->extents[k] * e;
        }
        uint8_t *d = plane;
        for (int64_t j = 0; j < n1; j++, d += ds1) {
            if (contiguous) {
                if (nt) {
                    ba_gather_row_nt(d, p, total);
                } else {
                    uint8_t *dd = d;
                    for (int64_t k = 0; k < ns; k++) {
                        BA_SPAN(dd, p[k].s, p[k].n);
                        dd += p[k].n;
                    }
                }
            } else {
                uint8_t *dd = d;
                for (int64_t k = 0; k < ns; k++) {
                    const int64_t ss0 = g->src_strides[k * r];
                    for (int64_t i = 0; i < g->extents[k]; i++, dd += ds0) ba_copy_elem(dd, p[k].s + i * ss0, e);
                }
            }
            if (r > 1) {
                for (int64_t k = 0; k < ns; k++) p[k].s += g->src_strides[k * r + 1];
            }
        }
        int i = 2;
        for (; i < r; i++) {
            plane += g->dst_strides[i];
            if (++idx[i] < g->shape[i]) break;
            plane -= g->dst_strides[i] * g->shape[i];
            idx[i] = 0;
        }
        if (i >= r) break;
    }
}
