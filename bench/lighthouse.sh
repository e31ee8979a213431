#!/usr/bin/env bash
# Lighthouse (mobile defaults) over every page of the default site and of the 2x4 fixture,
# and over mdBook's page for the same essay when mdBook is installed, each served from
# loopback with gzip as GitHub Pages serves it. Prints the four category scores per page
# and every audit that is not perfect. Not part of the test suite: scores are a benchmark.
#
#   bash bench/lighthouse.sh            (installs lighthouse@12.2.3 from npm into bench/.tools)
#
# Needs Debian's chromium (scripts/test.sh installs it) and Node.
set -euo pipefail
cd "$(dirname "$0")/.."
LH_VERSION=12.2.3
tools=bench/.tools/lh
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --no-save --no-audit --no-fund --silent "lighthouse@$LH_VERSION")
fi
cargo build --release --quiet --bin quire
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
target/release/quire build --quiet --out "$work/default"
target/release/quire build --quiet --root tests/fixtures/valid/grid-2x4 --out "$work/grid-2x4"
sites=(default grid-2x4)
mdbook=bench/.tools/bin/mdbook
if [ -x "$mdbook" ]; then
  # bench/gen.py writes the essay as an mdBook book (the same text, plain Markdown).
  python3 - "$work" <<'EOF'
import sys, pathlib
sys.path.insert(0, "bench")
import gen
work = pathlib.Path(sys.argv[1])
gen.generate(pathlib.Path("content"), work / "gen", scales=(1,), threads=(24,))
EOF
  book=$(find "$work/gen" -name book.toml -path '*x1*' | head -1 | xargs dirname)
  "$mdbook" build "$book" -d "$work/mdbook" >/dev/null 2>&1
  sites+=(mdbook)
fi
port=8931
for site in "${sites[@]}"; do
  python3 bench/gzip_server.py "$work/$site" "$port" &
  sleep 0.5
  pages=$(cd "$work/$site" && find . -name '*.html' ! -name '404.html' ! -name 'print.html' ! -name 'toc.html' | sort)
  for page in $pages; do
    page=${page#./}
    out="$work/lh-$site-${page//\//_}.json"
    CHROME_PATH=$(command -v chromium) "$tools/node_modules/.bin/lighthouse" \
      "http://127.0.0.1:$port/$page" --quiet --output=json --output-path="$out" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1 || {
      echo "$site/$page: lighthouse failed"
      continue
    }
    python3 - "$out" "$site/$page" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
cats = r["categories"]
scores = " ".join(f"{k}={round(cats[k]['score'] * 100)}" for k in ["performance", "accessibility", "best-practices", "seo"])
print(f"{sys.argv[2]}: {scores}")
for cat in cats.values():
    for ref in cat["auditRefs"]:
        a = r["audits"][ref["id"]]
        if ref["weight"] > 0 and a["score"] is not None and a["score"] < 1:
            print(f"    {cat['id']}: {a['id']} ({a['score']}): {a['title']}")
EOF
  done
  kill %1 2>/dev/null || true
  wait 2>/dev/null || true
  port=$((port + 1))
done
