#!/usr/bin/env python3
"""Peak RSS and wall time of `floe run` on 10,000-node blueprints (target: under 64 MB).

The graphs are the run benchmark's (crates/floe-engine/benches/support/graphs.rs, mirrored
here): a chain, a fan-out (one source, N-2 in parallel, one join) and layers of 100 where each
node reads two of the layer before; and what each node does: `pass` (the sources make a small
value, every other node is a `sleep` of 0s passing it on), or real work, `code`, `json_query`
and `text_template` nodes each computing `{n: in.n + 1}` (the run's output is checked). Each
run journals into a fresh SQLite file, as `floe run` does. The peak is the kernel's (wait4's
ru_maxrss), so it counts everything: heap, SQLite, stacks, sandboxes and the mapped binary.

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


WORKS = ("pass", "code", "json_query", "text_template")


def node(work: str, i: int, source: bool) -> tuple[dict, str]:
    """Node n<i> doing `work`, a source or a step, and the port it fills."""
    def tool(name: str, args: dict) -> dict:
        return {"id": f"n{i}", "kind": "tool", "config": {"tool": name, "args": args}}
    if work == "pass":
        return (tool("text_template", {"template": "payload"}), "text") if source else (tool("sleep", {"duration": "0s"}), "out")
    if work == "code":
        code = "({n: 0})" if source else "({n: inputs.in.n + 1})"
        return {"id": f"n{i}", "kind": "code", "config": {"source": code}}, "result"
    if work == "json_query":
        return tool("json_query", {"query": "{n: 0}" if source else "{n: (.n + 1)}"}), "result"
    return tool("text_template", {"template": "0" if source else "{{ inputs.in | int + 1 }}"}), "text"


def document(work: str, shape: str, n: int) -> dict:
    links = edges(shape, n)
    fed = {b for _, b in links}
    nodes, ports = zip(*(node(work, i, i not in fed) for i in range(n)))
    return {
        "format": "floe.blueprint", "version": 1, "id": shape, "name": shape,
        "outputs": {"result": {"from": f"n{n - 1}.{ports[n - 1]}"}},
        "nodes": list(nodes),
        "edges": [{"from": f"n{a}.{ports[a]}", "to": f"n{b}.in"} for a, b in links],
    }


def expected(work: str, shape: str, n: int):
    depth = {"fanout": 2, "layered": n // 100 - 1}.get(shape, n - 1)
    if work == "pass":
        return "payload"
    return str(depth) if work == "text_template" else {"n": depth}


def measure(floe: Path, blueprint: Path, db: Path, want) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one `floe run`, whose output must be `want`."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        # stdout is the run's outputs (JSON); read to the end, then reap the child for its rusage.
        child = subprocess.Popen([floe, "run", blueprint, "--db", db], stdout=subprocess.PIPE, stderr=err)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            sys.exit(f"floe run {blueprint} failed ({child.returncode}): {err.read().decode()}")
    got = json.loads(out).get("result")
    if got != want:
        sys.exit(f"floe run {blueprint} computed {got!r}, not {want!r}")
    return usage.ru_maxrss / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--work", default=",".join(WORKS), help="what the nodes do: " + ", ".join(WORKS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    floe = target / "release" / "floe"
    if not floe.exists():
        sys.exit(f"{floe} is missing: run `cargo build --release -p floe-cli` first")
    results = []
    with tempfile.TemporaryDirectory(prefix="floe-memory-") as scratch:
        for work, shape in ((w, s) for w in args.work.split(",") for s in ("chain", "fanout", "layered")):
            blueprint = Path(scratch) / f"{work}-{shape}.json"
            blueprint.write_text(json.dumps(document(work, shape, args.nodes)))
            want = expected(work, shape, args.nodes)
            runs = [measure(floe, blueprint, Path(scratch) / "runs.db", want) for _ in range(args.runs)]
            peaks = [p for p, _ in runs]
            results.append({
                "work": work,
                "shape": shape,
                "nodes": args.nodes,
                "peak_rss_mb_median": round(statistics.median(peaks), 1),
                "peak_rss_mb_max": round(max(peaks), 1),
                "seconds_median": round(statistics.median(t for _, t in runs), 3),
            })
            print(f"measured {work} {shape}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'work':<14} {'shape':<8} {'nodes':>6} {'peak RSS (median / max)':>24} {'time':>8}  target < {TARGET_MB} MB")
    for r in results:
        verdict = "ok" if r["peak_rss_mb_max"] < TARGET_MB else "MISSED"
        print(f"{r['work']:<14} {r['shape']:<8} {r['nodes']:>6} {r['peak_rss_mb_median']:>11.1f} / {r['peak_rss_mb_max']:<5.1f} MB {r['seconds_median']:>7.3f}s  {verdict}")


if __name__ == "__main__":
    main()
