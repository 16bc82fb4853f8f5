# Cross-compiles hpk for 64-bit Arm Linux with Debian's cross toolchain
# (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross) and runs what it builds --
# ctest's tests, try_run -- under qemu-user (qemu-aarch64).  Libraries for
# the target other than libc (cmocka) come from Debian's arm64 multiarch
# packages in /usr/lib/aarch64-linux-gnu (scripts/deps aarch64).
#   cmake -S . -B build/aarch64 --toolchain cmake/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(HPK_AARCH64_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${HPK_AARCH64_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${HPK_AARCH64_TRIPLET}-g++)

# qemu-aarch64 loads the dynamic loader from the cross libc's sysroot (-L).
# The loader looks for libraries in the guest's LD_LIBRARY_PATH (-E sets it
# for the guest alone): the sysroot's first -- libc, libm, libgomp of the
# cross toolchain, which the loader belongs to -- then the arm64 multiarch
# tree for cmocka.  Not the other way round: the multiarch tree has a libc
# of its own (libc6:arm64, which libcmocka0:arm64 depends on), and that
# libc under the sysroot's loader hangs in the first pthread_create.
set(HPK_AARCH64_SYSROOT /usr/${HPK_AARCH64_TRIPLET})
find_program(HPK_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${HPK_QEMU_AARCH64} -L ${HPK_AARCH64_SYSROOT}
    -E LD_LIBRARY_PATH=${HPK_AARCH64_SYSROOT}/lib:/usr/lib/${HPK_AARCH64_TRIPLET})

# Headers and libraries from the sysroot and the multiarch tree; programs
# (pkg-config, python3, ...) from the build machine.  pkg-config reads the
# target's .pc files only.
set(CMAKE_FIND_ROOT_PATH ${HPK_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${HPK_AARCH64_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
