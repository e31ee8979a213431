#!/usr/bin/env bash
# One command: build quire (release), install missing peers, generate inputs, time everything.
#   bench/run.sh                      the full benchmark (tens of minutes on 2 cores)
#   bench/run.sh --scales 1 --comments 24 --runs 5   a quick look
# Options are passed to bench/bench.py (see `python3 bench/bench.py --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin quire
target_dir="${CARGO_TARGET_DIR:-target}"
exec python3 bench/bench.py --quire "$target_dir/release/quire" "$@"
