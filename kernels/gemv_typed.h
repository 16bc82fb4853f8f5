/* The GEMV kernels of gemv.c for one precision, included once per
 * precision.  The includer defines
 *   GEMV_T            the element type;
 *   GEMV_P(name)      name with the precision's prefix (d or s);
 *   GEMV_NLANES       the lanes of a row's dot product (order.h's, for the
 *                     precision), held as GEMV_NV vectors GEMV_VEC of
 *                     GEMV_VN elements: GEMV_LOAD(p) loads one,
 *                     GEMV_LOAD_FIRST(p, count) its first count, and
 *                     GEMV_FOLD(v, count) folds count of them as order.h
 *                     says;
 *   GEMV_ENTRY        the HPK__CPU(?gemv) being defined, GEMV_NAME its
 *                     public name for messages;
 *   GEMV_DEPTH_IN_CACHE the axpy form's vectors per pass where A is in
 *                     cache (HPK__GEMV_DEPTH from there);
 *   GEMV_DOT_STREAMS_FROM the bytes of A from which the dot form reads
 *                     GEMV_ROWS_FROM_MEMORY rows at once as streams,
 *                     GEMV_MANY_ROWS_FROM those from which it reads
 *                     GEMV_ROWS_MANY, GEMV_ONE_ROW_FROM those from which
 *                     it reads one row at a time (dot_rows_at_once);
 * and this file undefines them at its end. */

#define GEMV_PANEL (HPK__GEMV_PANEL_BYTES / (int64_t)sizeof(GEMV_T))

typedef struct GEMV_P(gemv_job) {
    int64_t vecs, len, lda, incx, incy;
    const GEMV_T *a, *x; /* dot form: x contiguous (packed when incx != 1) */
    GEMV_T *y;
    GEMV_T alpha, beta;
    int64_t run_first, run_count; /* axpy form: the runs summed (all of them in a gemv) */
    GEMV_T *t;                    /* axpy form: if set, t itself is stored here, not y */
    GEMV_T xtail[GEMV_NLANES];    /* dot form: x's last, short step padded with zeros */
} GEMV_P(gemv_job);

/* y := alpha t + beta y; with beta == 0, y is not read. */
static inline void GEMV_P(gemv_store)(const GEMV_P(gemv_job) *j, GEMV_T t, GEMV_T *y)
{
    *y = j->beta == (GEMV_T)0 ? j->alpha * t : j->alpha * t + j->beta * *y;
}

/* The dot form's rows at once, sharing each load of x.  Their lanes are
 * held in HPK__VREGS - 3 registers, the other three left for a vector of x
 * and the products; the rest, lane vectors GEMV_REG_LANES and up in row
 * order, stay in L1 behind a pointer, each loaded, added to and stored once
 * a step (a chain the step's loads hide).  How many pays depends on where
 * A is (dot_rows_at_once; Zen 4, docs/PERFORMANCE.md):
 *   In L1 and L2, GEMV_ROWS_FEW: three rows where the registers hold them
 * (avx512), which read A faster than two, four or seven (double 64^2 to
 * 256^2: 0.97-1.02 of OpenBLAS's speed against 0.85-0.93 for seven; float
 * to 1448^2: 0.70-1.13 against 0.61-1.01 for six).
 *   In L3, the includer's ranges: one row at a time from
 * GEMV_ONE_ROW_FROM (the whole of A one stream where lda = n), then from
 * GEMV_MANY_ROWS_FROM up to GEMV_DOT_STREAMS_FROM GEMV_ROWS_MANY: as many
 * rows as the registers hold, up to seven, so that the rows and x are at
 * most eight streams (eight rows of doubles on avx512 read L3 3-8% slower
 * than seven); one load of x serves more rows.  Lanes in memory cost up
 * to 0.8x there.
 *   From memory, where rows are streams, GEMV_ROWS_FROM_MEMORY (the
 * includer's): more rows in flight than the registers hold pay there,
 * lanes in memory and all. */
#define GEMV_REG_LANES (HPK__VREGS - 3)
#define GEMV_MEM_LANES(rows) ((rows) * GEMV_NV > GEMV_REG_LANES ? (rows) * GEMV_NV - GEMV_REG_LANES : 0)
#define GEMV_ROWS_FEW (GEMV_MEM_LANES(3) == 0 ? 3 : GEMV_MEM_LANES(2) == 0 ? 2 : 1)
#define GEMV_ROWS_MANY                                                                                 \
    (GEMV_MEM_LANES(7) == 0   ? 7                                                                      \
     : GEMV_MEM_LANES(6) == 0 ? 6                                                                      \
     : GEMV_MEM_LANES(4) == 0 ? 4                                                                      \
                              : GEMV_ROWS_FEW)
