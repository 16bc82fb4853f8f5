// hpk._hpk: the nanobind module behind the Python package hpk, one export_*
// per area (hpk_py.h lists them).
#include "hpk_py.h"

NB_MODULE(_hpk, m) {
    using namespace hpkpy;
    m.doc() = "The compiled core of the hpk package (import hpk instead).";
    export_errors(m);
    export_context(m);
    export_host(m);
    export_mc(m);
    export_opencl(m);
    export_mpi(m);
}
