#!/bin/sh
# The preview image's cost (bench/RESULTS.md, "The preview image's cost"): two quire
# binaries (BEFORE, AFTER) build the default essay (a copy of content/) into a clean
# output folder and over their own previous site; hyperfine, ROUNDS rounds of RUNS runs
# per case, the cases alternating round by round so a busy spell hits them alike.
# Usage: bench/preview_cost.sh BEFORE AFTER [ROUNDS] [RUNS]; prints each case's median
# and quartiles over all its runs.
set -eu
before=$1 after=$2 rounds=${3:-3} runs=${4:-10}
work=$(mktemp -d)
repo=$(cd "$(dirname "$0")/.." && pwd)
for v in before after; do
    mkdir -p "$work/$v" && cp -r "$repo/content" "$work/$v/"
done
for r in $(seq "$rounds"); do
    for v in before after; do
        eval bin=\$$v
        hyperfine -N -w 2 -r "$runs" --export-json "$work/$v-clean-$r.json" \
            --prepare "rm -rf $work/$v/site" \
            "$bin build -q --root $work/$v" >/dev/null
        "$bin" build -q --root "$work/$v"
        hyperfine -N -w 2 -r "$runs" --export-json "$work/$v-reuse-$r.json" \
            "$bin build -q --root $work/$v" >/dev/null
    done
done
python3 - "$work" <<'PY'
import json, glob, statistics, sys, os
work = sys.argv[1]
for case in ["before-clean", "after-clean", "before-reuse", "after-reuse"]:
    t, u, s = [], [], []
    for f in sorted(glob.glob(f"{work}/{case}-*.json")):
        r = json.load(open(f))["results"][0]
        t += r["times"]; u.append(r["user"]); s.append(r["system"])
    q = statistics.quantiles(t, n=4)
    ms = lambda x: f"{x * 1000:.1f}"
    print(f"{case:13} median {ms(statistics.median(t))} ms  quartiles {ms(q[0])}-{ms(q[2])}  "
          f"range {ms(min(t))}-{ms(max(t))}  user {ms(statistics.mean(u))}  sys {ms(statistics.mean(s))} (means)  n={len(t)}")
size = lambda v: os.path.getsize(f"{work}/{v}/site/preview.png")
print(f"preview.png: before {size('before')} bytes, after {size('after')} bytes")
PY
rm -rf "$work"
