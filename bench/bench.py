#!/usr/bin/env python3
"""Times quire against mdBook, Zola, Hugo and pandoc on the same inputs, side by side.

Usage: bench/run.sh [options]   (builds quire in release mode, then runs this)
       python3 bench/bench.py --quire PATH [options]

Each measurement is one whole process, started from a clean (deleted) output folder:
wall time from spawn to exit, and peak resident memory from wait4's rusage (the process
and any children it waited for). Within a run, every tool builds the input once, in an
order that rotates from run to run, so load from other users of the machine falls on all
tools alike. The first run of each input is a warm-up and is not counted. Reported:
median wall time, median peak memory, output size, and each peer's time divided by
quire's (so "6.0x" means quire was six times faster).

Results go to <work>/results.json and <work>/results.md (work defaults to bench/work).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen  # noqa: E402

PEERS = ["mdbook", "zola", "hugo", "pandoc"]
TOOLS_DIR = HERE / ".tools"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- finding and installing

def find_tool(name):
    local = TOOLS_DIR / "bin" / name
    if local.is_file():
        return str(local)
    return shutil.which(name)


def install(name):
    """Installs a peer from its package registry. Returns a note when it can't be had."""
    if name == "mdbook":
        log("installing mdBook with cargo (a few minutes)...")
        r = subprocess.run(
            ["cargo", "install", "mdbook", "--locked", "--root", str(TOOLS_DIR)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        return None if r.returncode == 0 else f"cargo install mdbook failed: {r.stderr[-400:]}"
    if name in ("hugo", "pandoc"):
        log(f"installing {name} with apt-get...")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        r = subprocess.run(
            sudo + ["apt-get", "install", "-y", name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if r.returncode != 0:
            subprocess.run(sudo + ["apt-get", "update"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            r = subprocess.run(sudo + ["apt-get", "install", "-y", name], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return None if r.returncode == 0 else f"apt-get install {name} failed: {r.stderr[-400:]}"
    if name == "zola":
        # Zola is published neither on crates.io nor in Debian; look again each time.
        r = subprocess.run(["cargo", "info", "zola"], capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run(
                ["cargo", "install", "zola", "--locked", "--root", str(TOOLS_DIR)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            if r.returncode == 0:
                return None
        a = subprocess.run(["apt-cache", "show", "zola"], capture_output=True, text=True)
        if a.returncode == 0 and a.stdout.strip():
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            r = subprocess.run(sudo + ["apt-get", "install", "-y", "zola"], capture_output=True, text=True)
            if r.returncode == 0:
                return None
        return (
            "not available: Zola is not published on crates.io and has no Debian package; "
            f"build it from its source (github.com/getzola/zola) and put the binary at {TOOLS_DIR / 'bin' / 'zola'}"
        )
    return f"unknown tool {name}"


def version(name, path):
    args = {"hugo": ["version"], "pandoc": ["--version"]}.get(name, ["--version"])
    try:
        out = subprocess.run([path] + args, capture_output=True, text=True, timeout=30).stdout
    except OSError as e:
        return f"unknown ({e})"
    return out.strip().splitlines()[0] if out.strip() else "unknown"


# ---------------------------------------------------------------- measuring

def command(tool, exe, src, out):
    """argv that builds `src` into the (absent) folder `out`."""
    if tool == "quire":
        return [exe, "build", "--root", str(src), "--out", str(out)]
    if tool == "mdbook":
        return [exe, "build", str(src), "--dest-dir", str(out)]
    if tool == "hugo":
        return [exe, "--quiet", "--source", str(src), "--destination", str(out)]
    if tool == "zola":
        return [exe, "--root", str(src), "build", "--output-dir", str(out), "--force"]
    if tool == "pandoc":
        return [
            exe, "--from", "markdown", "--to", "html5", "--standalone", "--toc",
            "--output", str(out / "index.html"), str(src / "essay.md"),
        ]
    raise ValueError(tool)


def clean(out, tool):
    if out.exists():
        shutil.rmtree(out)
    if tool == "pandoc":
        out.mkdir(parents=True)  # pandoc writes a file, not a folder
    # Hugo keeps a build cache and lock file in the source; remove them too.


def build_helper(work):
    """Compiles bench/measure.rs (the process timer) into the work folder."""
    src = HERE / "measure.rs"
    exe = work / "measure"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["rustc", "-O", "--edition", "2024", str(src), "-o", str(exe)], check=True)
    return str(exe)


MEASURE = None
MEASURE_ENV = dict(os.environ)


def measure(argv, cwd):
    """(wall seconds, peak RSS bytes, CPU seconds, exit status) of one process."""
    out = subprocess.run([MEASURE] + argv, cwd=cwd, capture_output=True, text=True, env=MEASURE_ENV)
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"measuring {argv[0]} failed: {out.stderr.strip()}")
    wall_ns, rss_kb, user_us, sys_us, code = (int(x) for x in out.stdout.split())
    return wall_ns / 1e9, rss_kb * 1024, (user_us + sys_us) / 1e6, code


def tree_size(path):
    files, size = 0, 0
    for root, _, names in os.walk(path):
        for n in names:
            files += 1
            size += os.path.getsize(os.path.join(root, n))
    return files, size


def bench_case(name, entries, runs, warmup, work):
    """entries: [(tool, exe, src)]. Returns {tool: stats}."""
    samples = {tool: [] for tool, _, _ in entries}
    rss = {tool: [] for tool, _, _ in entries}
    cpus = {tool: [] for tool, _, _ in entries}
    outputs = {}
    total = warmup + runs
    for r in range(total):
        k = r % len(entries)
        order = entries[k:] + entries[:k]
        for tool, exe, src in order:
            out = work / "out" / f"{name}-{tool}"
            clean(out, tool)
            wall, peak, cpu, code = measure(command(tool, exe, src, out), work)
            if code != 0:
                # Run it again visibly so the error can be read.
                subprocess.run(command(tool, exe, src, out), cwd=work)
                raise SystemExit(f"{tool} failed on {name} (exit {code})")
            if r >= warmup:
                samples[tool].append(wall)
                rss[tool].append(peak)
                cpus[tool].append(cpu)
            outputs[tool] = out
        log(f"  {name}: run {r + 1}/{total}" + (" (warm-up)" if r < warmup else ""))
    stats = {}
    for tool in samples:
        files, size = tree_size(outputs[tool])
        stats[tool] = {
            "median_s": statistics.median(samples[tool]),
            "min_s": min(samples[tool]),
            "max_s": max(samples[tool]),
            "runs": len(samples[tool]),
            "median_cpu_s": statistics.median(cpus[tool]),
            "peak_rss_bytes": int(statistics.median(rss[tool])),
            "output_bytes": size,
            "output_files": files,
        }
    return stats


# ---------------------------------------------------------------- reporting

def machine():
    model = "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "loadavg_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fmt_time(s):
    return f"{s * 1000:.1f} ms" if s < 10 else f"{s:.2f} s"


def fmt_bytes(b):
    if b >= 1024 * 1024:
        return f"{b / 1024 / 1024:.1f} MB"
    return f"{b / 1024:.0f} KB"


def report(results):
    lines = []
    m = results["machine"]
    lines.append(f"Date: {results['date']}  ")
    lines.append(f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory']} RAM, {m['os']}; load average at start {m['loadavg_at_start']}  ")
    lines.append("Versions: " + "; ".join(results["versions"].values()) + "  ")
    for tool, note in results["unavailable"].items():
        lines.append(f"Not measured: {tool}: {note}  ")
    lines.append(f"Runs per input: {results['runs']} after {results['warmup']} warm-up; measured processes at nice {results['nice']}\n")
    lines.append("### The essay, quire and its peers\n")
    lines.append("| input | tool | median wall | min–max | CPU (user+sys) | peak memory | output | peer / quire, wall | peer / quire, CPU |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for case in results["cases"]:
        if not case["peers"]:
            continue
        q = case["stats"]["quire"]["median_s"]
        qc = case["stats"]["quire"]["median_cpu_s"]
        for tool, s in case["stats"].items():
            ratio = "— | —" if tool == "quire" else f"{s['median_s'] / q:.1f}x | {s['median_cpu_s'] / qc:.1f}x"
            lines.append(
                f"| {case['label']} | {tool} | {fmt_time(s['median_s'])} | {fmt_time(s['min_s'])}–{fmt_time(s['max_s'])} | {fmt_time(s['median_cpu_s'])} "
                f"| {fmt_bytes(s['peak_rss_bytes'])} | {fmt_bytes(s['output_bytes'])} ({s['output_files']} files) | {ratio} |"
            )
    lines.append("\n### quire alone: essay length x comment count\n")
    lines.append("| essay | comments | median wall | min–max | CPU (user+sys) | peak memory | output |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for case in results["cases"]:
        s = case["stats"]["quire"]
        lines.append(
            f"| x{case['scale']} | {case['comments']} | {fmt_time(s['median_s'])} | {fmt_time(s['min_s'])}–{fmt_time(s['max_s'])} | {fmt_time(s['median_cpu_s'])} "
            f"| {fmt_bytes(s['peak_rss_bytes'])} | {fmt_bytes(s['output_bytes'])} |"
        )
    lines.append("\n### Targets\n")
    for t in results["targets"]:
        lines.append(f"- {'PASS' if t['ok'] else 'FAIL'}: {t['what']}: {t['measured']}")
    if results.get("headline"):
        lines.append(f"\nHeadline: {results['headline']}")
    return "\n".join(lines) + "\n"


def targets(results):
    out = []
    by = {(c["scale"], c["comments"]): c for c in results["cases"]}
    default = by.get((1, 24))
    if default and default["peers"]:
        q = default["stats"]["quire"]["median_s"]
        peers = {t: s["median_s"] for t, s in default["stats"].items() if t != "quire"}
        fastest = min(peers, key=peers.get)
        ratio = peers[fastest] / q
        out.append({
            "what": "default essay at least 5x faster than the fastest peer",
            "measured": f"{ratio:.1f}x faster than {fastest} ({fmt_time(q)} vs {fmt_time(peers[fastest])})",
            "ok": ratio >= 5,
        })
        results["headline"] = (
            f"quire builds the default essay in {fmt_time(q)}, "
            + ", ".join(f"{peers[t] / q:.0f}x faster than {t}" for t in sorted(peers, key=peers.get))
            + f" ({results['machine']['nproc']} cores, median of {default['stats']['quire']['runs']} runs)."
        )
    if default:
        s = default["stats"]["quire"]
        out.append({
            "what": "default essay under 20 ms wall and 30 MB peak memory",
            "measured": f"{fmt_time(s['median_s'])}, {fmt_bytes(s['peak_rss_bytes'])}",
            "ok": s["median_s"] < 0.020 and s["peak_rss_bytes"] < 30 * 1024 * 1024,
        })
    big = by.get((100, 10000))
    if big:
        s = big["stats"]["quire"]["median_s"]
        out.append({"what": "x100 essay with 10,000 comments under 1 s", "measured": fmt_time(s), "ok": s < 1})
    a, b = by.get((10, 24)), by.get((100, 24))
    if a and b:
        g = b["stats"]["quire"]["median_s"] / a["stats"]["quire"]["median_s"]
        out.append({"what": "growth from x10 to x100 (24 comments) at most 11x", "measured": f"{g:.1f}x", "ok": g <= 11})
        results["growth_x10_x100"] = g
    a, b = by.get((10, 10000)), by.get((100, 10000))
    if a and b:
        g = b["stats"]["quire"]["median_s"] / a["stats"]["quire"]["median_s"]
        out.append({"what": "growth from x10 to x100 (10,000 comments) at most 11x", "measured": f"{g:.1f}x", "ok": g <= 11})
    return out


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quire", required=True, help="path to the quire binary (release build)")
    p.add_argument("--work", default=str(HERE / "work"), help="scratch folder for inputs, outputs and results")
    p.add_argument("--content", default=str(HERE.parent / "content"), help="the default content to scale")
    p.add_argument("--scales", default="1,10,100", help="essay sizes, comma-separated")
    p.add_argument("--comments", default="24,1000,10000", help="thread sizes, comma-separated")
    p.add_argument("--tools", default="quire," + ",".join(PEERS), help="tools to compare")
    p.add_argument("--runs", type=int, default=0, help="measured runs per input (default: 11 for fast inputs, 5 for slow)")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--no-install", action="store_true", help="skip peers that are missing instead of installing them")
    p.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0,
                   help="nice level of the measured processes (default -10 as root: less noise from other load)")
    a = p.parse_args()

    work = Path(a.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    quire = str(Path(a.quire).resolve())
    scales = [int(x) for x in a.scales.split(",") if x]
    threads = [int(x) for x in a.comments.split(",") if x]
    tools = [t for t in a.tools.split(",") if t]

    exes, unavailable = {"quire": quire}, {}
    for t in tools:
        if t == "quire":
            continue
        path = find_tool(t)
        if not path and not a.no_install:
            note = install(t)
            path = find_tool(t)
            if not path:
                unavailable[t] = note or "install reported success but the binary is not on PATH"
        elif not path:
            unavailable[t] = "not installed (--no-install)"
        if path:
            exes[t] = path
    for t, note in unavailable.items():
        log(f"{t}: {note}")

    global MEASURE
    MEASURE = build_helper(work)
    if a.nice:
        MEASURE_ENV["MEASURE_NICE"] = str(a.nice)
    log("generating inputs...")
    inputs = gen.generate(a.content, work, scales=scales, threads=threads)
    peers = [t for t in tools if t in exes and t != "quire"]
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": {t: version(t, exes[t]) for t in exes},
        "unavailable": unavailable,
        "runs": a.runs or "11 (fast inputs) or 5 (inputs over 1 s)",
        "warmup": a.warmup,
        "nice": a.nice,
        "command": " ".join(["bench/run.sh"] + sys.argv[1:]),
        "cases": [],
    }
    plan = []
    for n in scales:
        for c in threads:
            with_peers = c == threads[0] and peers
            entries = [("quire", quire, inputs["quire"][(n, c)])]
            if with_peers:
                entries += [(t, exes[t], inputs["peers"][n][t]) for t in peers]
            plan.append((n, c, bool(with_peers), entries))
    for n, c, with_peers, entries in plan:
        name = f"x{n}-c{c}"
        runs = a.runs
        if not runs:
            # Size the run count by a probe of the slowest tool on this input.
            slowest = 0.0
            for tool, exe, src in entries:
                out = work / "out" / f"{name}-{tool}"
                clean(out, tool)
                wall, _, _, _ = measure(command(tool, exe, src, out), work)
                slowest = max(slowest, wall)
            runs = 5 if slowest > 1 else 11
        log(f"{name}: {', '.join(t for t, _, _ in entries)}, {runs} runs")
        stats = bench_case(name, entries, runs, a.warmup, work)
        label = ("default essay" if n == 1 else f"essay x{n}") + (f", {c} comments (quire)" if with_peers else "")
        results["cases"].append({"scale": n, "comments": c, "peers": with_peers, "label": label, "stats": stats})
    results["targets"] = targets(results)
    (work / "results.json").write_text(json.dumps(results, indent=2))
    md = report(results)
    (work / "results.md").write_text(md)
    print(md)
    shutil.rmtree(work / "out", ignore_errors=True)


if __name__ == "__main__":
    main()
