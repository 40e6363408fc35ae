#!/usr/bin/env bash
# The main job, from a fresh clone: set up, build govkg, build the graph of the bundled reports
# into ./govkg-store, and show which bodies implement which reforms.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVKG_SETUP_SERVERS=0 bash scripts/setup.sh
govkg() { cargo run --release --locked --quiet -- "$@"; }
govkg build data/reports --store govkg-store "$@"
govkg query implementers --store govkg-store
