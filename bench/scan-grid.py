#!/usr/bin/env python3
"""The scan benchmark: trains a grid of models, backdoored and clean, scans each with
`badnets scan`, and reports a confusion table (right target flagged, wrong target, missed, false
alarms on clean models) with the seconds per scan.

    python3 bench/scan-grid.py run --data ../shared/datasets/mnist --out target/scan-grid [--shard K/N]
    python3 bench/scan-grid.py report --out target/scan-grid            (table.md, table.csv)
    python3 bench/scan-grid.py list                                      (the grid's points)

The grid is a covering design, not a product: every model kind meets every trigger, every trigger
size and every corner (plus one inner position), targets 1-9, poison rates 0.5% to 5%, two seeds
for the backdoored models; as many clean models as backdoored ones, three kinds by eight seeds.
Points are numbered from 1 and shard K of N holds the points whose number is K modulo N (counting
from 1), as `badnets sweep --shard` does, so the shards can run as a Slurm job array
(docs/grids/slurm-sweep.sh shows the pattern) on one shared OUT.

Everything is cached under OUT, named by the point and a hash of its full configuration:
  OUT/models/NAME-HASH/{model.bin,results.json}   trained once (in OUT/work, then renamed: a folder here is
                                                 complete); a killed run retrains none of the finished
  OUT/scans/SCANNER/NAME-HASH.json                 one scan's scan.json plus the wall-clock seconds of
                                                   the whole `badnets scan` process (JIT, data loading)
SCANNER is the first 12 hex digits of the application jar's SHA-256 (the jar is copied to OUT/jars
and run from there, so rebuilding the project during a run changes nothing), or --scanner NAME.
A scan is redone only when its file is missing; `report` reads one scanner's files. Workers may share
an OUT (several --shard runs at once, or one run restarted): each model and scan is claimed in OUT/work
first (hostname and process id; the claim of a process that is gone is taken over).
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ["mlp", "cnn", "seed-cnn"]
TRIGGERS = ["square", "pattern", "blend"]
SIZES = [2, 3, 4, 5]
POSITIONS = ["top-left", "top-right", "bottom-left", "bottom-right", "20,8"]  # 20,8: x 20, y 8, inside the image
RATES = ["0.005", "0.01", "0.02", "0.05"]
BACKDOORED = 24
CLEAN_SEEDS = 8


def points():
    """The grid, in point order: BACKDOORED backdoored models, then the clean ones."""
    grid = []
    for i in range(BACKDOORED):
        grid.append({
            "kind": "backdoored",
            "model": MODELS[i % 3],                 # with the size (period 4): all 12 model x size pairs
            "trigger": TRIGGERS[(i // 3) % 3],      # each model meets each trigger
            "trigger_size": SIZES[i % 4],
            "position": POSITIONS[i % 5],           # period 5 against 3 and 4: every model meets every position
            "target": 1 + (4 * i) % 9,              # 1..9, each at least twice
            "poison_rate": RATES[(i // 2) % 4],
            "seed": 1 + (i // 12),                  # two seeds, each over all 12 model x size pairs
        })
    for i in range(3 * CLEAN_SEEDS):
        grid.append({"kind": "clean", "model": MODELS[i % 3], "seed": 1 + i // 3})
    for n, p in enumerate(grid, start=1):
        p["number"] = n
    return grid


def name(p):
    """OUT-relative name of a point: readable, plus a hash of every setting that shapes the model."""
    settings = {k: v for k, v in p.items() if k != "number"}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
    if p["kind"] == "clean":
        readable = f"clean-{p['model']}-s{p['seed']}"
    else:
        pos = p["position"].replace(",", "x")
        readable = (f"{p['model']}-{p['trigger']}{p['trigger_size']}-{pos}-t{p['target']}"
                    f"-r{p['poison_rate']}-s{p['seed']}")
    return f"{readable}-{digest}"


def train_args(p, data):
    """`badnets demo` for a backdoored point (it measures the attack success), `train` for a clean one."""
    args = ["--data", data, "--model", p["model"], "--seed", str(p["seed"])]
    if p["model"] == "mlp":
        args += ["--hidden", "128", "--epochs", "5"]
    if p["kind"] == "clean":
        return ["train"] + args
    return ["demo"] + args + ["--trigger", p["trigger"], "--trigger-size", str(p["trigger_size"]),
                              "--position", p["position"], "--target", str(p["target"]),
                              "--poison-rate", p["poison_rate"]]


def parse_shard(spec):
    try:
        k, n = (int(s) for s in spec.split("/"))
    except ValueError:
        sys.exit(f"scan-grid: --shard must be K/N, got '{spec}'; pass e.g. --shard 1/4")
    if not 1 <= k <= n:
        sys.exit(f"scan-grid: --shard {spec} names no shard; K must be from 1 to N")
    return k, n


def application_jar(root):
    """Builds the jar through the launcher and returns its path."""
    subprocess.run([os.path.join(root, "badnets"), "--version"], check=True, stdout=subprocess.DEVNULL)
    for module in ("cli", "examples"):
        jar = os.path.join(root, module, "target", "badnets.jar")
        if os.path.isfile(jar):
            return jar
    sys.exit("scan-grid: no application jar after building; see target/badnets-build.log")


def pinned_jar(root, out):
    """A copy of the application jar under OUT/jars named by its hash, and that hash's first 12 digits."""
    jar = application_jar(root)
    with open(jar, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()[:12]
    os.makedirs(os.path.join(out, "jars"), exist_ok=True)
    pinned = os.path.join(out, "jars", sha + ".jar")
    if not os.path.exists(pinned):
        tmp = f"{pinned}.{os.getpid()}.tmp"
        shutil.copyfile(jar, tmp)
        os.replace(tmp, pinned)
    return pinned, sha


def java(jar, args, log):
    """Runs the jar; returns its exit code and the CPU seconds (user + system) it used."""
    cmd = ["java", "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-XX:+UseSerialGC",
           "-jar", jar] + args
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "w") as f:
        code = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return code, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def claim(path):
    """Takes PATH.claim for this process unless a live process holds it (another worker on the same
    OUT: two --shard runs, or a run and its restart). A claim of a process that is gone is stale."""
    lock = path + ".claim"
    me = f"{socket.gethostname()} {os.getpid()}"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, me.encode())
            os.close(fd)
            return True
        except FileExistsError:
            try:
                host, pid = open(lock).read().split()
            except (OSError, ValueError):
                host, pid = "", "0"
            alive = host != socket.gethostname()  # another node's claim: trust it
            if not alive:
                try:
                    os.kill(int(pid), 0)
                    alive = True
                except (ProcessLookupError, ValueError):
                    alive = False
                except PermissionError:
                    alive = True
            if alive:
                return False
            os.remove(lock)
    return False


