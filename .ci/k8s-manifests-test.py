#!/usr/bin/env python3
"""CI: the Kubernetes recipe of docs/grids, checked without a cluster (there is none in CI).

Parses every manifest (python3-yaml), checks its keys against the Kubernetes API fields it may use (a
misspelt field is dropped by the API server, not refused) and the properties the recipe relies on: a
ReadWriteMany claim that every pod mounts, an Indexed Job whose completions, parallelism and SHARDS are
one number, pods that run the jar with java (no build), outputs under the run's id. Then runs
docs/grids/k8s-sweep.sh against a stand-in kubectl: --print with other SHARDS and RUN, a run whose
shard Job fails (the script must stop, not wait for a day), a run that completes, and a rerun of a
failed run (the failed Job is replaced). Prints 'N passed, M failed'; exit 1 when any failed.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRIDS = os.path.join(ROOT, "docs", "grids")
DRIVER = os.path.join(GRIDS, "k8s-sweep.sh")

# The fields of the Kubernetes API (batch/v1 and core/v1, 1.29) each object here may have.
FIELDS = {
    "object": {"apiVersion", "kind", "metadata", "spec"},
    "metadata": {"name", "generateName", "namespace", "labels", "annotations"},
    "JobSpec": {"activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "completionMode",
                "completions", "manualSelector", "maxFailedIndexes", "parallelism", "podFailurePolicy",
                "podReplacementPolicy", "selector", "suspend", "template", "ttlSecondsAfterFinished"},
    "PodTemplateSpec": {"metadata", "spec"},
    "PodSpec": {"activeDeadlineSeconds", "affinity", "containers", "initContainers", "nodeSelector",
                "restartPolicy", "securityContext", "serviceAccountName", "terminationGracePeriodSeconds",
                "tolerations", "volumes"},
    "Container": {"args", "command", "env", "image", "imagePullPolicy", "name", "resources",
                  "securityContext", "volumeMounts", "workingDir"},
    "EnvVar": {"name", "value", "valueFrom"},
    "ResourceRequirements": {"limits", "requests"},
    "VolumeMount": {"mountPath", "name", "readOnly", "subPath"},
    "Volume": {"name", "persistentVolumeClaim"},
    "PVCSource": {"claimName", "readOnly"},
    "PVCSpec": {"accessModes", "resources", "storageClassName", "volumeMode", "volumeName", "selector"},
}
API_VERSIONS = {"Job": "batch/v1", "Pod": "v1", "PersistentVolumeClaim": "v1"}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failures.append(f"{name}{': ' + detail if detail else ''}")


def keys(checks, where, obj, kind):
    """Checks that the mapping obj has only the API fields of kind."""
    unknown = set(obj) - FIELDS[kind] if isinstance(obj, dict) else {"(not a mapping)"}
    checks.check(f"{where}: only {kind} fields", not unknown, f"unknown {sorted(unknown)}")


def check_pod_spec(checks, where, pod):
    keys(checks, where, pod, "PodSpec")
    for container in pod.get("containers", []):
        cwhere = f"{where} container {container.get('name')}"
        keys(checks, cwhere, container, "Container")
        keys(checks, cwhere + " resources", container.get("resources", {}), "ResourceRequirements")
        for env in container.get("env", []):
            keys(checks, cwhere + " env", env, "EnvVar")
            checks.check(f"{cwhere} env {env.get('name')} is a string", isinstance(env.get("value"), str),
                         repr(env.get("value")))
        for mount in container.get("volumeMounts", []):
            keys(checks, cwhere + " volumeMount", mount, "VolumeMount")
        script = " ".join(container.get("command", []) + container.get("args", []))
        checks.check(f"{cwhere} builds nothing", not re.search(r"mvnw|\bmvn\b|\./badnets\b", script), script)
    for volume in pod.get("volumes", []):
        keys(checks, where + " volume", volume, "Volume")
        keys(checks, where + " volume claim", volume.get("persistentVolumeClaim", {}), "PVCSource")


def load(text, where):
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def check_manifests(checks, docs, shards, run):
    """Checks the documents of k8s-volume.yaml plus those of one run (SHARDS shards, id RUN)."""
    by_kind = {}
    for doc in docs:
        where = f"{doc.get('kind')} {doc.get('metadata', {}).get('name')}"
        keys(checks, where, doc, "object")
        keys(checks, where + " metadata", doc.get("metadata", {}), "metadata")
        checks.check(f"{where}: apiVersion", API_VERSIONS.get(doc.get("kind")) == doc.get("apiVersion"),
                     f"{doc.get('apiVersion')} for {doc.get('kind')}")
        by_kind.setdefault(doc["kind"], []).append(doc)

    claims = by_kind.get("PersistentVolumeClaim", [])
    checks.check("one volume claim", len(claims) == 1, f"{len(claims)}")
    claim = claims[0] if claims else {"metadata": {}, "spec": {}}
    keys(checks, "claim spec", claim["spec"], "PVCSpec")
    checks.check("the claim is ReadWriteMany", claim["spec"].get("accessModes") == ["ReadWriteMany"],
                 f"{claim['spec'].get('accessModes')}")
    checks.check("the claim asks for storage",
                 bool(claim["spec"].get("resources", {}).get("requests", {}).get("storage")))

    pods = [(f"Pod {d['metadata']['name']}", d["spec"]) for d in by_kind.get("Pod", [])]
    jobs = {d["metadata"]["name"]: d for d in by_kind.get("Job", [])}
    for name, job in jobs.items():
        keys(checks, f"Job {name} spec", job["spec"], "JobSpec")
        keys(checks, f"Job {name} template", job["spec"].get("template", {}), "PodTemplateSpec")
        pods.append((f"Job {name}", job["spec"]["template"]["spec"]))
    for where, pod in pods:
        check_pod_spec(checks, where, pod)
        claims_used = [v.get("persistentVolumeClaim", {}).get("claimName") for v in pod.get("volumes", [])]
        checks.check(f"{where} mounts the claim", claims_used == [claim["metadata"].get("name")], f"{claims_used}")

    sweep = jobs.get(f"badnets-sweep-{run}")
    merge = jobs.get(f"badnets-merge-{run}")
    checks.check(f"the shard Job is named for run {run}", sweep is not None, f"{sorted(jobs)}")
    checks.check(f"the merge Job is named for run {run}", merge is not None, f"{sorted(jobs)}")
    if sweep is None or merge is None:
        return
    spec = sweep["spec"]
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    script = " ".join(container["command"] + container["args"])
    checks.check("the shard Job is Indexed", spec.get("completionMode") == "Indexed")
    checks.check("completions is SHARDS", spec.get("completions") == shards, f"{spec.get('completions')}")
    checks.check("parallelism is SHARDS", spec.get("parallelism") == shards, f"{spec.get('parallelism')}")
    checks.check("the pods' SHARDS is completions", env.get("SHARDS") == str(shards), f"{env.get('SHARDS')}")
    checks.check("the pods' RUN is the run", env.get("RUN") == run, f"{env.get('RUN')}")
    checks.check("a failed pod is retried per index", isinstance(spec.get("backoffLimitPerIndex"), int))
    checks.check("an index that keeps failing fails the Job", spec.get("maxFailedIndexes") == 0)
    checks.check("pods are never restarted in place (backoffLimitPerIndex needs it)",
                 spec["template"]["spec"].get("restartPolicy") == "Never")
    checks.check("a shard pod runs the jar with java",
                 re.search(r"\bjava\b.* -jar /badnets/badnets\.jar sweep ", script) is not None, script)
    checks.check("pod K runs shard K of SHARDS",
                 '--shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS"' in script, script)
    checks.check("a shard writes under its run",
                 '--out "/badnets/sweeps/$RUN/shard-$((JOB_COMPLETION_INDEX + 1))"' in script, script)

    mspec = merge["spec"]
    mcontainer = mspec["template"]["spec"]["containers"][0]
    menv = {e["name"]: e.get("value") for e in mcontainer.get("env", [])}
    mscript = " ".join(mcontainer["command"] + mcontainer["args"])
    checks.check("the merge is not retried (its refusals are final)", mspec.get("backoffLimit") == 0)
    checks.check("the merge's RUN is the run", menv.get("RUN") == run, f"{menv.get('RUN')}")
    checks.check("the merge runs the jar with java and merges the run's shards",
                 re.search(r'\bjava\b.* -jar /badnets/badnets\.jar sweep merge "/badnets/sweeps/\$RUN"/shard-\* '
                           r'--out "/badnets/sweeps/\$RUN/merged"', mscript) is not None, mscript)
    checks.check("the merge asks for modest resources",
                 mcontainer.get("resources", {}).get("limits", {}).get("memory") == "1Gi")


def driver(args=(), env=None, stdin=None, timeout=60):
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        return subprocess.run(["bash", DRIVER, *args], env=full_env, capture_output=True, text=True,
                              timeout=timeout, input=stdin)
    except subprocess.TimeoutExpired as e:
        # a wait that does not end is a failed check, reported as such
        return subprocess.CompletedProcess(e.cmd, None, e.stdout or "", f"(still running after {timeout} s)")


# A stand-in kubectl: keeps each Job's state in a file named for it. A created Job takes the state in
# $STUB_OUTCOME (Complete or Failed); every call is logged.
STUB = r"""#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$STUB_DIR/calls"
case "$1 $2" in
  "get job")
    [[ -f "$STUB_DIR/jobs/$3" ]] && echo "$3 $(cat "$STUB_DIR/jobs/$3")"
    exit 0 ;;
  "create -f")
    manifest="$(cat)"
    name="$(sed -n 's/^  name: \([^ ]*\).*/\1/p' <<<"$manifest" | head -1)"
    printf '%s\n' "$manifest" >"$STUB_DIR/created-$name.yaml"
    echo "$STUB_OUTCOME" >"$STUB_DIR/jobs/$name"
    echo "job.batch/$name created" ;;
  "delete job")
    rm -f "$STUB_DIR/jobs/$3" ;;
  *) echo "stub kubectl: unexpected: $*" >&2; exit 3 ;;
