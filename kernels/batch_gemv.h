/* GEMV of small problems one at a time (batch.c), for one precision, in
 * the path's registers: each y element is computed with the operations of
 * the GEMV kernels (gemv_typed.h) in their order -- the dot form's lanes
 * over one block and their fold, the axpy form's one run, y's update -- so
 * the bits are the single call's, without its fixed costs.  A's vectors
 * are contiguous, so both forms load them a vector at a time, the last
 * vector in part (its other lanes +0.0: in the dot form x's are +0.0 too,
 * and +0.0 changes no lane; in the axpy form those lanes are not stored).
 * The includer defines
 *   BG_T, BG_V        the element type and the path's vector of it;
 *   BG_VN, BG_NV      elements per vector, and vectors of the dot form's
 *                     BG_LANES lanes (order.h's, for the precision);
 *   BG_LOAD(p), BG_LOAD_FIRST(p, count), BG_FOLD_IN(v)
 *                     a vector's load, the load of its first count
 *                     (1 .. BG_VN) elements, and the fold of one vector's
 *                     lanes;
 *   BG_ACROSS_FIRST(a, b), BG_ACROSS_REST(t)
 *                     (optional) BG_FOLD_IN of BG_VN vectors at once, as
 *                     one vector (vec.h's HPK__ACROSS_FIRST_VD, _REST_VD);
 *   BG_NAME(name)     name with the precision's suffix;
 * and this file undefines them at its end. */

/* Whether the dot form holds x's lane vectors in registers for all rows:
 * vectors of one step, with a row's lanes, the folds of half a group of
 * rows (below) and 3 more beside them. */
#define X_HELD(shape) ((shape) <= BG_NV && 2 * (shape) + BG_VN / 2 + 3 <= HPK__VREGS)

/* Row v (len elements, of the given shape) times x, in the dot form's
 * lanes, folded to one vector (its lanes' fold, BG_FOLD_IN, is the row's
 * sum); in lane groups that fit the registers.  x's lane vectors from xv
 * when X_HELD. */
ALWAYS_INLINE BG_V BG_NAME(dense_row)(int shape, const BG_T *v, const BG_T *x, const BG_V *xv, int64_t len)
{
    const int live = SHAPE_LIVE(shape, BG_NV);
    const int groups = DENSE_GROUPS(live, 3), width = (live + groups - 1) / groups;
    BG_V all[BG_NV];
    for (int g = 0; g < groups; g++) {
        BG_V s[BG_NV];
        HPK__ZERO_EACH(s, width);
        int64_t k = 0;
        for (; shape > BG_NV && k + BG_LANES <= len; k += BG_LANES)
            HPK__EACH(q, width) {
                const int64_t i = k + (g * width + q) * BG_VN;
                if (g * width + q < live)
                    s[q] += BG_LOAD(v + i) * BG_LOAD(x + i);
            }
        HPK__EACH(q, width) {
            const int f = g * width + q, c = step_count(len, k, f, BG_VN, shape, BG_NV);
            const int64_t i = k + f * BG_VN;
            if (f >= live)
                continue;
            if (c > 0)
                s[q] += BG_LOAD_FIRST(v + i, c) * (X_HELD(shape) ? xv[f] : BG_LOAD_FIRST(x + i, c));
            all[f] = s[q];
        }
    }
    return FOLD_LIVE(all, BG_NV, live);
}

/* y := alpha t + beta y; with beta == 0, y is not read. */
ALWAYS_INLINE void BG_NAME(dense_store)(BG_T alpha, BG_T beta, BG_T t, BG_T *y)
{
    *y = beta == (BG_T)0 ? alpha * t : alpha * t + beta * *y;
}

/* The axpy form's y elements [e, e + AXPY_VECTORS BG_VN) of len: x_k v_k
 * over the vectors k of one run, in order. */
#define AXPY_VECTORS 4
ALWAYS_INLINE void BG_NAME(dense_axpy)(const hpk__batch *b, const BG_T *a, const BG_T *x, BG_T *y, int64_t len,
                                       int64_t e)
{
    const int64_t vecs = b->layout == HPK_ROW_MAJOR ? b->m : b->n;
    const int64_t left = len - e;
    const int fulls = left >= AXPY_VECTORS * BG_VN ? AXPY_VECTORS : (int)(left / BG_VN);
    const int part = fulls < AXPY_VECTORS ? (int)(left - fulls * BG_VN) : 0;
    BG_V t[AXPY_VECTORS];
    HPK__ZERO_EACH(t, AXPY_VECTORS);
    for (int64_t k = 0; k < vecs; k++) {
        const BG_T xk = x[k * b->incx], *v = a + k * b->lda + e;
        HPK__EACH(q, AXPY_VECTORS) {
            if (q < fulls)
                t[q] += xk * BG_LOAD(v + q * BG_VN);
            else if (q == fulls && part > 0)
                t[q] += xk * BG_LOAD_FIRST(v + q * BG_VN, part);
        }
    }
    const BG_T alpha = (BG_T)b->alpha, beta = (BG_T)b->beta;
    HPK__EACH(q, AXPY_VECTORS)
        HPK__EACH(l, BG_VN) {
            if (q * BG_VN + l < left)
                BG_NAME(dense_store)(alpha, beta, t[q][l], y + (e + q * BG_VN + l) * b->incy);
        }
}

