#!/bin/bash
# Submits a sharded sweep and its merge: N array tasks, then a merge job that starts only if
# every task succeeded. Prints the two job ids. Pass --wait first to block until the merge ends.
#
#   CCSIM=target/release/ccsim OUT_DIR=out examples/slurm/submit.sh 8 SCENARIO.toml --set KEY=V1,V2
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wait_flag=()
if [ "${1:-}" = "--wait" ]; then wait_flag=(--wait); shift; fi
n=${1:?usage: submit.sh [--wait] N SCENARIO.toml SWEEP-ARGS…}
shift
array=$(sbatch --parsable --array=0-$((n - 1)) "$here/sweep.sbatch" "$@")
array=${array%%;*}
merge=$(sbatch --parsable "${wait_flag[@]}" --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/merge.sbatch")
echo "array job $array, merge job ${merge%%;*}"