#define GEMV_ROWS (GEMV_ROWS_MANY > GEMV_ROWS_FROM_MEMORY ? GEMV_ROWS_MANY : GEMV_ROWS_FROM_MEMORY)
#define GEMV_STREAMS_FROM (16.0 * (1 << 20)) /* bytes of A */

static inline double GEMV_P(a_bytes)(const GEMV_P(gemv_job) *j)
{
    return (double)j->vecs * (double)j->len * sizeof(GEMV_T);
}

/* Whether A is GEMV_STREAMS_FROM bytes or more: read as streams, not from
 * cache (the axpy form). */
static inline bool GEMV_P(a_streams)(const GEMV_P(gemv_job) *j)
{
    return GEMV_P(a_bytes)(j) >= GEMV_STREAMS_FROM;
}

/* The rows the dot form reads at once, by the bytes of A: from
 * GEMV_DOT_STREAMS_FROM GEMV_ROWS_FROM_MEMORY, from GEMV_MANY_ROWS_FROM
 * GEMV_ROWS_MANY, from GEMV_ONE_ROW_FROM one, below it GEMV_ROWS_FEW. */
static inline int GEMV_P(dot_rows_at_once)(const GEMV_P(gemv_job) *j)
{
    const double bytes = GEMV_P(a_bytes)(j);
    return bytes >= GEMV_DOT_STREAMS_FROM ? GEMV_ROWS_FROM_MEMORY
           : bytes >= GEMV_MANY_ROWS_FROM ? GEMV_ROWS_MANY
           : bytes >= GEMV_ONE_ROW_FROM   ? 1
                                          : GEMV_ROWS_FEW;
}

/* Product p added to lane vector l: acc[l] below GEMV_REG_LANES, mem[]
 * from there (HPK__IN_MEMORY: else the compiler holds them in registers
 * after all, and spills others to the stack). */
static inline __attribute__((always_inline)) void GEMV_P(add_lane)(GEMV_VEC acc[GEMV_REG_LANES], GEMV_VEC *mem,
                                                                  int l, GEMV_VEC p)
{
    if (l < GEMV_REG_LANES)
        acc[l] += p;
    else {
        mem[l - GEMV_REG_LANES] += p;
        HPK__IN_MEMORY(mem[l - GEMV_REG_LANES]);
    }
}

/* One step: GEMV_NLANES elements of each row (v[i]) times those of x, row
 * i's lane vector q into lane vector i GEMV_NV + q (add_lane). */
static inline __attribute__((always_inline)) void GEMV_P(dot_step)(const GEMV_T *x, const GEMV_T *const *v,
                                                                  int64_t k, int rows,
                                                                  GEMV_VEC acc[GEMV_REG_LANES], GEMV_VEC *mem)
{
    HPK__EACH(q, GEMV_NV) {
        GEMV_VEC xv = GEMV_LOAD(x + k + q * GEMV_VN);
        HPK__IN_REGISTER(xv);
        if (rows * GEMV_NV <= GEMV_REG_LANES) { /* no lane in memory (clang unrolls no loop with the asm) */
            HPK__EACH(i, rows)
                acc[i * GEMV_NV + q] += GEMV_LOAD(v[i] + k + q * GEMV_VN) * xv;
            continue;
        }
        HPK__EACH(i, rows)
            GEMV_P(add_lane)(acc, mem, i * GEMV_NV + q, GEMV_LOAD(v[i] + k + q * GEMV_VN) * xv);
    }
}

/* The tail step: the last `rest` (< GEMV_NLANES) elements of each row from
 * k, against x's tail padded with zeros (xtail): whole vectors loaded as
 * they are, the one cut short through GEMV_LOAD_FIRST (zeros past the
 * row's end, nothing read there), those past the end left out.  Their
 * products are +0.0, which changes no lane: a lane starts at +0.0 and so
 * is never -0.0. */
static inline __attribute__((always_inline)) void GEMV_P(dot_tail)(const GEMV_T *xtail, const GEMV_T *const *v,
                                                                  int64_t k, int rest, int rows,
                                                                  GEMV_VEC acc[GEMV_REG_LANES], GEMV_VEC *mem)
{
    HPK__EACH(q, GEMV_NV) {
        const int count = rest - q * GEMV_VN;
        if (count <= 0)
            break;
        GEMV_VEC xv = GEMV_LOAD(xtail + q * GEMV_VN);
        HPK__IN_REGISTER(xv);
        HPK__EACH(i, rows) {
            const GEMV_T *row = v[i] + k + q * GEMV_VN;
            GEMV_P(add_lane)(acc, mem, i * GEMV_NV + q, GEMV_LOAD_FIRST(row, count < GEMV_VN ? count : GEMV_VN) * xv);
        }
    }
}

