#!/usr/bin/env bash
# The scan benchmark (bench/scan-grid.py) on Slurm: one job-array task per shard, then one job that
# writes the confusion table once every task ended well.
#
#   bash docs/grids/slurm-scan-grid.sh        (from the repository root, on the login node)
#
# Task SLURM_ARRAY_TASK_ID (1..SHARDS) trains and scans the points whose number is that task's id
# modulo SHARDS, as `badnets sweep --shard` splits a sweep. The repository and OUT must be on a file
# system all nodes share. A task that is preempted or killed can simply run again (--requeue): trained
# models and finished scans are kept in OUT and skipped; only the model or scan in flight is redone.
#SBATCH --job-name=badnets-scan-grid
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --requeue
set -euo pipefail

SHARDS=${SHARDS:-8}
OUT=${OUT:-sweeps/scan-grid}
DATA=${DATA:-$HOME/.cache/badnets/mnist}   # MNIST, fetched once with ./badnets download --data "$DATA"
SCANNER=${SCANNER:-$(git rev-parse --short HEAD)}   # every task must scan with the same scanner name

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
  ./badnets --version >/dev/null   # builds the jar once, before the tasks start
  mkdir -p "$OUT/logs"
  array=$(sbatch --parsable --array="1-$SHARDS" --export=ALL,SHARDS="$SHARDS",OUT="$OUT",DATA="$DATA",SCANNER="$SCANNER" \
      --output="$OUT/logs/shard-%a.out" "$0")
  sbatch --dependency="afterok:$array" --job-name=badnets-scan-report --output="$OUT/logs/report.out" \
      --wrap "python3 bench/scan-grid.py report --out $OUT --scanner $SCANNER"
  echo "submitted shards as job $array; the report writes $OUT/reports/$SCANNER/table.md"
  exit 0
fi

python3 bench/scan-grid.py run --data "$DATA" --out "$OUT" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" --scanner "$SCANNER"
