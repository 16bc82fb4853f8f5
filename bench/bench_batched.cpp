// Batched points (the `batched` family): many small problems in one call.
// Strided-batched GEMV, y_k = A_k x_k for square row-major A_k of N x N
// (gemv_batched_N), and the row norms and row dots of a row-major matrix
// of rows of N (nrm2_rows_N, dot_rows_N), in float and double, for hpk's
// batched host-pointer calls (serial, OpenMP, OpenCL end to end: one call,
// one launch) against a loop of single OpenBLAS calls on the same threads.
// A point's size is its problem count, the most problems that fit in one
// of --batch-bytes (the working sets).  Each variant's results are checked
// once per point, untimed, against hpk serial's: bitwise for hpk, within a
// rounding bound for OpenBLAS.
#include "harness.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

namespace hpkb {

enum class Op { gemv, nrm2, dot };

struct Batched {
    const char *kernel;  // the manifest's name (bench/manifest.h)
    Op op;
    int64_t n;  // the problem's size: N x N, or rows of N
};

static const Batched kBatched[] = {
    {"gemv_batched_4", Op::gemv, 4},    {"gemv_batched_8", Op::gemv, 8},     {"gemv_batched_16", Op::gemv, 16},
    {"gemv_batched_32", Op::gemv, 32},  {"gemv_batched_64", Op::gemv, 64},   {"gemv_batched_256", Op::gemv, 256},
    {"nrm2_rows_3", Op::nrm2, 3},       {"nrm2_rows_16", Op::nrm2, 16},      {"nrm2_rows_100", Op::nrm2, 100},
    {"nrm2_rows_1000", Op::nrm2, 1000}, {"dot_rows_3", Op::dot, 3},          {"dot_rows_16", Op::dot, 16},
    {"dot_rows_100", Op::dot, 100},     {"dot_rows_1000", Op::dot, 1000},
};

// ---- each library's calls, both types ---------------------------------------
// A problem's operands: A_k = a + k n n, x_k = x + k n, y_k = out + k n
// (gemv); row k = a + k n (and x + k n for dot), result k = out[k].
static hpk_status hpk_batched(hpk_ctx *c, Op op, int64_t n, int64_t batch, const double *a, const double *x,
                              double *out)
{
    switch (op) {
    case Op::gemv:
        return hpk_dgemv_strided_batched(c, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0, a, n, n * n, x, 1, n, 0.0, out,
                                         1, n, batch);
    case Op::nrm2:
        return hpk_dnrm2_strided_batched(c, n, a, 1, n, out, batch);
    default:
        return hpk_ddot_strided_batched(c, n, a, 1, n, x, 1, n, out, batch);
    }
}
static hpk_status hpk_batched(hpk_ctx *c, Op op, int64_t n, int64_t batch, const float *a, const float *x,
                              float *out)
{
    switch (op) {
    case Op::gemv:
        return hpk_sgemv_strided_batched(c, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0f, a, n, n * n, x, 1, n, 0.0f,
                                         out, 1, n, batch);
    case Op::nrm2:
        return hpk_snrm2_strided_batched(c, n, a, 1, n, out, batch);
    default:
        return hpk_sdot_strided_batched(c, n, a, 1, n, x, 1, n, out, batch);
    }
}

// The loop a user of OpenBLAS writes: one single call per problem.
static void blas_loop(Op op, int64_t n, int64_t batch, const double *a, const double *x, double *out)
{
    const blasint bn = blasint(n);
    for (int64_t k = 0; k < batch; k++)
        if (op == Op::gemv)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, bn, bn, 1.0, a + k * n * n, bn, x + k * n, 1, 0.0, out + k * n,
                        1);
        else if (op == Op::nrm2)
            out[k] = cblas_dnrm2(bn, a + k * n, 1);
        else
            out[k] = cblas_ddot(bn, a + k * n, 1, x + k * n, 1);
}
static void blas_loop(Op op, int64_t n, int64_t batch, const float *a, const float *x, float *out)
{
    const blasint bn = blasint(n);
    for (int64_t k = 0; k < batch; k++)
        if (op == Op::gemv)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, bn, bn, 1.0f, a + k * n * n, bn, x + k * n, 1, 0.0f,
                        out + k * n, 1);
        else if (op == Op::nrm2)
            out[k] = cblas_snrm2(bn, a + k * n, 1);
        else
            out[k] = cblas_sdot(bn, a + k * n, 1, x + k * n, 1);
}

// ---- sizes and work ------------------------------------------------------------
// Elements of one problem: its inputs (A and x, or its rows) and its outputs.
static int64_t problem_inputs(const Batched &b)
{
    return b.op == Op::gemv ? b.n * b.n + b.n : b.op == Op::dot ? 2 * b.n : b.n;
}
static int64_t problem_outputs(const Batched &b)
{
    return b.op == Op::gemv ? b.n : 1;
}

// The problem counts of a kernel: for each working set of --batch-bytes,
// the most problems that fit (at least one), each count once.
template <class T> static std::vector<int64_t> batch_counts(const Batched &b)
{
    const int64_t bytes = int64_t(sizeof(T)) * (problem_inputs(b) + problem_outputs(b));
    std::vector<int64_t> out;
    for (const int64_t ws : options().batch_bytes) {
        const int64_t batch = std::max<int64_t>(1, ws / bytes);
        if (std::find(out.begin(), out.end(), batch) == out.end())
            out.push_back(batch);
    }
    return out;
}

