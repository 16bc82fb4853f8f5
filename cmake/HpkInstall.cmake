# Install rules: headers, both libraries, the CMake package (hpk::hpk,
# hpk::hpk_static) and hpk.pc for pkg-config.
include(CMakePackageConfigHelpers)

set(HPK_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hpk)
set_target_properties(hpk_static PROPERTIES EXPORT_NAME hpk_static)

install(TARGETS hpk hpk_static EXPORT hpkTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# hpk_mpi.h and hpk_cl.h only with their backends (they need mpi.h and
# <CL/cl.h>, and declare functions only those builds have).
set(_hpk_header_filters PATTERN "*.h")
if(NOT HPK_WITH_MPI)
  list(APPEND _hpk_header_filters PATTERN hpk_mpi.h EXCLUDE)
endif()
if(NOT HPK_WITH_OPENCL)
  list(APPEND _hpk_header_filters PATTERN hpk_cl.h EXCLUDE)
endif()
install(DIRECTORY include/hpk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING ${_hpk_header_filters})
install(EXPORT hpkTargets NAMESPACE hpk:: DESTINATION ${HPK_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/hpkConfig.cmake.in ${PROJECT_BINARY_DIR}/hpkConfig.cmake
  INSTALL_DESTINATION ${HPK_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hpkConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hpkConfig.cmake ${PROJECT_BINARY_DIR}/hpkConfigVersion.cmake
  DESTINATION ${HPK_INSTALL_CMAKEDIR})

# pkg-config: OpenMP travels as a private flag of the static library; the
# OpenCL loader is public (hpk_cl.h users call it too).
set(HPK_PC_LIBS_PRIVATE "-lm")
if(HPK_WITH_OPENMP)
  string(APPEND HPK_PC_LIBS_PRIVATE " ${OpenMP_C_FLAGS}")
endif()
# MPI: its include directories join Cflags (hpk_mpi.h includes mpi.h) and its
# libraries join Libs.private; programs that call MPI themselves build with
# mpicc as usual.
set(HPK_PC_CFLAGS_MPI "")
if(HPK_WITH_MPI)
  foreach(_dir ${MPI_C_INCLUDE_DIRS})
    string(APPEND HPK_PC_CFLAGS_MPI " -I${_dir}")
  endforeach()
  foreach(_lib ${MPI_C_LIBRARIES})
    string(APPEND HPK_PC_LIBS_PRIVATE " ${_lib}")
  endforeach()
endif()
set(HPK_PC_LIBS "-lhpk")
if(HPK_WITH_OPENCL)
  string(APPEND HPK_PC_LIBS " -lOpenCL")
endif()
# The prefix is found relative to the .pc file, so an installed tree can move.
file(RELATIVE_PATH HPK_PC_PREFIX_FROM_PCDIR ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(cmake/hpk.pc.in ${PROJECT_BINARY_DIR}/hpk.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hpk.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
