#!/usr/bin/env bash
# Builds the default essay with a generated thread of N comments (default 10,000) and
# reports the build time and the size of the comment page.
#
#   bash bench/thread_scale.sh [N] [RUNS]
#
# Uses a release build of quire and of the generator (examples/gen_thread.rs). The
# generated project and site go to a temporary folder that is removed afterwards.
set -euo pipefail
n="${1:-10000}"
runs="${2:-5}"
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release --bin quire --example gen_thread
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$target/release/examples/gen_thread" scale "$n" "$work/project"
comments_bytes=$(wc -c < "$work/project/content/comments.toml")
best=""
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$target/release/quire" build --root "$work/project" --out "$work/site" > /dev/null 2>&1
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  echo "run $i: ${t}s"
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best="$t"; fi
done
page=$(wc -c < "$work/site/index.html")
gz=$(gzip -9 -c "$work/site/index.html" | wc -c)
count=$(grep -o '<li class="comment' "$work/site/index.html" | wc -l)
echo "comments:           $count"
echo "comments.toml:      $comments_bytes bytes"
echo "best build time:    ${best}s (of $runs runs, whole site)"
echo "index.html:         $page bytes ($(echo "scale=1; $page / 1048576" | bc) MiB), gzip -9: $gz bytes ($(echo "scale=1; $gz / 1048576" | bc) MiB)"
