#!/usr/bin/env bash
# Browser end-to-end test of `govkg serve`.
#
# 1. installs what is missing (Debian's chromium, a CJK font, playwright-core pinned in
#    tests/browser/package-lock.json; never a browser download),
# 2. builds the release binary and a store from data/reports,
# 3. starts `govkg serve` on a free loopback port,
# 4. runs tests/browser/e2e.mjs (named query → profile → graph, screenshot; search, parameter
#    fields checked against `govkg query --param`, shareable address, downloads, sorting, the
#    "showing N of M" notice),
# 5. stops the server; exits non-zero on any failure.
#
# Environment: CARGO_TARGET_DIR (where the release binary is built), GOVKG_BIN (use this binary
# instead of building), GOVKG_E2E_OUT (output folder; default $CARGO_TARGET_DIR/browser-e2e),
# GOVKG_E2E_CACHE (where node_modules is kept between runs; default ~/.cache/govkg-browser-e2e),
# GOVKG_DOC_SCREENSHOT=1 (also refresh the README's docs/screenshot-serve.png: a test run leaves
# tracked files alone unless asked).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
out_dir=${GOVKG_E2E_OUT:-$target_dir/browser-e2e}
node_dir=${GOVKG_E2E_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/govkg-browser-e2e}
chromium=${CHROMIUM:-/usr/bin/chromium}

say() { echo "browser-e2e: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- system packages
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    fail "need root to run: $*"; fi
}
packages=()
[ -x "$chromium" ] || packages+=(chromium)
command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q . || packages+=(fonts-wqy-microhei)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
if [ ${#packages[@]} -gt 0 ]; then
  say "installing ${packages[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || fail "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null \
    || fail "apt-get install ${packages[*]} failed"
fi
[ -x "$chromium" ] || fail "no browser at $chromium"

# ---------------------------------------------------------------- playwright-core (pinned)
mkdir -p "$node_dir"
if ! cmp -s tests/browser/package-lock.json "$node_dir/package-lock.json" \
   || [ ! -f "$node_dir/node_modules/playwright-core/package.json" ]; then
  say "installing playwright-core from tests/browser/package-lock.json into $node_dir"
  cp tests/browser/package.json tests/browser/package-lock.json "$node_dir/"
  (cd "$node_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
    || fail "npm ci failed"
fi

# ---------------------------------------------------------------- binary and store
if [ -n "${GOVKG_BIN:-}" ]; then
  bin=$GOVKG_BIN
else
  say "building the release binary"
  CARGO_TARGET_DIR=$target_dir cargo build --release --quiet || fail "cargo build --release failed"
  bin=$target_dir/release/govkg
fi
[ -x "$bin" ] || fail "no govkg binary at $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/govkg-e2e.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "building a store from data/reports"
"$bin" build data/reports --store "$work/store" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "govkg build failed"; }

# ---------------------------------------------------------------- server on a free port
"$bin" serve --store "$work/store" --bind 127.0.0.1:0 2>"$work/serve.log" &
server_pid=$!
url=""
for _ in $(seq 1 150); do
  url=$(sed -n 's/^govkg serve: listening on \(http:[^ ]*\)$/\1/p' "$work/serve.log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; fail "govkg serve exited"; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; fail "govkg serve did not report its address in 30 s"; }
case "$url" in http://127.0.0.1:*) ;; *) fail "server is not on loopback: $url" ;; esac
say "server at $url"

# ---------------------------------------------------------------- the test
mkdir -p "$out_dir" docs
status=0
GOVKG_URL=$url \
GOVKG_NODE_DIR=$node_dir \
GOVKG_CLI_BIN=$bin \
GOVKG_STORE=$work/store \
GOVKG_SCREENSHOTS="${GOVKG_DOC_SCREENSHOT:+$root/docs/screenshot-serve.png:}$out_dir/screenshot-serve.png" \
CHROMIUM=$chromium \
  timeout 300 node tests/browser/e2e.mjs || status=$?
if [ "$status" -ne 0 ]; then
  say "server log (last lines):"
  tail -n 20 "$work/serve.log" >&2
  fail "tests/browser/e2e.mjs exited with $status"
fi
cp "$work/serve.log" "$out_dir/serve.log"
say "passed; screenshot in $out_dir${GOVKG_DOC_SCREENSHOT:+ and docs/screenshot-serve.png}"
