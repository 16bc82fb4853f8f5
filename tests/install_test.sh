#!/usr/bin/env bash
# Installs the built hpk into a temporary prefix, then builds and runs the
# examples against it: through find_package(hpk) and through pkg-config
# (hpk, hpk-static, hpk-mpi), and checks what each program depends on:
# libhpk and CPU-only programs never on MPI, static ones never on libhpk.so.
# usage: install_test.sh SOURCE_DIR BUILD_DIR CMAKE CC
set -euo pipefail
src=$1 build=$2 cmake=$3 cc=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

"$cmake" --install "$build" --prefix "$prefix" >/dev/null

# Fails when a program or library depends on a shared library matching $2.
no_dependency() {
  if ldd "$1" | grep "$2" >/dev/null; then
    echo "$(basename "$1") depends on $2:"; ldd "$1"; exit 1
  fi
}

echo "== libhpk without MPI"
# libhpk never depends on MPI; the MPI layer is libhpk_mpi.
libhpk=$(find "$prefix" -name 'libhpk.so' -print -quit)
no_dependency "$libhpk" libmpi

echo "== find_package(hpk)"
# The examples are built with hpk's compiler: the static library needs that
# compiler's OpenMP runtime (libgomp for GCC, libomp for clang), and
# find_package(OpenMP) picks the runtime of the compiler that builds them.
"$cmake" -S "$src/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
         -DCMAKE_C_COMPILER="$cc" >/dev/null
"$cmake" --build "$work/examples" >/dev/null
for program in gemv gemv_static reductions monte_carlo; do
  (cd "$work/examples" && "./$program") || { echo "example $program failed"; exit 1; }
done
# With MPI: the distributed example on two ranks (Open MPI as root needs its
# two OMPI_ALLOW_RUN_AS_ROOT variables).
mpi_run=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec -n 2 --oversubscribe)
if [ -x "$work/examples/mpi" ]; then
  (cd "$work/examples" && "${mpi_run[@]}" ./mpi) || { echo "example mpi failed"; exit 1; }
fi
# A CPU-only program gets no MPI, and the static one no libhpk.so.
no_dependency "$work/examples/gemv" libmpi
no_dependency "$work/examples/gemv_static" libhpk
no_dependency "$work/examples/gemv_static" libmpi

echo "== pkg-config hpk"
pc=$(find "$prefix" -name hpk.pc -print -quit)
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir hpk)
version=$(pkg-config --modversion hpk)
grep -q "#define HPK_VERSION_MAJOR ${version%%.*}" "$prefix/include/hpk/hpk.h" || { echo "hpk.pc version $version disagrees with hpk.h"; exit 1; }
for program in gemv reductions monte_carlo; do
  # shellcheck disable=SC2046
  "$cc" -std=c11 -Wall -Wextra -Werror "$src/examples/$program.c" -o "$work/$program-pc" \
    $(pkg-config --cflags --libs hpk) -lm -Wl,-rpath,"$libdir"
  "$work/$program-pc" >/dev/null || { echo "pkg-config build of $program failed"; exit 1; }
done
no_dependency "$work/gemv-pc" libmpi
case " $(pkg-config --cflags hpk) " in
  *mpi*) echo "pkg-config --cflags hpk names MPI: $(pkg-config --cflags hpk)"; exit 1 ;;
esac
# What libhpk.a needs besides itself (OpenMP, libm) comes with --static.
case " $(pkg-config --static --libs hpk) " in
  *" -lm "*) ;;
  *) echo "pkg-config --static --libs hpk lacks libhpk.a's dependencies: $(pkg-config --static --libs hpk)"; exit 1 ;;
esac

# With -static, `pkg-config --static hpk` makes a program that needs no
# shared library at all, where every dependency has an archive (Debian has
# none of the OpenCL loader; clang's libomp may have none).
static_ok=1
case " $(pkg-config --libs hpk) " in *" -lOpenCL "*) static_ok=0 ;; esac
case " $(pkg-config --static --libs hpk) " in
  *" -fopenmp=libomp "*) omp_archive=libomp.a ;;
  *" -fopenmp "*) omp_archive=libgomp.a ;;
  *) omp_archive="" ;;
esac
if [ -n "$omp_archive" ] && [ "$("$cc" -print-file-name="$omp_archive")" = "$omp_archive" ]; then
  static_ok=0
fi
if [ $static_ok -eq 1 ]; then
  echo "== pkg-config --static hpk, -static"
  # shellcheck disable=SC2046
  "$cc" -std=c11 -Wall -Wextra -Werror "$src/examples/gemv.c" -o "$work/gemv-pc-allstatic" \
    $(pkg-config --static --cflags --libs hpk) -static 2>"$work/static.log" ||
    { cat "$work/static.log"; echo "pkg-config --static -static build of gemv failed"; exit 1; }
  "$work/gemv-pc-allstatic" >/dev/null || { echo "the -static gemv failed"; exit 1; }
  if readelf -d "$work/gemv-pc-allstatic" | grep NEEDED >/dev/null; then
    echo "the -static gemv needs shared libraries:"; readelf -d "$work/gemv-pc-allstatic"; exit 1
  fi
fi

echo "== pkg-config hpk-static"
# libhpk.a: the program needs nothing of hpk at run time.
for flags in "--cflags --libs" "--static --cflags --libs"; do
  # shellcheck disable=SC2046,SC2086
  "$cc" -std=c11 -Wall -Wextra -Werror "$src/examples/gemv.c" -o "$work/gemv-pc-static" \
    $(pkg-config $flags hpk-static) -lm
  "$work/gemv-pc-static" >/dev/null || { echo "pkg-config $flags hpk-static build of gemv failed"; exit 1; }
  no_dependency "$work/gemv-pc-static" libhpk
  no_dependency "$work/gemv-pc-static" libmpi
done

if [ -f "$prefix/include/hpk/hpk_mpi.h" ]; then
  echo "== pkg-config hpk-mpi"
  # hpk-mpi.pc brings MPI's own flags: any C compiler will do, not only mpicc.
  # shellcheck disable=SC2046
  "$cc" -std=c11 -Wall -Wextra -Werror "$src/examples/mpi.c" -o "$work/mpi-pc" \
    $(pkg-config --cflags --libs hpk-mpi) -lm -Wl,-rpath,"$libdir"
  "${mpi_run[@]}" "$work/mpi-pc" >/dev/null || { echo "pkg-config build of mpi failed"; exit 1; }
  ldd "$work/mpi-pc" | grep libhpk_mpi >/dev/null || { echo "mpi-pc does not link libhpk_mpi"; exit 1; }
fi
echo "installed package OK"
