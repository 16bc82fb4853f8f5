#!/usr/bin/env bash
# Installs the built hpk into a temporary prefix, then builds and runs the
# examples against it twice: through find_package(hpk) and through pkg-config.
# usage: install_test.sh SOURCE_DIR BUILD_DIR CMAKE CC
set -euo pipefail
src=$1 build=$2 cmake=$3 cc=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

"$cmake" --install "$build" --prefix "$prefix" >/dev/null

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
if ldd "$work/examples/gemv_static" | grep -q libhpk; then
  echo "gemv_static links libhpk dynamically"; exit 1
fi

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
if [ -f "$prefix/include/hpk/hpk_mpi.h" ]; then
  # shellcheck disable=SC2046
  mpicc -std=c11 -Wall -Wextra -Werror "$src/examples/mpi.c" -o "$work/mpi-pc" \
    $(pkg-config --cflags --libs hpk) -lm -Wl,-rpath,"$libdir"
  "${mpi_run[@]}" "$work/mpi-pc" >/dev/null || { echo "pkg-config build of mpi failed"; exit 1; }
fi
echo "installed package OK"