/* dst[0 .. GEMV_NLANES) := src[0 .. count), then zeros.  Out of line, so
 * that its stores are not taken for spills (tests/check_hot_loops.py). */
static __attribute__((noinline)) void GEMV_P(pad_tail)(GEMV_T *dst, const GEMV_T *src, int64_t count)
{
    for (int64_t l = 0; l < GEMV_NLANES; l++)
        dst[l] = l < count ? src[l] : (GEMV_T)0;
}

/* Block b of `rows` consecutive rows from r: each row's lanes over the
 * block, folded into out[i]; mem holds GEMV_MEM_LANES(rows) lane
 * vectors. */
static inline __attribute__((always_inline)) void GEMV_P(dot_block)(const GEMV_P(gemv_job) *j, int64_t r,
                                                                   int rows, int64_t b, GEMV_T *out, GEMV_VEC *mem)
{
    const int64_t first = b * HPK__REDUCE_BLOCK, len = length_of(j->len, HPK__REDUCE_BLOCK, b);
    const int64_t full = len - len % GEMV_NLANES;
    const int lanes = rows * GEMV_NV, in_reg = lanes < GEMV_REG_LANES ? lanes : GEMV_REG_LANES;
    const GEMV_T *x = j->x + first;
    const GEMV_T *v[GEMV_ROWS];
    for (int i = 0; i < rows; i++)
        v[i] = j->a + (r + i) * j->lda + first;
    GEMV_VEC acc[GEMV_REG_LANES];
    HPK__ZERO_EACH(acc, in_reg);
    HPK__ZERO_EACH(mem, lanes - in_reg);
    for (int64_t k = 0; k < full; k += GEMV_NLANES)
        GEMV_P(dot_step)(x, v, k, rows, acc, mem);
    if (full < len) /* (x's tail padded once per call: GEMV_ENTRY) */
        GEMV_P(dot_tail)(j->xtail, v, full, (int)(len - full), rows, acc, mem);
    HPK__EACH(i, rows) {
        GEMV_VEC row[GEMV_NV];
        HPK__EACH(q, GEMV_NV) {
            const int l = i * GEMV_NV + q;
            row[q] = l < GEMV_REG_LANES ? acc[l] : mem[l - GEMV_REG_LANES];
        }
        out[i] = GEMV_FOLD(row, GEMV_NV);
    }
}

/* Blocks [first, first + count) of the rows (GEMV_ROWS_FROM_MEMORY,
 * GEMV_ROWS_MANY, GEMV_ROWS_FEW or 1), combined in the tree.  Out of line, so
 * that mem is a pointer to it, not an array of its own that the compiler
 * would try to keep in registers. */
static __attribute__((noinline)) void GEMV_P(dot_rows)(const GEMV_P(gemv_job) *j, int64_t r, int rows,
                                                       int64_t first, int64_t count, GEMV_T *out, GEMV_VEC *mem)
{
    if (count == 1) {
        if (rows == GEMV_ROWS_FROM_MEMORY)
            GEMV_P(dot_block)(j, r, GEMV_ROWS_FROM_MEMORY, first, out, mem);
        else if (rows == GEMV_ROWS_MANY)
            GEMV_P(dot_block)(j, r, GEMV_ROWS_MANY, first, out, mem);
        else if (rows == GEMV_ROWS_FEW)
            GEMV_P(dot_block)(j, r, GEMV_ROWS_FEW, first, out, mem);
        else
            GEMV_P(dot_block)(j, r, 1, first, out, mem);
        return;
    }
    const int64_t left = hpk__tree_left(count);
    GEMV_T right[GEMV_ROWS];
    GEMV_P(dot_rows)(j, r, rows, first, left, out, mem);
    GEMV_P(dot_rows)(j, r, rows, first + left, count - left, right, mem);
    for (int i = 0; i < rows; i++)
        out[i] += right[i];
}

