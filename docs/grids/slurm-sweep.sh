#!/usr/bin/env bash
# A badnets sweep grid on Slurm: one job-array task per shard, then one job that merges their CSVs.
# Needs Slurm 20.11 or newer (tested on 22.05.8 only, see docs/grids/README.md) and bash 4.4.
#
#   bash docs/grids/slurm-sweep.sh                submit the grid (on the login node)
#   bash docs/grids/slurm-sweep.sh --resume OUT   after a task failed or was cancelled: submit again the
#                                                 shards that did not finish, and a fresh merge after them
#
# Settings, read from the environment when submitting (--resume reads them back from OUT/slurm/jobs):
#   SHARDS  number of shards, one array task each              (4)
#   OUT     folder of the grid: shard-K/, merged/, slurm/      (sweeps/grid)
#   DATA    MNIST, fetched once with ./badnets download --data "$DATA"   (~/.cache/badnets/mnist)
#   CPUS    cores per task; the task trains that many models at once      (2)
#   SWEEP_FLAGS  the grid's flags, split at spaces (the script adds --data, --shard, --threads,
#                --parallel and --out)                          (the 30-point grid below)
# sbatch's own variables pass through, e.g. SBATCH_PARTITION=short or SBATCH_ACCOUNT=lab.
#
# Task K (1..SHARDS) runs `./badnets sweep GRID --shard K/SHARDS --out OUT/shard-K` and, once that ended
# well, writes OUT/slurm/shard-K.done. The merge job runs once every task ended well (afterok) and writes
# OUT/merged/sweep.csv and sweep.png. The repository and OUT must be on a file system all nodes share.
#
# Recovery: a task that fails (its JVM killed, a node lost) or is cancelled leaves the merge waiting on
# a dependency that can never be met (Slurm shows DependencyNeverSatisfied; sites with
# kill_invalid_depend cancel the merge instead). `--resume OUT` cancels that merge, submits the shards
# without a .done marker that are not still queued or running as a new array (each resumes from its
# CSV and trains only the points it lacks), and submits a new merge that waits for them and for the
# tasks still running. It prints every job id, and is safe to run again.
set -euo pipefail

# The grid: every shard gets exactly these flags, or merge refuses the CSVs as different grids.
# shellcheck disable=SC2054 # the commas are inside the flags' values
DEFAULT_GRID=(--poison-counts 0,25,50,100,600 --trigger-sizes 2,3 --seeds 1,2,3 --model mlp --epochs 1)
# What each task and the merge ask of Slurm. Logs are appended to across requeues and resumes.
TASK_OPTS=(--job-name=badnets-sweep --mem=2G --time=02:00:00 --requeue --open-mode=append)
MERGE_OPTS=(--job-name=badnets-merge --cpus-per-task=1 --mem=1G --time=00:15:00 --open-mode=append)

die() {
  echo "slurm-sweep: $*" >&2
  exit 2
}

# save_state: writes OUT/slurm/jobs, the settings every task reads and the job ids --resume needs,
# as bash assignments (replaced whole, never half-written).
save_state() {
  local state="$OUT/slurm/jobs"
  {
    printf 'ROOT=%q\nDATA=%q\nSHARDS=%q\nCPUS=%q\n' "$ROOT" "$DATA" "$SHARDS" "$CPUS"
    printf 'GRID=(%s)\n' "$(printf '%q ' "${GRID[@]}")"
    printf 'ARRAYS=(%s)\n' "${ARRAYS[*]}"
    printf 'MERGE=%q\n' "$MERGE"
  } >"$state.tmp"
  mv -f -- "$state.tmp" "$state"
}

# load_state OUT: reads back what save_state wrote.
load_state() {
  OUT="$1"
  [[ -f "$OUT/slurm/jobs" ]] || die "$OUT/slurm/jobs is missing: $OUT holds no grid submitted by this script"
  # shellcheck disable=SC1091 # written by save_state
  source "$OUT/slurm/jobs"
}

# job_id: the id sbatch --parsable printed (it may add ";cluster").
job_id() {
  local id
  id="$(cat)"
  echo "${id%%;*}"
}

# submit_shards LIST: submits the shards in LIST (Slurm's --array syntax, e.g. 1-4 or 2,3) as one array;
# prints its job id.
submit_shards() {
  sbatch --parsable --array="$1" --cpus-per-task="$CPUS" "${TASK_OPTS[@]}" --chdir="$ROOT" \
      --output="${OUT//%/%%}/slurm/shard-%a.out" "$SCRIPT" --task "$OUT" | job_id
}

# submit_merge DEPENDENCY: submits the merge (DEPENDENCY empty: to run at once); prints its job id.
submit_merge() {
  sbatch --parsable ${1:+--dependency="$1"} "${MERGE_OPTS[@]}" --chdir="$ROOT" \
      --output="${OUT//%/%%}/slurm/merge.out" "$SCRIPT" --merge "$OUT" | job_id
}