def release(path):
    try:
        os.remove(path + ".claim")
    except FileNotFoundError:
        pass


def train(p, jar, out, data, threads):
    """Trains the point's model unless OUT/models/NAME exists; writes into a temporary folder first."""
    final = os.path.join(out, "models", name(p))
    if os.path.isdir(final):
        return final
    os.makedirs(os.path.join(out, "work"), exist_ok=True)
    if not claim(os.path.join(out, "work", name(p))):
        print("  another worker is training it", flush=True)
        return None
    try:
        tmp = tempfile.mkdtemp(prefix=name(p) + "-", dir=os.path.join(out, "work"))
        model = os.path.join(tmp, "model")
        args = train_args(p, data) + ["--threads", str(threads)]
        if args[0] == "train":
            os.makedirs(model)
            args += ["--out", os.path.join(model, "model.bin"), "--json", os.path.join(model, "results.json")]
        else:
            args += ["--out", model]
        started = time.time()
        code, cpu = java(jar, args, os.path.join(tmp, "train.log"))
        if code != 0:
            print(f"  training failed (exit {code}); see {tmp}/train.log", flush=True)
            return None
        shutil.move(os.path.join(tmp, "train.log"), os.path.join(model, "train.log"))
        with open(os.path.join(model, "point.json"), "w") as f:
            json.dump({"point": p, "args": args, "seconds": time.time() - started, "cpu_seconds": cpu}, f, indent=1)
        os.makedirs(os.path.join(out, "models"), exist_ok=True)
        os.rename(model, final)  # atomic: a model folder is complete or absent
        shutil.rmtree(tmp, ignore_errors=True)
        return final
    finally:
        release(os.path.join(out, "work", name(p)))


def scan(p, model_dir, jar, scanner, out, data, threads, extra):
    """Scans the model unless OUT/scans/SCANNER/NAME.json exists; keeps scan.json plus the process's seconds."""
    final = os.path.join(out, "scans", scanner, name(p) + ".json")
    if os.path.exists(final):
        return final
    os.makedirs(os.path.join(out, "work"), exist_ok=True)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    if not claim(os.path.join(out, "work", scanner + "-" + name(p))):
        return None
    try:
        return scan_claimed(p, model_dir, jar, final, out, data, threads, extra)
    finally:
        release(os.path.join(out, "work", scanner + "-" + name(p)))


