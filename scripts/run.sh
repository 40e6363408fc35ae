#!/usr/bin/env bash
# The main job, from a fresh clone: set up, build govkg, build the graph of the bundled reports
# into ./govkg-store, and show which bodies implement which reforms.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVKG_SETUP_SERVERS=0 bash scripts/setup.sh
# The first build compiles RocksDB's C++ (about 25 minutes on 2 cores): show cargo's progress.
echo "run: building govkg (the first build takes about 25 minutes on 2 cores; later ones seconds)" >&2
cargo build --release --locked -p govkg
bin="${CARGO_TARGET_DIR:-target}/release/govkg"
govkg() { "$bin" "$@"; }
govkg build data/reports --store govkg-store "$@"
govkg query implementers --store govkg-store