esac
"""


def check_driver(checks):
    volume = load(open(os.path.join(GRIDS, "k8s-volume.yaml")).read(), "k8s-volume.yaml")
    as_is = load(open(os.path.join(GRIDS, "k8s-sweep.yaml")).read() + "\n---\n"
                 + open(os.path.join(GRIDS, "k8s-sweep-merge.yaml")).read(), "as is")
    check_manifests(checks, volume + as_is, 4, "manual")

    printed = driver(["--print"], {"SHARDS": "3", "RUN": "ci-a"})
    checks.check("--print works without a cluster", printed.returncode == 0, printed.stderr)
    if printed.returncode == 0:
        check_manifests(checks, volume + load(printed.stdout, "--print"), 3, "ci-a")
    other = driver(["--print"], {"SHARDS": "3", "RUN": "ci-b"})
    checks.check("another run has other Job names", "badnets-sweep-ci-a" not in other.stdout
                 and "badnets-sweep-ci-b" in other.stdout)
    default_run = driver(["--print"], {"SHARDS": "2"})
    checks.check("a run without RUN gets a time-stamped id",
                 re.search(r"name: badnets-sweep-\d{8}-\d{6}\b", default_run.stdout) is not None,
                 default_run.stdout[:300])
    for bad in ({"SHARDS": "0"}, {"SHARDS": "two"}, {"RUN": "Bad_Run"}, {"RUN": "x" * 41}):
        result = driver(["--print"], bad)
        checks.check(f"refuses {bad} with exit 2 and one line",
                     result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr)

    with tempfile.TemporaryDirectory() as stub_dir:
        os.makedirs(os.path.join(stub_dir, "bin"))
        os.makedirs(os.path.join(stub_dir, "jobs"))
        kubectl = os.path.join(stub_dir, "bin", "kubectl")
        with open(kubectl, "w") as f:
            f.write(STUB)
        os.chmod(kubectl, 0o755)
        env = {"PATH": os.path.join(stub_dir, "bin") + os.pathsep + os.environ["PATH"], "STUB_DIR": stub_dir,
               "SHARDS": "3", "RUN": "ci-run"}

        # The shard Job fails: the script must say so and stop at once, never create the merge.
        failed = driver(env=dict(env, STUB_OUTCOME="Failed"), timeout=30)
        checks.check("a failed shard Job ends the wait with exit 1", failed.returncode == 1,
                     f"exit {failed.returncode}: {failed.stdout} {failed.stderr}")
        checks.check("a failed shard Job is reported with how to resume",
                     "job badnets-sweep-ci-run failed" in failed.stderr and "RUN=ci-run bash" in failed.stderr,
                     failed.stderr)
        checks.check("no merge after a failed shard Job",
                     not os.path.exists(os.path.join(stub_dir, "created-badnets-merge-ci-run.yaml")))

        # The same run again, now succeeding: the failed Job is deleted and created again, then merged.
        again = driver(env=dict(env, STUB_OUTCOME="Complete"), timeout=30)
        calls = open(os.path.join(stub_dir, "calls")).read()
        checks.check("a rerun of a failed run completes", again.returncode == 0, again.stdout + again.stderr)
        checks.check("a rerun deletes the failed Job first", "delete job badnets-sweep-ci-run" in calls, calls)
        checks.check("a rerun merges", os.path.exists(os.path.join(stub_dir, "created-badnets-merge-ci-run.yaml")))
        created_file = os.path.join(stub_dir, "created-badnets-sweep-ci-run.yaml")
        created = load(open(created_file).read(), "created") if os.path.exists(created_file) else [{}]
        checks.check("the created shard Job has SHARDS completions",
                     created[0].get("spec", {}).get("completions") == 3, f"{created[0]}"[:300])

        # A complete run asked for again creates nothing.
        before = calls.count("create -f")
        done = driver(env=dict(env, STUB_OUTCOME="Complete"), timeout=30)
        calls = open(os.path.join(stub_dir, "calls")).read()
        checks.check("a complete run is kept", done.returncode == 0 and calls.count("create -f") == before,
                     done.stdout + done.stderr)


def main():
    checks = Checks()
    check_driver(checks)
    for failure in checks.failures:
        print(f"k8s-manifests-test: FAILED: {failure}", file=sys.stderr)
    print(f"k8s manifests: {checks.passed} passed, {len(checks.failures)} failed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
