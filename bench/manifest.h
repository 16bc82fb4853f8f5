/* The kernel manifest: every kernel and every variant the benchmarks know,
 * in one table each, in display order.  The C++ harness (bench/) and
 * the C MPI driver (bench/mpi/hpk_bench_mpi.c) read them; `hpk_bench
 * --manifest` prints them as JSON (manifest.c), which scripts/bench saves
 * as manifest.json in every results folder and plots/ reads.  A new kernel
 * is one line of HPK_BENCH_KERNELS and its points in a bench_*.cpp.
 *
 * A kernel: X(name, title, group, family, size, size_label, precisions,
 *             measure, roofline, transfer_direction, transfer_memory,
 *             harness, mpi, mpi_title)
 *   title        the plots' and the report's name for it
 *   group        the --kernels group that selects it (also "all")
 *   family       the report's section it belongs to
 *   size         what a point's size counts: "matrix" (m = n), "elements",
 *                "samples", "bytes" or "problems" (a batched call's
 *                problem count, chosen per point from --batch-bytes, the
 *                working sets; the problem's own size is in the kernel's
 *                name: gemv_batched_N is N x N, ?_rows_N rows of N);
 *                size_label says it on an axis
 *   precisions   "sd" (float and double) or "d"
 *   measure      "bandwidth" (memory-bound: GB/s, % of STREAM, roofline) or
 *                "samples" (Msamples/s)
 *   roofline     NULL, or "cpu" / "device": a roofline kernel of that
 *                side (measured by variant stream / device, any precision)
 *   transfer_*   a host<->device transfer: "upload" / "download" from
 *                "pageable" / "pinned" memory; NULL otherwise
 *   harness, mpi 1 where hpk_bench / hpk_bench_mpi runs it; harness 2:
 *                hpk_bench runs it only when --kernels names it or its
 *                group, not in "all" (the batched family: alone it
 *                takes about 7 minutes of scripts/bench --quick on 2 cores)
 *   mpi_title    the MPI plots' title, NULL: the title
 *
 * A variant: X(name, library, threaded, device, peer, cpu_path, label,
 *              short, harness, pool, description, note)
 *   library      whose code it runs: hpk, openblas, blis, clblast,
 *                baseline (the textbook and plain loops) or roofline
 *   threaded     swept over the thread counts (else run once, threads:1)
 *   device       runs on the OpenCL device (only in OpenCL builds)
 *   peer         the variant its speedup is measured against, or NULL
 *   cpu_path     a --cpu-path run measures it
 *   label, short the plots' names for it (short: the library alone)
 *   harness      hpk_bench runs it (hpk_mpi is hpk_bench_mpi's)
 *   pool         whose threads it runs on: none openmp openblas opencl
 *                (the harness's pause between pools, harness.cpp)
 *   description  one line on what it measures
 *   note         hpk_bench --help's remark after its name, or NULL
 *
 * Plain C: no allocation, nothing but string constants. */
#ifndef HPK_BENCH_MANIFEST_H
#define HPK_BENCH_MANIFEST_H

#include <stdio.h>

