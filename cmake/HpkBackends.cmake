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

if(HPK_WITH_MPI)
  find_package(MPI COMPONENTS C)
  if(NOT MPI_C_FOUND)
    hpk_backend_missing(HPK_WITH_MPI "MPI for C (Debian: libopenmpi-dev openmpi-bin)")
  endif()
endif()

# The OpenCL backend is not part of this version yet.
foreach(_opt HPK_WITH_OPENCL)
  if(${_opt})
    message(FATAL_ERROR "${_opt}: this version of hpk does not contain that backend yet")
  endif()
endforeach()
