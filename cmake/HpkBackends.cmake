# Backend options.  HPK_WITH_OPENCL and HPK_WITH_MPI are AUTO by default: on
# when their dependency is found, off (with one line saying why) when not.
# ON asks for the backend: a missing dependency turns it off with a warning.
# HPK_REQUIRE_BACKENDS makes a missing dependency of any backend that is not
# OFF a hard failure (CI sets it).  HPK_WITH_OPENMP (ON by default) takes
# the same values.
#
# After this file, HPK_WITH_OPENMP, HPK_WITH_OPENCL and HPK_WITH_MPI are
# plain ON/OFF variables (the cache keeps what the user chose, AUTO
# included, so installing a dependency later and reconfiguring picks it up).

# hpk_backend(OPTION WHAT FOUND): resolves OPTION to ON or OFF given whether
# its dependency (WHAT, for the messages) was FOUND.
function(hpk_backend option what found)
  set(choice "${${option}}")
  string(TOUPPER "${choice}" choice_upper)
  if(choice_upper STREQUAL "AUTO")
    set(requested AUTO)
  elseif(choice)
    set(requested ON)
  else()
    set(${option} OFF PARENT_SCOPE)
    return()
  endif()
  if(found)
    set(${option} ON PARENT_SCOPE)
    return()
  endif()
  if(HPK_REQUIRE_BACKENDS)
    message(FATAL_ERROR "${option} is ${choice} and HPK_REQUIRE_BACKENDS is ON, but ${what} was not found")
  endif()
  if(requested STREQUAL "AUTO")
    message(STATUS "${what} not found: ${option} (AUTO) is OFF")
  else()
    message(WARNING "${what} not found: ${option} turned OFF")
    set_property(CACHE ${option} PROPERTY VALUE OFF)
  endif()
  set(${option} OFF PARENT_SCOPE)
endfunction()

# Whether a backend option asks for its backend at all (ON or AUTO).
function(hpk_backend_wanted option out)
  string(TOUPPER "${${option}}" value)
  if(value STREQUAL "AUTO" OR ${option})
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

hpk_backend_wanted(HPK_WITH_OPENMP _want)
if(_want)
  find_package(OpenMP COMPONENTS C)
endif()
hpk_backend(HPK_WITH_OPENMP "OpenMP for C" "${OpenMP_C_FOUND}")

hpk_backend_wanted(HPK_WITH_MPI _want)
if(_want)
  find_package(MPI QUIET COMPONENTS C)
endif()
hpk_backend(HPK_WITH_MPI "MPI for C (Debian: libopenmpi-dev openmpi-bin)" "${MPI_C_FOUND}")

hpk_backend_wanted(HPK_WITH_OPENCL _want)
if(_want)
  find_package(OpenCL 1.2 QUIET)
endif()
hpk_backend(HPK_WITH_OPENCL "OpenCL 1.2 (ICD loader and headers: ocl-icd-opencl-dev, opencl-headers)"
            "${OpenCL_FOUND}")
