// BLIS, the study's second CPU peer, through its own typed API (bli_?dotv,
// bli_?gemv, ...).  libblis exports the same BLAS/CBLAS symbols as
// OpenBLAS (cblas_ddot, ddot_, ...), so it is not linked: blis_api.cpp
// loads it with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) and looks up only the
// bli_ functions, and every cblas_ call of the harness still reaches
// OpenBLAS (blis_check_isolation() verifies it).  BLIS has no plain sum.
#ifndef HPK_BENCH_BLIS_API_H
#define HPK_BENCH_BLIS_API_H

#include <cstdint>
#include <string>

namespace hpkb {

// Loads BLIS once (thread-safe).  False, with the reason in *why, when the
// library or one of its functions cannot be loaded.
bool blis_available(std::string *why = nullptr);

// Version, configuration (architecture, threading model) and library path;
// the reason when it is not available.
std::string blis_description();

// The sub-configuration BLIS chose for this CPU (bli_arch_string of
// bli_arch_query_id: "zen3", "haswell", "skx", "generic", ...); "" when
// BLIS is not available.
std::string blis_arch();

// bli_thread_set_num_threads(t): BLIS's own thread count.  BLIS
// parallelises level-3 operations; its level-1v and level-2 operations
// (everything measured here) run on the calling thread whatever this is.
void blis_set_threads(int threads);

double blis_dot(int64_t n, const double *x, const double *y);
float blis_dot(int64_t n, const float *x, const float *y);
double blis_asum(int64_t n, const double *x);
float blis_asum(int64_t n, const float *x);
double blis_nrm2(int64_t n, const double *x);  // bli_?normfv
float blis_nrm2(int64_t n, const float *x);
int64_t blis_iamax(int64_t n, const double *x);  // 0-based, as hpk's
int64_t blis_iamax(int64_t n, const float *x);
// y = A x (trans false) or A^T x for a square row-major n x n A.
void blis_gemv(bool trans, int64_t n, const double *a, const double *x, double *y);
void blis_gemv(bool trans, int64_t n, const float *a, const float *x, float *y);

// Whether a cblas_ddot call of this program reaches OpenBLAS rather than
// BLIS once BLIS is loaded: compares the address the program's cblas_ddot
// resolves to with BLIS's own.  "" when isolated, else what is wrong.
std::string blis_check_isolation(const void *program_cblas_ddot);

// Whether BLIS can be a peer of this program: loaded (blis_available) and
// isolated (blis_check_isolation); else *why says what is wrong.
bool blis_usable(const void *program_cblas_ddot, std::string *why);

}  // namespace hpkb

#endif