static void GEMV_P(gemv_dot_body)(const void *job, int64_t begin, int64_t end)
{
    const GEMV_P(gemv_job) *j = job;
    const int64_t nblocks = count_of(j->len, HPK__REDUCE_BLOCK);
    int rows = GEMV_P(dot_rows_at_once)(j);
    GEMV_VEC mem[GEMV_MEM_LANES(GEMV_ROWS) + 1];
    GEMV_T t[GEMV_ROWS];
    for (int64_t r = begin; r < end; r += rows) {
        if (r + rows > end)
            rows = 1; /* the last few, one at a time */
        /* the common cases in cache, one block a row: no call, no tree (a
         * shared dispatcher with dot_rows' also inlined the from-memory
         * block here, and ran small matrices 5-9% slower on avx512) */
        if (nblocks == 1 && rows == GEMV_ROWS_MANY)
            GEMV_P(dot_block)(j, r, GEMV_ROWS_MANY, 0, t, mem);
        else if (nblocks == 1 && rows == GEMV_ROWS_FEW)
            GEMV_P(dot_block)(j, r, GEMV_ROWS_FEW, 0, t, mem);
        else if (nblocks == 1 && rows == 1)
            GEMV_P(dot_block)(j, r, 1, 0, t, mem);
        else
            GEMV_P(dot_rows)(j, r, rows, 0, nblocks, t, mem);
        for (int i = 0; i < rows; i++)
            GEMV_P(gemv_store)(j, t[i], j->y + (r + i) * j->incy);
    }
}

/* Run `run` of vectors folded into acc[0 .. width) (y elements e0 ..), from
 * +0.0, `depth` vectors per pass; each element still adds x_k v_k one k
 * after the other, so the depth changes no bit. */
static inline __attribute__((always_inline)) void GEMV_P(axpy_passes)(const GEMV_P(gemv_job) *j, int64_t e0,
                                                                     int64_t width, int64_t run, GEMV_T *acc,
                                                                     int depth)
{
    const int64_t lda = j->lda, incx = j->incx, k0 = run * HPK__GEMV_RUN;
    const int64_t k1 = k0 + length_of(j->vecs, HPK__GEMV_RUN, run);
    const GEMV_T *v = j->a + e0;
    for (int64_t e = 0; e < width; e++)
        acc[e] = (GEMV_T)0;
    int64_t k = k0;
    for (; k + depth <= k1; k += depth) {
        GEMV_T xk[HPK__GEMV_DEPTH];
        const GEMV_T *vk[HPK__GEMV_DEPTH];
        HPK__EACH(d, depth) {
            xk[d] = j->x[(k + d) * incx];
            vk[d] = v + (k + d) * lda;
        }
        for (int64_t e = 0; e < width; e++) {
            GEMV_T t = acc[e];
            HPK__EACH(d, depth) t += xk[d] * vk[d][e];
            acc[e] = t;
        }
    }
    for (; k < k1; k++) {
        const GEMV_T xk = j->x[k * incx];
        const GEMV_T *vk = v + k * lda;
        for (int64_t e = 0; e < width; e++)
            acc[e] += xk * vk[e];
    }
}

/* One run, HPK__GEMV_DEPTH vectors per pass, or GEMV_DEPTH_IN_CACHE where A
 * is under GEMV_STREAMS_FROM.  acc, the panel, lives in L1 by design;
 * kept out of line, it is reached through a pointer rather than as a stack
 * array (tests/check_hot_loops.py allows the one, not the other). */
static __attribute__((noinline)) void GEMV_P(axpy_run)(const GEMV_P(gemv_job) *j, int64_t e0, int64_t width,
                                                       int64_t run, GEMV_T *acc)
{
    if (GEMV_DEPTH_IN_CACHE != HPK__GEMV_DEPTH && !GEMV_P(a_streams)(j))
        GEMV_P(axpy_passes)(j, e0, width, run, acc, GEMV_DEPTH_IN_CACHE);
    else
        GEMV_P(axpy_passes)(j, e0, width, run, acc, HPK__GEMV_DEPTH);
}

/* Runs [first, first + count) combined in the tree. */
static void GEMV_P(axpy_runs)(const GEMV_P(gemv_job) *j, int64_t e0, int64_t width, int64_t first, int64_t count,
                              GEMV_T *acc)
{
    if (count == 1) {
        GEMV_P(axpy_run)(j, e0, width, first, acc);
        return;
    }
    const int64_t left = hpk__tree_left(count);
    GEMV_T right[GEMV_PANEL];
    GEMV_P(axpy_runs)(j, e0, width, first, left, acc);
    GEMV_P(axpy_runs)(j, e0, width, first + left, count - left, right);
    for (int64_t e = 0; e < width; e++)
        acc[e] += right[e];
}

/* gemv_store for y[0 .. width) (stride incy) from the panel t: each
 * element as gemv_store computes it, in loops the compiler vectorizes
 * where y is contiguous. */
