/* GEMV on the device in the canonical order (gemv.cl): the shape (dot or
 * axpy form), the blocks or runs (dimension 1), the y elements per
 * work-group, and the kernels enqueued, for one problem or a batch (the
 * launches' last dimension).  Nothing waits: the caller decides when to. */
#include "cl_backend.h"

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
                        hpk__cl_vec x, double beta, hpk__cl_vec y, const hpk__cl_batch *batch)
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
    /* a batch: the problems are the last dimension of every launch */
    const hpk__cl_batch b = batch ? *batch : (hpk__cl_batch){1, 0, 0, 0};
    const cl_long astride = b.a, xstride = b.x, ystride = b.y;
    const size_t problems = (size_t)b.count;

    if (alpha == 0.0) {
        const hpk__cl_arg args[] = {HPK__ARG(rows), beta_arg, HPK__ARG(y.mem), HPK__ARG(ybase), HPK__ARG(incy),
                                    HPK__ARG(ystride)};
        return hpk__cl_launch(ctx, fn, prog->kernels[HPK__K_GEMV_SCALE], args, 6, round_up((size_t)rows, t->wgs),
                              problems, 1);
    }

    /* y elements per work-group; the order's blocks (runs) of x. */
    const size_t vec = (size_t)(f32 ? t->vec_s : t->vec_d);
    size_t per_group;
    if (t->cpu_kernels)
        per_group = t->wgs * (dot_form ? (size_t)t->rows : vec * (size_t)t->axpy_vecs);
    else
        per_group = dot_form ? t->wgs / hpk__cl_lane_team(t, f32) : t->wgs;
    const size_t groups = ceil_div((size_t)rows, per_group);
    const size_t splits = ceil_div((size_t)cols, dot_form ? HPK__REDUCE_BLOCK : HPK__GEMV_RUN);
    /* the partial sums of the blocks (runs), when there are several (the
     * kernels take the buffer either way) */
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    if ((st = hpk__cl_split_room(ctx, fn, (splits > 1 ? splits * (size_t)rows * problems : 1) * elem)) != HPK_SUCCESS)
        return st;
    /* The GPU family gives each block (run) its own groups; the CPU family
     * gives a group several, so that there are about tune.groups groups in
     * all (each one costs a CPU driver a task). */
    size_t per_column = 1;
    if (t->cpu_kernels)
        per_column = ceil_div(splits, groups < t->groups ? ceil_div(t->groups, groups) : 1);
    const size_t columns = ceil_div(splits, per_column);

    const cl_long aoff = a_offset, ld = lda, xbase = x.base, incx = x.inc;
    const cl_long units = (cl_long)splits, per_group_units = (cl_long)per_column;
    const hpk__cl_arg args[] = {HPK__ARG(rows),    HPK__ARG(cols),  HPK__ARG(units),   HPK__ARG(per_group_units),
                                HPK__ARG(a),       HPK__ARG(aoff),  HPK__ARG(ld),      HPK__ARG(astride),
                                HPK__ARG(x.mem),   HPK__ARG(xbase), HPK__ARG(incx),    HPK__ARG(xstride),
                                alpha_arg,         beta_arg,        HPK__ARG(y.mem),   HPK__ARG(ybase),
                                HPK__ARG(incy),    HPK__ARG(ystride), HPK__ARG(s->split)};
    st = hpk__cl_launch(ctx, fn, prog->kernels[dot_form ? HPK__K_GEMV_DOT : HPK__K_GEMV_AXPY], args, 19,
                        groups * t->wgs, columns, problems);
    if (st != HPK_SUCCESS || splits == 1)
        return st;
    const cl_long nsplits = (cl_long)splits;
    const hpk__cl_arg combine[] = {HPK__ARG(rows), HPK__ARG(nsplits), HPK__ARG(s->split), alpha_arg,       beta_arg,
                                   HPK__ARG(y.mem), HPK__ARG(ybase),  HPK__ARG(incy),     HPK__ARG(ystride)};
    return hpk__cl_launch(ctx, fn, prog->kernels[HPK__K_GEMV_COMBINE], combine, 9, round_up((size_t)rows, t->wgs),
                          problems, 1);
}
