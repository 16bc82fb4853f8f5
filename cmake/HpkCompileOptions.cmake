# Compile options shared by every hpk object library (interface targets).
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

add_library(hpk_build_options INTERFACE)
target_compile_options(hpk_build_options INTERFACE
  -Wall -Wextra -Wno-psabi
  # Every code path must round identically: no contraction into FMA.
  -ffp-contract=off
  $<$<CONFIG:Release>:-O3>)
target_compile_definitions(hpk_build_options INTERFACE HPK_BUILDING_LIBRARY)

if(HPK_SANITIZE)
  add_compile_options(-fsanitize=${HPK_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${HPK_SANITIZE})
endif()

# What every part of the library sees (core/, kernels/, cl/, mpi/, and the
# tests that reach into the internals): the public headers, the dispatch
# layer's internal headers (core/), the headers every layer shares
# (common/), and which backends this build has.  kernels/ is not on the
# path: its headers are the CPU kernels' own.  Needs HpkBackends.cmake
# first.
add_library(hpk_internal INTERFACE)
target_include_directories(hpk_internal INTERFACE
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR}/common)
target_compile_definitions(hpk_internal INTERFACE
  $<$<BOOL:${HPK_WITH_OPENMP}>:HPK_HAVE_OPENMP=1>
  $<$<BOOL:${HPK_WITH_OPENCL}>:HPK_HAVE_OPENCL=1>)