static void GEMV_P(store_panel)(const GEMV_P(gemv_job) *j, const GEMV_T *restrict t, int64_t width,
                                GEMV_T *restrict y)
{
    const GEMV_T alpha = j->alpha, beta = j->beta;
    const int64_t inc = j->incy;
    if (beta == (GEMV_T)0 && inc == 1)
        for (int64_t e = 0; e < width; e++)
            y[e] = alpha * t[e];
    else if (inc == 1)
        for (int64_t e = 0; e < width; e++)
            y[e] = alpha * t[e] + beta * y[e];
    else
        for (int64_t e = 0; e < width; e++)
            GEMV_P(gemv_store)(j, t[e], y + e * inc);
}

static void GEMV_P(gemv_axpy_body)(const void *job, int64_t begin, int64_t end)
{
    const GEMV_P(gemv_job) *j = job;
    GEMV_T acc[GEMV_PANEL];
    for (int64_t e0 = begin; e0 < end; e0 += GEMV_PANEL) {
        const int64_t width = end - e0 < GEMV_PANEL ? end - e0 : GEMV_PANEL;
        GEMV_P(axpy_runs)(j, e0, width, j->run_first, j->run_count, acc);
        if (j->t)
            memcpy(j->t + e0, acc, (size_t)width * sizeof *acc);
        else
            GEMV_P(store_panel)(j, acc, width, j->y + e0 * j->incy);
    }
}

/* alpha == 0: y := beta * y, without reading A or x (beta == 0 writes 0). */
static void GEMV_P(gemv_scale_body)(const void *job, int64_t begin, int64_t end)
{
    const GEMV_P(gemv_job) *j = job;
    for (int64_t i = begin; i < end; i++) {
        GEMV_T *y = j->y + i * j->incy;
        *y = j->beta == (GEMV_T)0 ? (GEMV_T)0 : j->beta * *y;
    }
}

hpk_status GEMV_ENTRY(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n, GEMV_T alpha,
                      const GEMV_T *a, int64_t lda, const GEMV_T *x, int64_t incx, GEMV_T beta, GEMV_T *y, int64_t incy)
{
    const gemv_shape s = gemv_shape_of(layout, trans, m, n);
    GEMV_P(gemv_job) job = {s.vecs, s.len, lda, incx, incy, a, x + hpk__vector_origin(s.xlen, incx),
                            y + hpk__vector_origin(s.ylen, incy), alpha, beta, 0, count_of(s.vecs, HPK__GEMV_RUN),
                            NULL, {0}};
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)m * (double)n;
    if (alpha == (GEMV_T)0) {
        run->range(ctx, s.ylen, 1, (double)s.ylen, GEMV_P(gemv_scale_body), &job);
        return HPK_SUCCESS;
    }
    if (!s.dot_form) {
        run->range(ctx, s.ylen, GEMV_CACHE_LINE(GEMV_T), work, GEMV_P(gemv_axpy_body), &job);
        return HPK_SUCCESS;
    }
    GEMV_T *packed = NULL;
    if (incx != 1) {
        if (!(packed = malloc((size_t)s.xlen * sizeof *packed)))
            return hpk__fail(ctx, HPK_ERR_ALLOC, GEMV_NAME ": out of memory packing x (%lld elements)",
                             (long long)s.xlen);
        for (int64_t i = 0; i < s.xlen; i++)
            packed[i] = job.x[i * incx];
        job.x = packed;
        job.incx = 1;
    }
    _Static_assert(HPK__REDUCE_BLOCK % GEMV_NLANES == 0, "blocks hold whole steps: only the last has a tail");
    const int64_t full = s.len - s.len % GEMV_NLANES;
    if (full < s.len)
        GEMV_P(pad_tail)(job.xtail, job.x + full, s.len - full);
    run->range(ctx, s.ylen, GEMV_P(dot_rows_at_once)(&job), work, GEMV_P(gemv_dot_body), &job);
    free(packed);
    return HPK_SUCCESS;
}

#undef GEMV_T
#undef GEMV_P
#undef GEMV_NLANES
#undef GEMV_VEC
#undef GEMV_VN
#undef GEMV_NV
#undef GEMV_LOAD
#undef GEMV_LOAD_FIRST
#undef GEMV_FOLD
#undef GEMV_PANEL
#undef GEMV_ROWS
#undef GEMV_ROWS_FEW
#undef GEMV_ROWS_MANY
#undef GEMV_ROWS_FROM_MEMORY
#undef GEMV_STREAMS_FROM
#undef GEMV_DEPTH_IN_CACHE
#undef GEMV_DOT_STREAMS_FROM
#undef GEMV_ONE_ROW_FROM
#undef GEMV_MANY_ROWS_FROM
#undef GEMV_MEM_LANES
#undef GEMV_REG_LANES
#undef GEMV_ENTRY
#undef GEMV_NAME