submit() {
  ROOT="$(cd "$(dirname "$SCRIPT")/../.." && pwd)"
  SHARDS="${SHARDS:-4}"
  CPUS="${CPUS:-2}"
  DATA="$(realpath -m -- "${DATA:-$HOME/.cache/badnets/mnist}")"
  OUT="$(realpath -m -- "${OUT:-sweeps/grid}")"
  if [[ -n "${SWEEP_FLAGS:-}" ]]; then
    read -r -a GRID <<<"$SWEEP_FLAGS"
  else
    GRID=("${DEFAULT_GRID[@]}")
  fi
  [[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a whole number from 1, not '$SHARDS'"
  [[ "$CPUS" =~ ^[1-9][0-9]*$ ]] || die "CPUS must be a whole number from 1, not '$CPUS'"
  if [[ -e "$OUT/slurm/jobs" ]]; then
    die "$OUT already holds a grid submitted to Slurm; finish it with: bash $0 --resume '$OUT' (or set OUT to another folder)"
  fi
  command -v sbatch >/dev/null || die "sbatch is not on the PATH; run this on a Slurm login node"
  # Builds the jar once, before the tasks start, and checks the grid's flags (exit 2 names a bad one).
  local plan
  plan="$("$ROOT/badnets" sweep --data "$DATA" "${GRID[@]}" --dry-run)"
  echo "${plan%%$'\n'*}"
  mkdir -p -- "$OUT/slurm"
  ARRAYS=()
  MERGE=""
  save_state
  ARRAYS=("$(submit_shards "1-$SHARDS")")
  save_state
  MERGE="$(submit_merge "afterok:${ARRAYS[0]}")"
  save_state
  echo "submitted shards 1-$SHARDS as job array ${ARRAYS[0]} and the merge as job $MERGE"
  echo "the merge writes $OUT/merged/sweep.csv and sweep.png; logs in $OUT/slurm/"
  echo "if a task fails or is cancelled: bash $0 --resume '$OUT'"
}

resume() {
  load_state "$(realpath -m -- "$1")"
  if [[ -f "$OUT/slurm/merge.done" ]]; then
    echo "nothing to resume: the grid is merged in $OUT/merged"
    return 0
  fi
  # What Slurm still holds of this grid: array tasks pending or running, and the merge.
  local queue array_id task id state
  queue="$(squeue -h -r -u "$(id -un)" -o '%F %K %i %T')" || die "squeue failed (see above); try again once Slurm answers"
  local -A live=()
  local merge_state=""
  while read -r array_id task id state; do
    if [[ -n "$MERGE" && "$id" == "$MERGE" ]]; then
      merge_state="$state"
    elif [[ " ${ARRAYS[*]} " == *" $array_id "* && "$task" =~ ^[0-9]+$ ]]; then
      live[$task]="$id"
    fi
  done <<<"$queue"
  if [[ -n "$merge_state" && "$merge_state" != PENDING ]]; then
    echo "the merge (job $MERGE) is $merge_state; nothing to resume"
    return 0
  fi
  local missing=() waits=() k
  for ((k = 1; k <= SHARDS; k++)); do
    if [[ -n "${live[$k]:-}" ]]; then
      waits+=("${live[$k]}")
    elif [[ ! -f "$OUT/slurm/shard-$k.done" ]]; then
      missing+=("$k")
    fi
  done
  # A pending merge may wait on a task that failed: replace it by one that waits on what runs now.
  if [[ -n "$merge_state" ]]; then
    scancel "$MERGE"
    echo "cancelled the merge job $MERGE"
  fi
  if ((${#missing[@]} > 0)); then
    local list
    list="$(IFS=,; echo "${missing[*]}")"
    ARRAYS+=("$(submit_shards "$list")")
    save_state
    waits+=("${ARRAYS[-1]}")
    echo "submitted shards $list again as job array ${ARRAYS[-1]}"
  fi
  if ((${#waits[@]} > 0)); then
    echo "waiting for: ${waits[*]}"
    MERGE="$(submit_merge "afterok:$(IFS=:; echo "${waits[*]}")")"
  else
    MERGE="$(submit_merge "")"
  fi
  save_state
  echo "submitted the merge as job $MERGE; it writes $OUT/merged/sweep.csv and sweep.png"
}

# In array task K: shard K of the grid.
run_task() {
  load_state "$1"
  local k="$SLURM_ARRAY_TASK_ID"
  # One thread per model, as many models at once as Slurm gave the task cores.
  "$ROOT/badnets" sweep --data "$DATA" "${GRID[@]}" --shard "$k/$SHARDS" --threads 1 \
      --parallel "${SLURM_CPUS_PER_TASK:-1}" --out "$OUT/shard-$k"
  touch -- "$OUT/slurm/shard-$k.done"
}

# In the merge job: the shards' CSVs as one.
run_merge() {
  load_state "$1"
  local shards=() k
  for ((k = 1; k <= SHARDS; k++)); do shards+=("$OUT/shard-$k"); done
  "$ROOT/badnets" sweep merge "${shards[@]}" --out "$OUT/merged"
  touch -- "$OUT/slurm/merge.done"
}

SCRIPT="$(realpath -- "${BASH_SOURCE[0]}")"
case "${1:-}" in
  --task) run_task "$2" ;;
  --merge) run_merge "$2" ;;
  --resume)
    [[ $# == 2 ]] || die "usage: bash $0 --resume OUT (the OUT the grid was submitted with)"
    resume "$2"
    ;;
  "")
    [[ -z "${SLURM_JOB_ID:-}" ]] || die "run this with bash on the login node; it calls sbatch itself"
    submit
    ;;
  *) die "unknown argument '$1'; usage: bash $0 [--resume OUT]" ;;
esac
