# Install rules: headers, the libraries, the CMake package (hpk::hpk,
# hpk::hpk_static; with MPI hpk::hpk_mpi, hpk::hpk_mpi_static) and the
# pkg-config files hpk.pc, hpk-static.pc and, with MPI, hpk-mpi.pc.
include(CMakePackageConfigHelpers)

set(HPK_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hpk)
set_target_properties(hpk_static PROPERTIES EXPORT_NAME hpk_static)

install(TARGETS hpk hpk_static EXPORT hpkTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT hpkTargets NAMESPACE hpk:: DESTINATION ${HPK_INSTALL_CMAKEDIR})
# The MPI layer in an export set of its own, which hpkConfig.cmake loads only
# where MPI is found: a program that does not use it needs no MPI to build.
if(HPK_WITH_MPI)
  install(TARGETS hpk_mpi hpk_mpi_static EXPORT hpkMpiTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT hpkMpiTargets NAMESPACE hpk:: DESTINATION ${HPK_INSTALL_CMAKEDIR})
endif()

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

configure_package_config_file(cmake/hpkConfig.cmake.in ${PROJECT_BINARY_DIR}/hpkConfig.cmake
  INSTALL_DESTINATION ${HPK_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hpkConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hpkConfig.cmake ${PROJECT_BINARY_DIR}/hpkConfigVersion.cmake
  DESTINATION ${HPK_INSTALL_CMAKEDIR})

# pkg-config.
#   hpk.pc         libhpk.so; Libs.private lists what libhpk.a needs besides
#                  (OpenMP, libm), for `pkg-config --static` with -static.
#   hpk-static.pc  libhpk.a by its path, and everything it needs: a program
#                  that needs nothing of hpk at run time.  (`pkg-config
#                  --static hpk` cannot give that: it adds to hpk.pc's
#                  -lhpk, and the linker takes libhpk.so over libhpk.a from
#                  the same directory.)
#   hpk-mpi.pc     libhpk_mpi on top of hpk.pc (Requires: hpk), with MPI's
#                  own flags: hpk_mpi.h includes mpi.h, and its users call MPI.
# The OpenCL loader is public in both hpk files: hpk_cl.h users call it too.
set(HPK_PC_OPENMP "")
if(HPK_WITH_OPENMP)
  set(HPK_PC_OPENMP " ${OpenMP_C_FLAGS}")
endif()
set(HPK_PC_OPENCL "")
if(HPK_WITH_OPENCL)
  set(HPK_PC_OPENCL " -lOpenCL")
endif()
set(HPK_PC_LIBS "-L\${libdir} -lhpk${HPK_PC_OPENCL}")
set(HPK_PC_LIBS_PRIVATE "-lm${HPK_PC_OPENMP}")
set(HPK_PC_STATIC_LIBS "\${libdir}/${CMAKE_STATIC_LIBRARY_PREFIX}hpk${CMAKE_STATIC_LIBRARY_SUFFIX}${HPK_PC_OPENCL} -lm${HPK_PC_OPENMP}")

# The prefix is found relative to the .pc file, so an installed tree can move.
file(RELATIVE_PATH HPK_PC_PREFIX_FROM_PCDIR ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
set(_hpk_pc_files hpk hpk-static)
if(HPK_WITH_MPI)
  set(HPK_PC_MPI_CFLAGS "")
  foreach(_dir ${MPI_C_INCLUDE_DIRS})
    string(APPEND HPK_PC_MPI_CFLAGS " -I${_dir}")
  endforeach()
  set(HPK_PC_MPI_LIBS "")
  foreach(_flag ${MPI_C_LINK_FLAGS})
    string(APPEND HPK_PC_MPI_LIBS " ${_flag}")
  endforeach()
  foreach(_lib ${MPI_C_LIBRARIES})
    string(APPEND HPK_PC_MPI_LIBS " ${_lib}")
  endforeach()
  list(APPEND _hpk_pc_files hpk-mpi)
endif()
foreach(_pc ${_hpk_pc_files})
  configure_file(cmake/${_pc}.pc.in ${PROJECT_BINARY_DIR}/${_pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${_pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
