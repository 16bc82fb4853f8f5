# Sourced by scripts/bench and scripts/bench-mpi: how the MPI studies start
# hpk_bench_mpi on P ranks with T OpenMP threads each.
#
# mpi_launch P T COMMAND...  runs COMMAND under mpirun -np P with
# OMP_NUM_THREADS=T.  With Open MPI, each rank is bound to T cores of its
# own when P x T fit on the machine's cores; otherwise ranks and threads
# share the machine unbound (--oversubscribe).  As root, Open MPI needs
# --allow-run-as-root.

mpi_launch() {
  local ranks=$1 threads=$2 cores
  shift 2
  local launcher=(mpirun) placement=(--bind-to none)
  cores=$(nproc 2>/dev/null || echo 1)
  if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
    [ "$(id -u)" -ne 0 ] || launcher+=(--allow-run-as-root)
    if [ $((ranks * threads)) -le "$cores" ]; then
      placement=(--map-by "slot:PE=$threads" --bind-to core)
    else
      placement=(--oversubscribe --bind-to none)
    fi
  fi
  echo "mpirun -np $ranks ${placement[*]} (OMP_NUM_THREADS=$threads) $*"
  OMP_NUM_THREADS=$threads "${launcher[@]}" -np "$ranks" "${placement[@]}" "$@"
}
