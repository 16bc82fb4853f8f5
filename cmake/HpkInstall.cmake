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
# hpk_cl.h only with the OpenCL backend (it needs <CL/cl.h> and the functions it declares).
set(_hpk_header_excludes)
if(NOT HPK_WITH_OPENCL)
  set(_hpk_header_excludes PATTERN hpk_cl.h EXCLUDE)
endif()
install(DIRECTORY include/hpk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h"
  ${_hpk_header_excludes})
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
set(HPK_PC_LIBS "-lhpk")
if(HPK_WITH_OPENCL)
  string(APPEND HPK_PC_LIBS " -lOpenCL")
endif()
# The prefix is found relative to the .pc file, so an installed tree can move.
file(RELATIVE_PATH HPK_PC_PREFIX_FROM_PCDIR ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(cmake/hpk.pc.in ${PROJECT_BINARY_DIR}/hpk.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hpk.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
