#!/usr/bin/env bash
# The one test command: formatting, lints, then the whole suite (unit, integration and
# real-browser tests). Installs what the tests need when it is missing: Debian's Chromium
# and ChromeDriver, poppler-utils, a Java runtime and epubcheck; the Nu HTML Checker
# (npm's vnu-jar) into target/tools.
# Usage: bash scripts/test.sh [extra arguments for cargo test]
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the tests use, by the command that shows each is there.
missing=()
if [ -z "${QUIRE_CHROMIUM:-}${QUIRE_CHROMEDRIVER:-}" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils) # the print test
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless) # vnu and epubcheck
command -v epubcheck >/dev/null 2>&1 || missing+=(epubcheck)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# The Nu HTML Checker, pinned, from the npm registry.
VNU_VERSION=26.9.27
vnu_dir=target/tools/vnu-$VNU_VERSION
export QUIRE_VNU_JAR="$PWD/$vnu_dir/node_modules/vnu-jar/build/dist/vnu.jar"
if [ ! -f "$QUIRE_VNU_JAR" ]; then
  echo "== installing the Nu HTML Checker (npm vnu-jar@$VNU_VERSION)"
  mkdir -p "$vnu_dir"
  (cd "$vnu_dir" && npm install --no-save --no-audit --no-fund --silent "vnu-jar@$VNU_VERSION")
fi

# rustfmt and clippy ship with the toolchain here; add them only if they are missing.
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

echo "== cargo fmt --check"
cargo fmt --check
# Clippy also holds the code to Cargo.toml's rust-version (its incompatible_msrv lint).
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings
echo "== cargo clippy --no-default-features (quire without serve)"
cargo clippy --no-default-features -- -D warnings
if cargo tree --no-default-features -e normal --prefix none | grep -qE '^(axum|tokio|notify) '; then
  echo "error: --no-default-features still compiles the server" >&2
  exit 1
fi
echo "== cargo test --all-targets --no-fail-fast"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --all-targets --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole suite (cargo prints one per test binary).
awk -v secs=$(($(date +%s) - started)) '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "(whole command: %d s)\nall: %d passed, %d failed\n", secs, p, f }' "$log"
exit "$status"
