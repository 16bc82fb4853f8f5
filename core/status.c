/* Status descriptions and the runtime version string. */
#include "hpk/hpk.h"
#include "macros.h"

const char *hpk_status_string(hpk_status status)
{
    switch (status) {
    case HPK_SUCCESS: return "success";
    case HPK_ERR_INVALID_ARG: return "invalid argument";
    case HPK_ERR_ALLOC: return "memory allocation failed";
    case HPK_ERR_UNSUPPORTED: return "unsupported by this build or device";
    case HPK_ERR_DEVICE: return "OpenCL device error";
    case HPK_ERR_NO_DEVICE: return "no matching OpenCL device";
    case HPK_ERR_MPI: return "MPI error";
    case HPK_ERR_MISMATCH: return "device and CPU results differ";
    }
    return "unknown status";
}

const char *hpk_version_string(void)
{
    return HPK__STR(HPK_VERSION_MAJOR) "." HPK__STR(HPK_VERSION_MINOR) "." HPK__STR(HPK_VERSION_PATCH);
}
