#!/usr/bin/env bash
# Rounds of alternating MLP epoch runs, SIMD beside PyTorch on the same machine in the same minutes:
# the README's "Whole epochs" table. Each figure is the samples/s of the median of 5 timed epochs.
#
#   BADNETS_DATA=../shared/datasets/mnist bench/pytorch/mlp-rounds.sh [ROUNDS]
#
# Needs PyTorch for /usr/bin/python3 (Debian: apt-get install python3-torch python3-numpy
# libopenblas0-pthread). AVX2 runs narrow the JVM with -XX:UseAVX=2 and PyTorch with
# ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell. "steal" is the CPU time (in USER_HZ ticks) the
# hypervisor took from this VM during the run, from /proc/stat (0 where there is none to read).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${BADNETS_DATA:?set BADNETS_DATA to the MNIST folder}"
export BADNETS_DATA
rounds="${1:-1}"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT

steal() { awk '/^cpu /{print $9; found=1} END{if (!found) print 0}' /proc/stat 2>/dev/null || echo 0; }

# simd JAVA_OPTS THREADS
simd() {
  local s0 s1
  s0="$(steal)"
  JAVA_OPTS="$1" ./badnets bench --model mlp --epochs 5 --threads "$2" --json "$json" >/dev/null
  s1="$(steal)"
  python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['median_epoch_samples_per_second']))" "$json" | tr -d '\n'
  echo " (steal $((s1 - s0)))"
}

# torch THREADS ENV...
torch() {
  local s0 s1 threads="$1"
  shift
  s0="$(steal)"
  env "$@" /usr/bin/python3 bench/pytorch/simple_cnn.py "$BADNETS_DATA" --model mlp --threads "$threads" \
      --epochs 5 --warmup-epochs 1 2>/dev/null \
    | python3 -c "import json,sys; print(round(json.load(sys.stdin)['median_epoch_samples_per_second']))" | tr -d '\n'
  s1="$(steal)"
  echo " (steal $((s1 - s0)))"
}

for round in $(seq "$rounds"); do
  echo "round $round, $(date -u +%FT%TZ)"
  echo "  SIMD, AVX2, 1 thread:     $(simd -XX:UseAVX=2 1)"
  echo "  PyTorch, AVX2, 1 thread:  $(torch 1 ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell)"
  echo "  SIMD, AVX2, 2 threads:    $(simd -XX:UseAVX=2 2)"
  echo "  SIMD, native, 1 thread:   $(simd '' 1)"
  echo "  SIMD, native, 2 threads:  $(simd '' 2)"
  echo "  PyTorch, native, 1 thread: $(torch 1)"
  echo "  PyTorch, native, 2 threads: $(torch 2)"
done
