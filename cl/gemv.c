/* GEMV on the device: the shape (dot or axpy form), the work split (rows per
 * work-group, and split-K when y is too short to occupy the device), and the
 * kernels enqueued.  Nothing waits: the caller decides when to. */
#include "cl_backend.h"

#define MIN_SPLIT_K 256 /* columns below which a split is not worth its partial sums */

static size_t round_up(size_t v, size_t to)
{
    return (v + to - 1) / to * to;
}

static size_t ceil_div(size_t a, size_t b)
{
    return (a + b - 1) / b;
}

hpk_status hpk__cl_gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                        int64_t m, int64_t n, double alpha, cl_mem a, int64_t a_offset, int64_t lda,
                        hpk__cl_vec x, double beta, hpk__cl_vec y)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_tuning *t = &s->tune;
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_program(ctx, fn, f32 ? HPK__CL_GEMV_S : HPK__CL_GEMV_D, &prog);
    if (st != HPK_SUCCESS)
        return st;

    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    const bool dot_form = row_major == no_trans;
    const cl_long rows = no_trans ? m : n, cols = no_trans ? n : m; /* lengths of y and x */
    const float alpha_s = (float)alpha, beta_s = (float)beta;
    const hpk__cl_arg alpha_arg = f32 ? HPK__ARG(alpha_s) : HPK__ARG(alpha);
    const hpk__cl_arg beta_arg = f32 ? HPK__ARG(beta_s) : HPK__ARG(beta);
    const cl_long ybase = y.base, incy = y.inc;

    if (alpha == 0.0) {
        const hpk__cl_arg args[] = {HPK__ARG(rows), beta_arg, HPK__ARG(y.mem), HPK__ARG(ybase), HPK__ARG(incy)};
        return hpk__cl_launch(ctx, fn, prog->kernels[HPK__K_GEMV_SCALE], args, 5, round_up((size_t)rows, t->wgs), 1);
    }

    /* y elements per work-group, and the column alignment of a split. */
    const size_t vec = (size_t)(f32 ? t->vec_s : t->vec_d);
    size_t per_group, align;
    if (t->cpu_kernels) {
        per_group = t->wgs * (dot_form ? (size_t)t->rows : vec * (size_t)t->axpy_vecs);
        align = dot_form ? vec : 1;
    } else {
        per_group = dot_form ? t->wgs / t->team : t->wgs;
        align = t->wgs;
    }
    const size_t groups = ceil_div((size_t)rows, per_group);
    size_t splits = 1;
    if (groups < t->groups && (size_t)cols >= 2 * MIN_SPLIT_K) {
        const size_t elem = f32 ? sizeof(float) : sizeof(double);
        const size_t room = HPK__CL_SPLIT_BYTES / ((size_t)rows * elem);
        splits = ceil_div(t->groups, groups);
        if (splits > (size_t)cols / MIN_SPLIT_K)
            splits = (size_t)cols / MIN_SPLIT_K;
        if (splits > room)
            splits = room;
        if (splits < 1)
            splits = 1;
    }
    const cl_long kchunk = (cl_long)round_up(ceil_div((size_t)cols, splits), align);
    splits = ceil_div((size_t)cols, (size_t)kchunk);

    const cl_long aoff = a_offset, ld = lda, xbase = x.base, incx = x.inc;
    const hpk__cl_arg args[] = {HPK__ARG(rows), HPK__ARG(cols),  HPK__ARG(kchunk), HPK__ARG(a),
                                HPK__ARG(aoff), HPK__ARG(ld),    HPK__ARG(x.mem),  HPK__ARG(xbase),
                                HPK__ARG(incx), alpha_arg,       beta_arg,         HPK__ARG(y.mem),
                                HPK__ARG(ybase), HPK__ARG(incy), HPK__ARG(s->split)};
    st = hpk__cl_launch(ctx, fn, prog->kernels[dot_form ? HPK__K_GEMV_DOT : HPK__K_GEMV_AXPY], args, 15,
                        groups * t->wgs, splits);
    if (st != HPK_SUCCESS || splits == 1)
        return st;
    const cl_long nsplits = (cl_long)splits;
    const hpk__cl_arg combine[] = {HPK__ARG(rows),  HPK__ARG(nsplits), HPK__ARG(s->split), alpha_arg,
                                   beta_arg,        HPK__ARG(y.mem),   HPK__ARG(ybase),    HPK__ARG(incy)};
    return hpk__cl_launch(ctx, fn, prog->kernels[HPK__K_GEMV_COMBINE], combine, 8, round_up((size_t)rows, t->wgs),
                          1);
}
