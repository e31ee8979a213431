#!/usr/bin/env python3
"""What highlighting costs a build: the second-essay fixture (a 2x4 grid, one Rust and one
Python block, two figures, a short thread) built with its code blocks and without them,
runs alternating A, B, A, B... in one session so drift hits both alike.

    cargo build --release --bin quire
    python3 bench/code_cost.py [--runs 40] [--quire target/release/quire]

Prints the median and the spread (10th to 90th percentile, min to max) of each, and the
ratio of the medians. The target (issue 15): the build with code within 2x the one without.
"""
import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/valid/second-essay"


def without_code(essay: str) -> str:
    """The essay with every fenced code block removed (and nothing else)."""
    return re.sub(r"^```[^\n]*\n.*?^```\n", "", essay, flags=re.S | re.M)


def percentile(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--quire", default=str(REPO / "target/release/quire"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="quire-code-cost-"))
    try:
        projects = {}
        for name in ("with code", "without code"):
            p = tmp / name.replace(" ", "-")
            shutil.copytree(FIXTURE, p)
            if name == "without code":
                essay = p / "content/essay.md"
                text = essay.read_text()
                stripped = without_code(text)
                assert stripped != text and "```" not in stripped, "code blocks not removed"
                essay.write_text(stripped)
            projects[name] = p
        wall = {name: [] for name in projects}
        cpu = {name: [] for name in projects}

        def run(name):
            p = projects[name]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [args.quire, "-q", "build", "--root", str(p), "--out", str(p / "site")],
                check=True,
            )
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return elapsed, used

        for _ in range(args.warmup):
            for name in projects:
                run(name)
        for _ in range(args.runs):
            for name in projects:
                w, c = run(name)
                wall[name].append(w)
                cpu[name].append(c)
        print(f"quire build of the second-essay fixture, {args.runs} alternating runs each")
        ratios = {}
        for label, table in (("wall time", wall), ("CPU time (user + sys)", cpu)):
            print(f"\n{label}")
            print(f"{'':14} {'median':>9} {'p10':>9} {'p90':>9} {'min':>9} {'max':>9}")
            med = {}
            for name, xs in table.items():
                med[name] = statistics.median(xs)
                row = [med[name], percentile(xs, 0.1), percentile(xs, 0.9), min(xs), max(xs)]
                print(f"{name:14} " + " ".join(f"{x * 1000:7.1f}ms" for x in row))
            ratios[label] = med["with code"] / med["without code"]
            print(f"ratio of medians (with / without): {ratios[label]:.2f}")
        return 0 if ratios["wall time"] <= 2.0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
