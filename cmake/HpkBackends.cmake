# Backend options: each turns itself off, with a message, when its dependency
# is missing — unless HPK_REQUIRE_BACKENDS asks for a hard failure (CI sets it).
function(hpk_backend_missing option what)
  if(HPK_REQUIRE_BACKENDS)
    message(FATAL_ERROR "${option} is ON but ${what} was not found")
  endif()
  message(WARNING "${what} not found: ${option} turned OFF")
  set(${option} OFF CACHE BOOL "" FORCE)
endfunction()

if(HPK_WITH_OPENMP)
  find_package(OpenMP COMPONENTS C)
  if(NOT OpenMP_C_FOUND)
    hpk_backend_missing(HPK_WITH_OPENMP "OpenMP for C")
  endif()
endif()

if(HPK_WITH_OPENCL)
  find_package(OpenCL 1.2)
  if(NOT OpenCL_FOUND)
    hpk_backend_missing(HPK_WITH_OPENCL "OpenCL 1.2 (ICD loader and headers: ocl-icd-opencl-dev, opencl-headers)")
  endif()
endif()

# The MPI layer is not part of this version yet.
if(HPK_WITH_MPI)
  message(FATAL_ERROR "HPK_WITH_MPI: this version of hpk does not contain the MPI layer yet")
endif()