def scan_claimed(p, model_dir, jar, final, out, data, threads, extra):
    tmp = tempfile.mkdtemp(prefix="scan-" + name(p) + "-", dir=os.path.join(out, "work"))
    scan_out = os.path.join(tmp, "out")
    args = ["scan", "--model", os.path.join(model_dir, "model.bin"), "--data", data, "--out", scan_out,
            "--threads", str(threads)] + extra
    load_before = os.getloadavg()[0]
    started = time.time()
    code, cpu = java(jar, args, os.path.join(tmp, "scan.log"))
    seconds = time.time() - started
    if code != 0:
        print(f"  scan failed (exit {code}); see {tmp}/scan.log", flush=True)
        return None
    with open(os.path.join(scan_out, "scan.json")) as f:
        result = json.load(f)
    for c in result.get("classes", []):  # the masks and patterns are in scan.png's folder only
        c.pop("mask", None)
        c.pop("pattern", None)
    result["process_seconds"] = seconds
    result["process_cpu_seconds"] = cpu
    result["threads"] = threads
    result["load_average"] = max(load_before, os.getloadavg()[0])
    with open(final + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(final + ".tmp", final)
    shutil.rmtree(tmp)
    return final


def run(args):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.abspath(args.out)
    k, n = parse_shard(args.shard)
    jar, sha = pinned_jar(root, out)
    scanner = args.scanner or sha
    mine = [p for p in points() if (p["number"] - 1) % n == k - 1]
    if args.model:
        mine = [p for p in mine if p["model"] == args.model]
    first = [i for i, p in enumerate(mine) if p["number"] >= args.start]
    mine = mine[first[0]:] + mine[:first[0]] if first else mine  # from point --start on, then the rest
    print(f"scan-grid: shard {k}/{n}, {len(mine)} points, scanner {scanner}", flush=True)
    if not args.scan_only:
        for p in mine:  # train every model first: the scans then compare one scanner on a finished grid
            print(f"[{p['number']}] train {name(p)}", flush=True)
            train(p, jar, out, args.data, args.threads)
    if args.train_only:
        return
    for p in mine:
        model_dir = os.path.join(out, "models", name(p))
        if not os.path.isdir(model_dir):
            continue
        print(f"[{p['number']}] scan {name(p)}", flush=True)
        scan(p, model_dir, jar, scanner, out, args.data, args.threads, args.scan_args or [])


def outcome(p, flagged):
    if p["kind"] == "clean":
        return "false alarm" if flagged else "clean, not flagged"
    if not flagged:
        return "missed"
    return "right target" if flagged == [p["target"]] else (
        "right target + others" if p["target"] in flagged else "wrong target")


def nc_index(r):
    """Neural Cleanse's index of the true target, or the highest index for a clean model."""
    indices = [c["anomaly_index"] for c in r["classes"]]
    return indices[r["target"]] if r["kind"] == "backdoored" else max(indices)


def mm_figures(r):
    mm = (r.get("detectors") or {}).get("mm_bd")
    return "" if mm is None else f"{mm['suspect_class']}, {mm['p_value']:.2g}"


def report(args):
    out = os.path.abspath(args.out)
    scanner = args.scanner
    if scanner is None:
        runs = sorted(os.listdir(os.path.join(out, "scans")),
                      key=lambda s: os.path.getmtime(os.path.join(out, "scans", s)))
        scanner = runs[-1]
    rows = []
    for p in points():
        mdir = os.path.join(out, "models", name(p))
        sfile = os.path.join(out, "scans", scanner, name(p) + ".json")
        if not (os.path.isdir(mdir) and os.path.exists(sfile)):
            continue
        results = json.load(open(os.path.join(mdir, "results.json")))
        s = json.load(open(sfile))
        row = dict(p)
        row["clean_accuracy"] = results.get("clean_accuracy")
        row["attack_success_rate"] = results.get("attack_success_rate")
        row["flagged"] = s["flagged_classes"]
        row["outcome"] = outcome(p, s["flagged_classes"])
        row["seconds"] = s["process_seconds"]
        row["cpu_seconds"] = s.get("process_cpu_seconds")
        row["threads"] = s.get("threads")
        row["scan_seconds"] = s.get("timings", {}).get("scan_seconds")
        row["load"] = s.get("load_average")
        row["classes"] = s["classes"]
        row["detectors"] = s.get("detectors")
        rows.append(row)
    total = len(points())
    lines = [f"Scanner {scanner}: {len(rows)} of {total} models scanned.", ""]
    effective = [r for r in rows if r["kind"] == "backdoored" and r["attack_success_rate"] >= 0.90]
    weak = [r for r in rows if r["kind"] == "backdoored" and r["attack_success_rate"] < 0.90]
    clean = [r for r in rows if r["kind"] == "clean"]

    def count(rs, what):
        return sum(1 for r in rs if r["outcome"] == what)

    lines += ["| models | count | right target | wrong target | missed | false alarm |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, rs in (("backdoored, ASR >= 90%", effective), ("backdoored, ASR < 90%", weak)):
        lines.append(f"| {label} | {len(rs)} | {count(rs, 'right target')} | "
                     f"{count(rs, 'wrong target') + count(rs, 'right target + others')} | {count(rs, 'missed')} | |")
    lines.append(f"| clean | {len(clean)} | | | | {count(clean, 'false alarm')} |")
    lines += ["", "| model | scans | median seconds per scan (whole process: JVM, data, both searches) | "
              "median CPU seconds per scan (user + system) | median search seconds |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for m in MODELS:
        rs = [r for r in rows if r["model"] == m]
        if rs:
            cpu = [r["cpu_seconds"] for r in rs if r["cpu_seconds"] is not None]
            lines.append(f"| {m} | {len(rs)} | {statistics.median(r['seconds'] for r in rs):.1f} | "
                         f"{statistics.median(cpu) if cpu else float('nan'):.1f} | "
                         f"{statistics.median(r['scan_seconds'] for r in rs if r['scan_seconds']):.1f} |")
    loads = [r["load"] for r in rows if r["load"] is not None]
    if loads:
        lines.append(f"\n1-minute load average around the scans: median {statistics.median(loads):.1f}, "
                     f"max {max(loads):.1f} (2 cores).")
    lines += ["", "Per model: Neural Cleanse's index of the true target (or the highest, for a clean model) and "
              "MM-BD's suspect and p-value.", "",
              "| # | model | trigger | size | position | target | rate | seed | clean acc | ASR | flagged | outcome | "
              "NC index | MM-BD suspect, p | s |",
              "| ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: |"]
    for r in rows:
        asr = "" if r["attack_success_rate"] is None else f"{100 * r['attack_success_rate']:.1f}%"
        lines.append(f"| {r['number']} | {r['model']} | {r.get('trigger', '-')} | {r.get('trigger_size', '-')} | "
                     f"{r.get('position', '-')} | {r.get('target', '-')} | {r.get('poison_rate', '-')} | {r['seed']} | "
                     f"{100 * r['clean_accuracy']:.2f}% | {asr} | {r['flagged']} | {r['outcome']} | "
                     f"{nc_index(r):.2f} | {mm_figures(r)} | {r['seconds']:.0f} |")
    text = "\n".join(lines) + "\n"
    folder = os.path.join(out, "reports", scanner)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "table.md"), "w") as f:
        f.write(text)
    with open(os.path.join(folder, "rows.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="train (cached) and scan the points of a shard")
    r.add_argument("--data", required=True, help="MNIST data folder")
    r.add_argument("--out", required=True, help="cache and results folder, shared by the shards")
    r.add_argument("--shard", default="1/1", help="K/N: the points whose number is K modulo N")
    r.add_argument("--threads", type=int, default=os.cpu_count(), help="threads per training and scan")
    r.add_argument("--scanner", help="name of this scanner's results (default: the jar's hash)")
    r.add_argument("--start", type=int, default=1,
                   help="begin with this point number (then wrap around): a second worker on the same OUT "
                        "can start with the clean models")
    r.add_argument("--model", choices=MODELS, help="only the points of this model kind")
    r.add_argument("--train-only", action="store_true", help="train the models, scan nothing")
    r.add_argument("--scan-only", action="store_true",
                   help="scan the models already trained (by other workers), train nothing")
    r.add_argument("scan_args", nargs="*", help="after --: more flags for badnets scan")
    p = sub.add_parser("report", help="the confusion table of one scanner's results")
    p.add_argument("--out", required=True)
    p.add_argument("--scanner", help="default: the newest scanner folder under OUT/scans")
    sub.add_parser("list", help="print the grid's points")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    elif args.command == "report":
        report(args)
    else:
        for p in points():
            print(p["number"], name(p), " ".join(train_args(p, "DATA")))


if __name__ == "__main__":
    main()