// ---- the check -------------------------------------------------------------------
// "" when `got` is hpk serial's `want` (bitwise when `exact`; otherwise
// within a rounding bound: n^2 eps for a sum of n products of numbers in
// [-1, 1), 4 n eps relative for a norm), else what differs.
template <class T>
static std::string compare(const Batched &b, const T *got, const std::vector<T> &want, bool exact)
{
    const double eps = std::numeric_limits<T>::epsilon(), n = double(b.n);
    for (size_t i = 0; i < want.size(); i++) {
        const double g = got[i], w = want[i];
        const double bound = b.op == Op::nrm2 ? 4 * n * eps * std::fabs(w) : 4 * n * n * eps;
        const bool same = exact ? std::memcmp(&got[i], &want[i], sizeof(T)) == 0 : std::fabs(g - w) <= bound;
        if (!same) {
            char text[160];
            std::snprintf(text, sizeof text, "output %zu is %.17g, hpk serial's %.17g%s", i, g, w,
                          exact ? " (not bitwise equal)" : "");
            return text;
        }
    }
    return "";
}

// Runs `check` (which returns "" or what is wrong) the first time a point
// body for `key` runs; false (after fail()) when it found something wrong.
template <class Check> static bool checked_once(benchmark::State &state, const std::string &key, Check check)
{
    static std::map<std::string, std::string> results;
    auto it = results.find(key);
    if (it == results.end())
        it = results.emplace(key, check()).first;
    if (it->second.empty())
        return true;
    fail(state, key + ": " + it->second);
    return false;
}

// hpk serial's outputs of a point, into `ref`: "" or the error.
template <class T>
static std::string reference(const Batched &b, int64_t batch, const T *a, const T *x, std::vector<T> *ref)
{
    ref->assign(size_t(batch * problem_outputs(b)), T(0));
    Context ctx("hpk_serial", 1);
    return hpk_batched(ctx.get(), b.op, b.n, batch, a, x, ref->data()) == HPK_SUCCESS ? "" : ctx.error();
}

// ---- the points ----------------------------------------------------------------
template <class T> static void add_batched(const Batched &b, int64_t batch)
{
    const int64_t n = b.n, inputs = batch * problem_inputs(b), outputs = batch * problem_outputs(b);
    Work w;
    w.bytes = double(sizeof(T)) * double(inputs + outputs);  // every operand once, outputs written
    w.flops = 2.0 * double(batch) * double(b.op == Op::gemv ? n * n : n);
    w.working_set = w.bytes;
    // gemv: A in a, x in x; rows: the matrix in a, dot's second in x; outputs in y.
    const int64_t a_elements = b.op == Op::gemv ? batch * n * n : batch * n;
    Point p{b.kernel, sizeof(T) == 4 ? 's' : 'd', "", batch, w, {{Buf::a, a_elements}, {Buf::y, outputs}}};
    if (b.op != Op::nrm2)
        p.buffers.push_back({Buf::x, batch * n});
    const Op op = b.op;
    auto key = [=](const std::string &variant, int threads) {
        return std::string(b.kernel) + "/" + p.precision + "/" + variant + "/size:" + std::to_string(batch) +
               "/threads:" + std::to_string(threads);
    };

    for (const std::string &variant : host_api_variants()) {
        p.variant = variant;
        add(p, [=](benchmark::State &st, int threads) {
            const T *a = buffer<T>(Buf::a), *x = op == Op::nrm2 ? nullptr : buffer<T>(Buf::x);
            T *out = buffer<T>(Buf::y);
            auto call = [=](hpk_ctx *c) { return hpk_batched(c, op, n, batch, a, x, out); };
            const bool ok = checked_once(st, key(variant, threads), [&] {
                std::vector<T> ref;
                std::string e = reference(b, batch, a, x, &ref);
                if (!e.empty())
                    return "hpk serial: " + e;
                Context ctx(variant, threads);
                return call(ctx.get()) != HPK_SUCCESS ? std::string(ctx.error()) : compare(b, out, ref, true);
            });
            if (ok)
                measure_hpk(st, variant, threads, call);
        });
    }
    p.variant = "openblas";
    add(p, [=](benchmark::State &st, int threads) {
        openblas_set_num_threads(threads);
        const T *a = buffer<T>(Buf::a), *x = op == Op::nrm2 ? nullptr : buffer<T>(Buf::x);
        T *out = buffer<T>(Buf::y);
        const bool ok = checked_once(st, key("openblas", threads), [&] {
            std::vector<T> ref;
            const std::string e = reference(b, batch, a, x, &ref);
            if (!e.empty())
                return "hpk serial: " + e;
            blas_loop(op, n, batch, a, x, out);
            return compare(b, out, ref, false);
        });
        if (!ok)
            return;
        for (auto _ : st) {
            blas_loop(op, n, batch, a, x, out);
            benchmark::ClobberMemory();
        }
    });
}

void register_batched()
{
    for (const Batched &b : kBatched) {
        for (const int64_t batch : batch_counts<float>(b))
            add_batched<float>(b, batch);
        for (const int64_t batch : batch_counts<double>(b))
            add_batched<double>(b, batch);
    }
}

}  // namespace hpkb
