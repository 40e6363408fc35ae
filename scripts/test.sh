#!/usr/bin/env bash
# The test suite, from a fresh clone: set up, then unit, integration and accuracy tests, lints
# and formatting, then the browser end-to-end test of `govkg serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release --locked --workspace
# Lints and formatting, after the tests: clippy reuses the build scripts' output (RocksDB is
# not compiled again), about a minute on two cores.
cargo clippy --release --locked --workspace --all-targets -- -D warnings
cargo fmt --all -- --check
if [ -x scripts/browser-e2e.sh ]; then
  bash scripts/browser-e2e.sh
fi
