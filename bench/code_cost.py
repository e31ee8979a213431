#!/usr/bin/env python3
"""What highlighting costs a build: the second-essay fixture (a 2x4 grid, one Rust and one
Python block, two figures, a short thread) built with its code blocks and without them,
runs alternating A, B, A, B... in one session so drift hits both alike.

    cargo build --release --bin quire
    python3 bench/code_cost.py [--runs 40] [--quire target/release/quire] [--zola PATH]

With Zola (found as `--zola`, `bench/.tools/bin/zola` or `zola` on the PATH), the same
essay's Markdown (quire's front matter replaced by Zola's; the grid, thread and references
are quire's own and have no Zola counterpart) is built by Zola as a one-page site with
highlighting on (`[markdown.highlighting]`, a light and a dark theme, CSS classes: the same
job quire does), with and without its code blocks, in the same alternation.

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


ZOLA_CONFIG = """base_url = "https://example.org"
title = "code cost"
compile_sass = false
build_search_index = false

[markdown.highlighting]
light_theme = "github-light"
dark_theme = "github-dark"
style = "class"
"""

ZOLA_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><main>{{ page.content | safe }}</main></body></html>
"""


def zola_project(root: Path, essay: str) -> None:
    """A Zola site whose one page is `essay` (quire's +++ front matter swapped for Zola's)."""
    body = re.sub(r"\A\+\+\+\n.*?\n\+\+\+\n", "", essay, flags=re.S)
    (root / "content").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "config.toml").write_text(ZOLA_CONFIG)
    (root / "templates" / "page.html").write_text(ZOLA_TEMPLATE)
    (root / "templates" / "index.html").write_text("<!DOCTYPE html><title>index</title>\n")
    (root / "content" / "essay.md").write_text('+++\ntitle = "essay"\n+++\n' + body)


def find_zola(given):
    if given:
        return given
    local = REPO / "bench" / ".tools" / "bin" / "zola"
    return str(local) if local.is_file() else shutil.which("zola")


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
    ap.add_argument("--zola", default=None)
    args = ap.parse_args()
    zola = find_zola(args.zola)
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
        if zola:
            for name in ("with code", "without code"):
                z = tmp / ("zola-" + name.replace(" ", "-"))
                zola_project(z, (projects[name] / "content/essay.md").read_text())
                projects["zola " + name] = z
            version = subprocess.run([zola, "--version"], capture_output=True, text=True)
            print(f"beside it: {version.stdout.strip()} ({zola})")
        else:
            print("Zola not found (--zola, bench/.tools/bin/zola or the PATH): quire alone")
        wall = {name: [] for name in projects}
        cpu = {name: [] for name in projects}

        def run(name):
            p = projects[name]
            if name.startswith("zola"):
                argv = [zola, "--root", str(p), "build", "--output-dir", str(p / "public"), "--force"]
            else:
                argv = [args.quire, "-q", "build", "--root", str(p), "--out", str(p / "site")]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        print(f"builds of the second-essay fixture, {args.runs} alternating runs each")
        ratios = {}
        for label, table in (("wall time", wall), ("CPU time (user + sys)", cpu)):
            print(f"\n{label}")
            print(f"{'':19} {'median':>9} {'p10':>9} {'p90':>9} {'min':>9} {'max':>9}")
            med = {}
            for name, xs in table.items():
                med[name] = statistics.median(xs)
                row = [med[name], percentile(xs, 0.1), percentile(xs, 0.9), min(xs), max(xs)]
                print(f"{name:19} " + " ".join(f"{x * 1000:7.1f}ms" for x in row))
            ratios[label] = med["with code"] / med["without code"]
            print(f"quire, ratio of medians (with / without): {ratios[label]:.2f}")
            if zola:
                z = med["zola with code"] / med["zola without code"]
                print(f"Zola, ratio of medians (with / without): {z:.2f}")
                print(f"Zola with code / quire with code: {med['zola with code'] / med['with code']:.2f}")
        return 0 if ratios["wall time"] <= 2.0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
