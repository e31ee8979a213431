#!/usr/bin/env python3
"""How long `quire import forum` takes on big threads: a first import of N comments, then a
re-import of the same thread grown by 10% (new replies scattered over the tree, every score
changed). Synthetic answers in the shape of tests/fixtures/import/lesswrong-v1.json.

    python3 bench/import_scale.py --quire target/release/quire --sizes 1000,10000

Prints one line per size: comments, first import, re-import (median of --runs), and the size
of the comments.toml written. No timing is asserted anywhere; shared machines are noisy.
"""

import argparse
import copy
import json
import pathlib
import random
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests/fixtures/import/lesswrong-v1.json"
PROJECT = ROOT / "tests/fixtures/import/project"


def thread(n, seed=1):
    template = json.loads(FIXTURE.read_text())["data"]["comments"]["results"][0]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        c = copy.deepcopy(template)
        c["_id"] = "bEnCh%012d" % i
        c["parentCommentId"] = None if i < 20 or rng.random() < 0.05 else "bEnCh%012d" % rng.randrange(i)
        c["postedAt"] = "2026-%02d-%02dT%02d:%02d:%02d.000Z" % (
            1 + i // 86400 % 12, 1 + i // 3600 % 28, i // 3600 % 24, i // 60 % 60, i % 60)
        c["contents"]["html"] = (
            "<p>Comment %d, with <em>emphasis</em>, a <a href=\"https://example.org/%d\">link</a>"
            " and a list:</p><ul><li>one</li><li>two</li></ul>" % (i, i))
        c["baseScore"] = rng.randrange(-5, 80)
        out.append(c)
    return out


def answer(results):
    return json.dumps({"data": {"comments": {"results": results}}})


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quire", default=str(ROOT / "target/release/quire"))
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print("| comments | first import | re-import (+10%) | comments.toml |")
    print("| ---: | ---: | ---: | ---: |")
    for n in [int(s) for s in args.sizes.split(",")]:
        first_times, again_times, size = [], [], 0
        with tempfile.TemporaryDirectory() as work:
            work = pathlib.Path(work)
            base = thread(n)
            grown = copy.deepcopy(base) + thread(n + n // 10, seed=2)[n:]
            for c in grown[:n]:
                c["baseScore"] += 1
            # Replies of the grown part point into the whole tree.
            for i, c in enumerate(grown[n:], start=n):
                c["_id"] = "bEnCh%012d" % i
                c["parentCommentId"] = "bEnCh%012d" % random.Random(i).randrange(i)
            (work / "v1.json").write_text(answer(base))
            (work / "v2.json").write_text(answer(grown))
            for _ in range(args.runs):
                project = work / "p"
                shutil.rmtree(project, ignore_errors=True)
                shutil.copytree(PROJECT, project)
                cmd = [args.quire, "import", "forum", "--root", str(project), "-q", "--forum", "lesswrong"]
                first_times.append(timed(cmd + [str(work / "v1.json")]))
                again_times.append(timed(cmd + [str(work / "v2.json")]))
                size = (project / "content/comments.toml").stat().st_size
        print("| %d | %.0f ms | %.0f ms | %d KiB |" % (
            n, 1000 * statistics.median(first_times), 1000 * statistics.median(again_times), size // 1024))


if __name__ == "__main__":
    main()
