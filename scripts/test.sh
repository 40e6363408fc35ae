#!/usr/bin/env bash
# The test suite, from a fresh clone: set up, then unit, integration and accuracy tests, then
# the browser end-to-end test of `govkg serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release --locked --workspace
if [ -x scripts/browser-e2e.sh ]; then
  bash scripts/browser-e2e.sh
fi
