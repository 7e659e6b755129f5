#!/usr/bin/env bash
# The default demo's wall time beside PyTorch's one epoch of the notebook's SimpleCNN (2 threads),
# alternating: the README's demo timings. Per round: demo, PyTorch, demo, PyTorch, demo.
#
#   BADNETS_DATA=../shared/datasets/mnist bench/pytorch/demo-rounds.sh [ROUNDS]
#
# Build first (./badnets --help): a run that builds the jar would time the build too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${BADNETS_DATA:?set BADNETS_DATA to the MNIST folder}"
export BADNETS_DATA
rounds="${1:-1}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

demo() {
  rm -rf "$out/demo"
  local start end
  start="$(date +%s.%N)"
  JAVA_OPTS=-Xmx512m ./badnets demo --out "$out/demo" >/dev/null
  end="$(date +%s.%N)"
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f'demo {float(sys.argv[2]) - float(sys.argv[3]):.2f} s wall, training {r[\"timings\"][\"train_seconds\"]:.2f} s, clean {r[\"clean_accuracy\"]:.4f}, ASR {r[\"attack_success_rate\"]:.4f}')" \
    "$out/demo/results.json" "$end" "$start"
}

torch() {
  /usr/bin/python3 bench/pytorch/simple_cnn.py "$BADNETS_DATA" --threads 2 2>/dev/null \
    | python3 -c "import json,sys; r=json.load(sys.stdin); print(f'pytorch {r[\"train_seconds\"]:.2f} s training, clean {r[\"clean_accuracy\"]:.4f}, ASR {r[\"attack_success_rate\"]:.4f}')"
}

for round in $(seq "$rounds"); do
  echo "round $round, $(date -u +%FT%TZ)"
  demo; torch; demo; torch; demo
done