/* Problems [begin, end) of a dense GEMV batch (gemv_is_dense); the dot
 * form's rows of the given shape. */
ALWAYS_INLINE void BG_NAME(gemv_problems)(int shape, const hpk__batch *b, int64_t begin, int64_t end)
{
    const size_t elem = sizeof(BG_T);
    const bool row_major = b->layout == HPK_ROW_MAJOR, no_trans = b->trans == HPK_NO_TRANS;
    const int64_t len = row_major ? b->n : b->m, lda = b->lda, incx = b->incx, incy = b->incy;
    const int64_t xlen = no_trans ? b->n : b->m, ylen = no_trans ? b->m : b->n;
    const BG_T alpha = (BG_T)b->alpha, beta = (BG_T)b->beta;
    const hpk__batch_operand ao = b->a, xo = b->x, yo = b->y;
    for (int64_t k = begin; k < end; k++) {
        const BG_T *a = hpk__batch_at(&ao, k, elem), *x = operand_at(&xo, k, 0, xlen, incx, elem);
        BG_T *y = (BG_T *)operand_at(&yo, k, 0, ylen, incy, elem);
        if (row_major != no_trans) { /* axpy form */
            for (int64_t e = 0; e < len; e += AXPY_VECTORS * BG_VN)
                BG_NAME(dense_axpy)(b, a, x, y, len, e);
            continue;
        }
        BG_T packed[DENSE_GEMV_MAX]; /* x, contiguous */
        if (incx != 1) {
            for (int64_t j = 0; j < len; j++)
                packed[j] = x[j * incx];
            x = packed;
        }
        BG_V xv[BG_NV];
        if (X_HELD(shape))
            HPK__EACH(f, BG_NV) {
                if (f < shape)
                    xv[f] = BG_LOAD_FIRST(x + f * BG_VN, step_count(len, 0, f, BG_VN, shape, BG_NV));
            }
        int64_t i = 0;
#ifdef BG_ACROSS_FIRST
        /* BG_VN rows' folds at once, the first level as rows i + p and
         * i + p + BG_VN / 2 come: BG_VN y elements (where x is held: the
         * group's loads of x are the same, which GCC would keep in
         * registers otherwise, as many as the rows' lanes beside them) */
        for (; X_HELD(shape) && i + BG_VN <= ylen; i += BG_VN) {
            BG_V first[BG_VN / 2];
            HPK__EACH(p, BG_VN / 2) {
                const BG_V lo = BG_NAME(dense_row)(shape, a + (i + p) * lda, x, xv, len);
                const BG_V hi = BG_NAME(dense_row)(shape, a + (i + p + BG_VN / 2) * lda, x, xv, len);
                first[p] = BG_ACROSS_FIRST(lo, hi);
            }
            const BG_V t = BG_ACROSS_REST(first);
            if (incy != 1) {
                HPK__EACH(p, BG_VN) BG_NAME(dense_store)(alpha, beta, t[p], y + (i + p) * incy);
                continue;
            }
            const BG_V r = beta == (BG_T)0 ? alpha * t : alpha * t + beta * BG_LOAD(y + i);
            memcpy(y + i, &r, sizeof r);
        }
#endif
        for (; i < ylen; i++)
            BG_NAME(dense_store)(alpha, beta, BG_FOLD_IN(BG_NAME(dense_row)(shape, a + i * lda, x, xv, len)),
                                 y + i * incy);
    }
}

#define BG_ROWS(L) BG_NAME(gemv_problems)(L, b, begin, end)
static __attribute__((noinline)) void BG_NAME(gemv_dense)(const hpk__batch *b, int64_t begin, int64_t end)
{
    if ((b->layout == HPK_ROW_MAJOR) != (b->trans == HPK_NO_TRANS)) {
        BG_NAME(gemv_problems)(0, b, begin, end); /* the axpy form: no lanes */
        return;
    }
    const int shape = shape_of(b->layout == HPK_ROW_MAJOR ? b->n : b->m, BG_LANES, BG_VN, BG_NV);
    WITH_SHAPE(shape, BG_NV, BG_NV, BG_ROWS)
}

#undef BG_ROWS
#undef AXPY_VECTORS
#undef X_HELD
#undef BG_T
#undef BG_V
#undef BG_VN
#undef BG_NV
#undef BG_LANES
#undef BG_LOAD
#undef BG_LOAD_FIRST
#undef BG_FOLD_IN
#undef BG_ACROSS_FIRST
#undef BG_ACROSS_REST
#undef BG_NAME
