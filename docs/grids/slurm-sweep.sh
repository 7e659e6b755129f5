#!/usr/bin/env bash
# A badnets sweep grid on Slurm: one job-array task per shard, then one job that merges their CSVs.
#
#   bash docs/grids/slurm-sweep.sh        (from the repository root, on the login node)
#
# Run that way, the script submits itself as a job array of SHARDS tasks and the merge as a job that
# starts once every task ended well (afterok). Inside the array, task SLURM_ARRAY_TASK_ID (1..SHARDS)
# runs `--shard $SLURM_ARRAY_TASK_ID/$SHARDS`. The repository and OUT must be on a file system all
# nodes share. A task that is preempted or killed can simply run again (--requeue): the sweep resumes
# from its CSV and retrains only the points that were in flight.
#SBATCH --job-name=badnets-sweep
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --requeue
set -euo pipefail

SHARDS=${SHARDS:-4}
OUT=${OUT:-sweeps/grid}
DATA=${DATA:-$HOME/.cache/badnets/mnist}   # MNIST, fetched once with ./badnets download --data "$DATA"
# The grid: every shard must get exactly these flags, or merge refuses the CSVs as different grids.
GRID=(--data "$DATA" --poison-counts 0,25,50,100,600 --trigger-sizes 2,3 --seeds 1,2,3 --model mlp --epochs 1)

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
  ./badnets sweep "${GRID[@]}" --dry-run | head -1   # builds the jar once, before the tasks start
  mkdir -p "$OUT/logs"
  array=$(sbatch --parsable --array="1-$SHARDS" --export=ALL,SHARDS="$SHARDS",OUT="$OUT",DATA="$DATA" \
      --output="$OUT/logs/shard-%a.out" "$0")
  sbatch --dependency="afterok:$array" --job-name=badnets-merge --output="$OUT/logs/merge.out" \
      --wrap "./badnets sweep merge $OUT/shard-* --out $OUT/merged"
  echo "submitted shards as job $array; the merge writes $OUT/merged/sweep.csv and sweep.png"
  exit 0
fi

# One task: its shard, one thread per model, as many models at once as Slurm gave it cores.
./badnets sweep "${GRID[@]}" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --threads 1 \
    --parallel "${SLURM_CPUS_PER_TASK:-1}" --out "$OUT/shard-$SLURM_ARRAY_TASK_ID"
