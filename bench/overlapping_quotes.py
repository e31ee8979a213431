#!/usr/bin/env python3
"""The red team's overlapping-quotes case (issue 14): quotes `a`, `aa`, `aaa`, ... against
one paragraph of `a`s. Writes the project, times `quire build` on it (release binary) and
prints what it said. quire must finish (here: fail with its quote-match limit) in well
under 2 s however many quotes overlap.

    python3 bench/overlapping_quotes.py [--quotes 10000] [--essay-bytes 1000000] [--runs 3]
"""
import argparse, os, pathlib, shutil, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def write_project(dir, quotes, essay_bytes):
    content = dir / "content"
    content.mkdir(parents=True)
    (content / "essay.md").write_text(
        '+++\ntitle = "Overlapping quotes"\n+++\n' + "a" * essay_bytes + "\n"
    )
    with open(content / "comments.toml", "w") as f:
        for n in range(1, quotes + 1):
            f.write(f'[[comment]]\nid = "c{n}"\nbody = "x"\n\n[[comment.annotation]]\nquote = "{"a" * n}"\n\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quotes", type=int, default=10000)
    ap.add_argument("--essay-bytes", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quire", default=str(ROOT / "target/release/quire"))
    args = ap.parse_args()
    if not os.path.exists(args.quire):
        sys.exit(f"{args.quire} not found: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        project = pathlib.Path(tmp) / "p"
        write_project(project, args.quotes, args.essay_bytes)
        size = (project / "content/comments.toml").stat().st_size
        print(f"{args.quotes} quotes ({size / 1e6:.1f} MB of comments.toml) against {args.essay_bytes / 1e6:.1f} MB of essay")
        times = []
        for _ in range(args.runs):
            started = time.monotonic()
            r = subprocess.run([args.quire, "build", "--root", str(project)], capture_output=True, text=True)
            times.append(time.monotonic() - started)
        print(f"exit {r.returncode}; wall seconds: " + ", ".join(f"{t:.2f}" for t in times))
        print(r.stderr.strip()[:600])


if __name__ == "__main__":
    main()
