#!/usr/bin/env bash
# A badnets sweep grid on Kubernetes: the shards as one Indexed Job (docs/grids/k8s-sweep.yaml), then
# one Job that merges their CSVs (k8s-sweep-merge.yaml). Needs Kubernetes 1.29 or newer, kubectl, and
# the volume of docs/grids/k8s-volume.yaml filled once (the jar and MNIST; see its header).
#
#   bash docs/grids/k8s-sweep.sh            a new run: prints its id, creates the shard Job, waits until
#                                           it completes or fails, then creates the merge Job and waits
#   RUN=ID bash docs/grids/k8s-sweep.sh     the run ID again: a failed Job is replaced (the shards resume
#                                           from their CSVs on the volume), a complete one is kept
#   bash docs/grids/k8s-sweep.sh --print    prints the manifests it would create; needs no cluster
#
# Settings (environment):
#   SHARDS   the number of shards (4): the one place to set it; it becomes the Job's completions and
#            parallelism and every pod's --shard K/SHARDS
#   RUN      the run's id (default: the UTC time, e.g. 20261205-081500): the Jobs are badnets-sweep-RUN
#            and badnets-merge-RUN, the outputs /badnets/sweeps/RUN, so runs never collide
#   TIMEOUT  seconds to wait for each Job before giving up (86400)
# The grid itself is in k8s-sweep.yaml.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARDS="${SHARDS:-4}"
RUN="${RUN:-$(date -u +%Y%m%d-%H%M%S)}"
TIMEOUT="${TIMEOUT:-86400}"

die() {
  echo "k8s-sweep: $*" >&2
  exit 2
}
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a whole number from 1, not '$SHARDS'"
# A Job's name is at most 63 characters, lower case letters, digits and dashes.
[[ "$RUN" =~ ^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$ ]] \
    || die "RUN must be 1 to 40 lower-case letters, digits and inner dashes, not '$RUN'"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT must be a number of seconds, not '$TIMEOUT'"

# render FILE: FILE with SHARDS for the number on each line marked `# SHARDS` and RUN for `manual` on
# each line marked `# RUN` (comment lines left alone).
render() {
  sed -E -e "/^[[:space:]]*[^#[:space:]].*# SHARDS/ s/[0-9]+/$SHARDS/" \
      -e "/^[[:space:]]*[^#[:space:]].*# RUN/ s/manual/$RUN/" "$1"
}

if [[ "${1:-}" == --print ]]; then
  render "$here/k8s-sweep.yaml"
  echo "---"
  render "$here/k8s-sweep-merge.yaml"
  exit 0
fi
[[ $# == 0 ]] || die "unknown argument '$1'; usage: [SHARDS=N] [RUN=ID] bash $0 [--print]"
command -v kubectl >/dev/null || die "kubectl is not on the PATH"

# state JOB: Complete or Failed once the Job has ended, "running" before, "" when there is no such Job.
state() {
  local found
  found="$(kubectl get job "$1" --ignore-not-found \
      -o jsonpath='{.metadata.name}{" "}{.status.conditions[?(@.status=="True")].type}')"
  if [[ -z "$found" ]]; then
    echo ""
  elif [[ " $found " == *" Failed "* ]]; then
    echo Failed
  elif [[ " $found " == *" Complete "* ]]; then
    echo Complete
  else
    echo running
  fi
}

# run_job JOB FILE: creates JOB from FILE unless it exists (a failed one is deleted and created again),
# then waits until it completes (returns) or fails (exits 1), at most TIMEOUT seconds.
run_job() {
  local job="$1" file="$2" now
  now="$(state "$job")"
  if [[ "$now" == Failed ]]; then
    echo "job $job failed before: deleting it to create it again"
    kubectl delete job "$job" --cascade=foreground --wait=true >/dev/null
    now=""
  fi
  if [[ -z "$now" ]]; then
    render "$file" | kubectl create -f - >/dev/null
    echo "created job $job"
  fi
  local until=$((SECONDS + TIMEOUT))
  while :; do
    now="$(state "$job")"
    case "$now" in
      Complete) return 0 ;;
      Failed)
        echo "k8s-sweep: job $job failed; see kubectl describe job $job and kubectl logs -l job-name=$job," \
            "then run RUN=$RUN bash $0 again to resume" >&2
        exit 1
        ;;
      "") die "job $job is gone (deleted while waiting?); run RUN=$RUN bash $0 again" ;;
    esac
    if ((SECONDS >= until)); then
      echo "k8s-sweep: job $job did not end within $TIMEOUT s; it keeps running: RUN=$RUN bash $0 waits again" >&2
      exit 1
    fi
    sleep 15
  done
}

echo "run $RUN: $SHARDS shards, outputs in /badnets/sweeps/$RUN on the volume badnets"
run_job "badnets-sweep-$RUN" "$here/k8s-sweep.yaml"
echo "the $SHARDS shards are complete"
run_job "badnets-merge-$RUN" "$here/k8s-sweep-merge.yaml"
echo "merged: /badnets/sweeps/$RUN/merged/sweep.csv and sweep.png on the volume badnets"