/* clang-format off */
#define HPK_BENCH_KERNELS(X) \
    X("gemv_n", "gemv  y = A x", "gemv", "gemv", "matrix", "matrix size m = n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, "gemv  y = A x  (y in blocks)") \
    X("gemv_t", "gemv  y = A\u1d40 x", "gemv", "gemv", "matrix", "matrix size m = n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, NULL) \
    X("dot", "dot", "reductions", "reductions", "elements", "vector elements n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, NULL) \
    X("sum", "sum", "reductions", "reductions", "elements", "vector elements n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, NULL) \
    X("asum", "asum", "reductions", "reductions", "elements", "vector elements n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, NULL) \
    X("nrm2", "nrm2", "reductions", "reductions", "elements", "vector elements n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, NULL) \
    X("iamax", "i?amax", "reductions", "reductions", "elements", "vector elements n", "sd", "bandwidth", NULL, NULL, NULL, 1, 1, NULL) \
    X("mc_pi", "Monte Carlo pi", "mc", "Monte Carlo", "samples", "samples per call", "d", "samples", NULL, NULL, NULL, 1, 1, NULL) \
    X("stream_read", "STREAM read", "stream", "roofline", "elements", "vector elements n", "d", "bandwidth", "cpu", NULL, NULL, 1, 0, NULL) \
    X("stream_triad", "STREAM triad", "stream", "roofline", "elements", "vector elements n", "d", "bandwidth", "cpu", NULL, NULL, 1, 0, NULL) \
    X("cl_stream_read", "device read", "stream", "device roofline", "elements", "vector elements n", "sd", "bandwidth", "device", NULL, NULL, 1, 0, NULL) \
    X("cl_stream_triad", "device triad", "stream", "device roofline", "elements", "vector elements n", "sd", "bandwidth", "device", NULL, NULL, 1, 0, NULL) \
    X("cl_upload", "upload (pageable)", "stream", "device roofline", "elements", "vector elements n", "sd", "bandwidth", "device", "upload", "pageable", 1, 0, NULL) \
    X("cl_download", "download (pageable)", "stream", "device roofline", "elements", "vector elements n", "sd", "bandwidth", "device", "download", "pageable", 1, 0, NULL) \
    X("cl_upload_pinned", "upload (pinned)", "stream", "device roofline", "elements", "vector elements n", "sd", "bandwidth", "device", "upload", "pinned", 1, 0, NULL) \
    X("cl_download_pinned", "download (pinned)", "stream", "device roofline", "elements", "vector elements n", "sd", "bandwidth", "device", "download", "pinned", 1, 0, NULL) \
    X("gemv_batched_4", "batched gemv  y = A x, 4\u00d74", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("gemv_batched_8", "batched gemv  y = A x, 8\u00d78", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("gemv_batched_16", "batched gemv  y = A x, 16\u00d716", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("gemv_batched_32", "batched gemv  y = A x, 32\u00d732", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("gemv_batched_64", "batched gemv  y = A x, 64\u00d764", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("gemv_batched_256", "batched gemv  y = A x, 256\u00d7256", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("nrm2_rows_3", "row norms (nrm2), n = 3", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("nrm2_rows_16", "row norms (nrm2), n = 16", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("nrm2_rows_100", "row norms (nrm2), n = 100", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("nrm2_rows_1000", "row norms (nrm2), n = 1000", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("dot_rows_3", "row dots, n = 3", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("dot_rows_16", "row dots, n = 16", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("dot_rows_100", "row dots, n = 100", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("dot_rows_1000", "row dots, n = 1000", "batched", "batched", "problems", "problems per call", "sd", "bandwidth", NULL, NULL, NULL, 2, 0, NULL) \
    X("gemv_n_gathered", "gemv  y = A x  (y gathered)", "gemv", "gemv", "matrix", "matrix size m = n", "sd", "bandwidth", NULL, NULL, NULL, 0, 1, NULL) \
    X("mc_integrate", "Monte Carlo integral (3-D)", "mc", "Monte Carlo", "samples", "samples per call", "d", "samples", NULL, NULL, NULL, 0, 1, NULL)

#define HPK_BENCH_VARIANTS(X) \
    X("hpk_serial", "hpk", 0, 0, "openblas", 1, "hpk serial", "hpk serial", 1, "none", \
      "hpk, serial backend (the reference)", NULL) \
    X("hpk_omp", "hpk", 1, 0, "openblas", 1, "hpk OpenMP", "hpk OpenMP", 1, "openmp", \
      "hpk, OpenMP backend", NULL) \
    X("openblas", "openblas", 1, 0, NULL, 1, "OpenBLAS", "OpenBLAS", 1, "openblas", \
      "OpenBLAS (pthreads build), openblas_set_num_threads(t)", NULL) \
    /* BLIS's OpenMP build (Debian's default) shares libgomp with hpk. */ \
    X("blis", "blis", 1, 0, "openblas", 1, "BLIS", "BLIS", 1, "openmp", \
      "BLIS (typed API, dlopen'ed), bli_thread_set_num_threads(t); its level-1v and level-2 run on one thread", NULL) \
    X("naive_omp", "baseline", 1, 0, "openblas", 0, "textbook OpenMP", "textbook OpenMP", 1, "openmp", \
      "textbook OpenMP: row-by-row matvec, reduction(+:s) loops, rand()-based Monte Carlo", NULL) \
    X("philox_loop", "baseline", 1, 0, "openblas", 0, "plain Philox loop", "plain Philox loop", 1, "openmp", \
      "Monte Carlo pi as a plain scalar loop over hpk's Philox (common/philox.h), parallel for " \
      "reduction(+:hits): hpk's hit count, at the build's C flags", \
      "mc_pi only: the plain loop over hpk's Philox") \
    /* The OpenCL device runs on its own threads (PoCL: all cores), so these */ \
    /* points run once, as threads:1. */ \
    X("hpk_cl_kernel", "hpk", 0, 1, "clblast", 0, "hpk OpenCL (device-resident)", "hpk OpenCL (device-resident)", 1, \
      "opencl", "hpk OpenCL, data resident on the device (hpk_cl_* on cl_mem), kernel time", NULL) \
    X("hpk_cl_e2e", "hpk", 0, 1, NULL, 0, "hpk OpenCL (with transfers)", "hpk OpenCL (with transfers)", 1, "opencl", \
      "hpk OpenCL through the host-pointer API: upload, compute, download", NULL) \
    X("clblast", "clblast", 0, 1, NULL, 0, "CLBlast (device-resident)", "CLBlast", 1, "opencl", \
      "CLBlast on the same device and queue, data resident", NULL) \
    X("stream", "roofline", 1, 0, NULL, 1, "STREAM", "STREAM", 1, "openmp", \
      "STREAM-style bandwidth: read-only sum and triad", NULL) \
    X("device", "roofline", 0, 1, NULL, 0, "device roofline", "device roofline", 1, "opencl", \
      "the OpenCL device's roofline: read-only sum and triad on device buffers, host<->device " \
      "transfers from pageable and pinned memory", NULL) \
    X("hpk_mpi", "hpk", 1, 0, "hpk_omp", 0, "hpk MPI", "hpk MPI", 0, "openmp", \
      "hpk over MPI ranks (hpk_mpi.h): bench/mpi/hpk_bench_mpi, rows hpk_mpi_strong and hpk_mpi_weak "     \
      "(_uneven appended for an uneven split)", NULL)
/* clang-format on */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hpkb_kernel {
    const char *name, *title, *group, *family, *size, *size_label, *precisions, *measure, *roofline,
        *transfer_direction, *transfer_memory;
    int harness, mpi;
    const char *mpi_title;
} hpkb_kernel;

typedef struct hpkb_variant {
    const char *name, *library;
    int threaded, device;
    const char *peer;
    int cpu_path;
    const char *label, *short_label;
    int harness;
    const char *pool, *description, *note;
} hpkb_variant;

/* The tables (manifest.c), in display order, and their lengths. */
extern const hpkb_kernel hpkb_kernels[];
extern const int hpkb_kernel_count;
extern const hpkb_variant hpkb_variants[];
extern const int hpkb_variant_count;

/* The kernel or variant named `name`, or NULL. */
const hpkb_kernel *hpkb_find_kernel(const char *name);
const hpkb_variant *hpkb_find_variant(const char *name);

/* The manifest as one JSON object (schema 1), with a final newline. */
void hpkb_manifest_write(FILE *out);

#ifdef __cplusplus
}
#endif

#endif
