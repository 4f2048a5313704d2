#!/usr/bin/env python3
"""Peak RSS and wall time of `floe run` on 10,000-node blueprints (target: under 64 MB).

The shapes are the run benchmark's (crates/floe-engine/benches/support/graphs.rs): a chain, a
fan-out (one source, N-2 in parallel, one join) and layers of 100 where each node reads two of
the layer before; `n0` makes a small value and every other node passes it on. Each run journals
into a fresh SQLite file, as `floe run` does. The peak is the kernel's (wait4's ru_maxrss), so
it counts everything: heap, SQLite, stacks and the mapped binary.

    cargo build --release -p floe-cli && python3 scripts/bench-run-memory.py [--runs 3] [--json]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 64


def edges(shape: str, n: int) -> list[tuple[int, int]]:
    if shape == "fanout":
        return [e for i in range(1, n - 1) for e in ((0, i), (i, n - 1))]
    if shape == "layered":
        width = 100
        out = []
        for i in range(width, n):
            base = (i // width - 1) * width
            out += [(base + i % width, i), (base + (i + 1) % width, i)]
        return out
    return [(i - 1, i) for i in range(1, n)]


def document(shape: str, n: int) -> dict:
    source = {"id": "n0", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "payload"}}}
    passes = [{"id": f"n{i}", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}} for i in range(1, n)]
    port = lambda a: "text" if a == 0 else "out"  # noqa: E731
    links = [{"from": f"n{a}.{port(a)}", "to": f"n{b}.in"} for a, b in edges(shape, n)]
    return {"format": "floe.blueprint", "version": 1, "id": shape, "name": shape, "nodes": [source, *passes], "edges": links}


def measure(floe: Path, blueprint: Path, db: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one `floe run`."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    child = subprocess.Popen([floe, "run", blueprint, "--db", db], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"floe run {blueprint} failed ({child.returncode}): {child.stderr.read().decode()}")
    return usage.ru_maxrss / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    floe = target / "release" / "floe"
    if not floe.exists():
        sys.exit(f"{floe} is missing: run `cargo build --release -p floe-cli` first")
    results = []
    with tempfile.TemporaryDirectory(prefix="floe-memory-") as scratch:
        for shape in ("chain", "fanout", "layered"):
            blueprint = Path(scratch) / f"{shape}.json"
            blueprint.write_text(json.dumps(document(shape, args.nodes)))
            runs = [measure(floe, blueprint, Path(scratch) / "runs.db") for _ in range(args.runs)]
            peaks = [p for p, _ in runs]
            results.append({
                "shape": shape,
                "nodes": args.nodes,
                "peak_rss_mb_median": round(statistics.median(peaks), 1),
                "peak_rss_mb_max": round(max(peaks), 1),
                "seconds_median": round(statistics.median(t for _, t in runs), 3),
            })
            print(f"measured {shape}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'shape':<8} {'nodes':>6} {'peak RSS (median / max)':>24} {'time':>8}  target < {TARGET_MB} MB")
    for r in results:
        verdict = "ok" if r["peak_rss_mb_max"] < TARGET_MB else "MISSED"
        print(f"{r['shape']:<8} {r['nodes']:>6} {r['peak_rss_mb_median']:>11.1f} / {r['peak_rss_mb_max']:<5.1f} MB {r['seconds_median']:>7.3f}s  {verdict}")


if __name__ == "__main__":
    main()
