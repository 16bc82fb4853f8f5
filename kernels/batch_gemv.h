/* GEMV of W small problems side by side (batch.c), for one precision: each
 * operation the GEMV kernels (gemv_typed.h) do on one problem's element is
 * done here on that element of W problems at once -- the dot form's lanes
 * and fold, the axpy form's one run, y's update -- so the bits are the
 * single calls'.  The includer defines
 *   BG_T, BG_V       the element type and its vector of W problems;
 *   BG_LANES         the dot form's lanes for the precision (order.h);
 *   BG_ACROSS(p, i)  element i of the W problems' p[q], as a BG_V;
 *   BG_NAME(name)    name with the precision's suffix;
 * and this file undefines them at its end. */

static void BG_NAME(gemv_side_by_side)(const hpk__batch *b, int64_t k)
{
    const size_t elem = sizeof(BG_T);
    const bool row_major = b->layout == HPK_ROW_MAJOR, no_trans = b->trans == HPK_NO_TRANS;
    const int64_t len = row_major ? b->n : b->m, vecs = row_major ? b->m : b->n;
    const int64_t xlen = no_trans ? b->n : b->m, ylen = no_trans ? b->m : b->n;
    const int64_t lda = b->lda, incx = b->incx, incy = b->incy;
    const BG_T alpha = (BG_T)b->alpha, beta = (BG_T)b->beta;
    const BG_T *a[W], *x[W];
    BG_T *y[W];
    for (int q = 0; q < W; q++) {
        a[q] = hpk__batch_at(&b->a, k + q, elem);
        x[q] = operand_at(&b->x, k, q, xlen, incx, elem);
        y[q] = (BG_T *)operand_at(&b->y, k, q, ylen, incy, elem);
    }
    const int live = len < BG_LANES ? (int)len : BG_LANES;
    for (int64_t i = 0; i < ylen; i++) {
        BG_V t = {0};
        const BG_T *v[W];
        if (row_major == no_trans) { /* dot form: row i with x, in lanes */
            BG_V lanes[BG_LANES];
            for (int q = 0; q < W; q++)
                v[q] = a[q] + i * lda;
            for (int l = 0; l < live; l++) {
                BG_V s = {0};
                for (int64_t j = l; j < len; j += BG_LANES)
                    s += BG_ACROSS(v, j) * BG_ACROSS(x, j * incx);
                lanes[l] = s;
            }
            t = FOLD_LIVE(lanes, BG_LANES, live);
        } else { /* axpy form: x_k v_k[i], k in order, one run */
            for (int64_t kk = 0; kk < vecs; kk++) {
                for (int q = 0; q < W; q++)
                    v[q] = a[q] + kk * lda;
                t += BG_ACROSS(x, kk * incx) * BG_ACROSS(v, i);
            }
        }
        const BG_V r = beta == (BG_T)0 ? alpha * t : alpha * t + beta * BG_ACROSS((const BG_T *const *)y, i * incy);
        for (int q = 0; q < W; q++)
            y[q][i * incy] = r[q];
    }
}

#undef BG_T
#undef BG_V
#undef BG_LANES
#undef BG_ACROSS
#undef BG_NAME
