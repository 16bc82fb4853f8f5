// hpk._hpk: the nanobind module behind the Python package hpk, one export_*
// per area (hpk_py.h lists them).
#include "hpk_py.h"

namespace nb = nanobind;

namespace {

// __all__: the module's public names (not its submodules), so that hpk,
// hpk.cl and hpk.mpi re-export whatever the areas define.
void set_all(nb::module_ m, std::initializer_list<const char *> extra = {}) {
    nb::list names;
    for (auto [key, value] : nb::borrow<nb::dict>(m.attr("__dict__"))) {
        std::string name = nb::cast<std::string>(key);
        if (name[0] != '_' && !PyModule_Check(value.ptr())) names.append(key);
    }
    for (const char *name : extra) names.append(nb::str(name));
    names.sort();
    m.attr("__all__") = names;
}

} // namespace

NB_MODULE(_hpk, m) {
    using namespace hpkpy;
    m.doc() = "The compiled core of the hpk package (import hpk instead).";
    export_errors(m);
    export_context(m);
    export_host(m);
    export_mc(m);
    export_opencl(m);
    export_mpi(m);
    set_all(m, {"__version__"});
    for (const char *sub : {"cl", "mpi"})
        if (nb::hasattr(m, sub)) set_all(nb::borrow<nb::module_>(m.attr(sub)));
}
