#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/, cargo-fuzz on the nightly toolchain) for SECONDS each, side
# by side, with the limits the reliability promise is checked against: a run of more than 10 s
# (a hang) or more than 2 GiB of memory is a failure like a panic. Crashes land in
# fuzz/artifacts/TARGET/; the working corpus grows in fuzz/corpus/TARGET/ (neither committed).
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]      (default: 600 s; read and extract)
# The stable test suite runs the same target bodies on seeded mutations (tools/fuzz/tests).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(read extract)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q '^nightly' || { echo "fuzz.sh: cargo-fuzz needs the nightly toolchain (rustup toolchain install nightly)" >&2; exit 2; }
# Seeds from the repository's texts, and the committed ones in fuzz/seeds/, into the corpus.
cargo run --release --locked -p govkg-fuzz --bin fuzz-seeds -- fuzz/corpus
cd fuzz
# No sanitizer: the targets are safe Rust over safe-Rust parsers, and without ASan a run is
# several times faster; debug assertions (overflow checks) stay on.
cargo +nightly fuzz build -s none
pids=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "seeds/$target"
  cargo +nightly fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
    -timeout=10 -rss_limit_mb=2048 -max_len=512 -max_total_time="$seconds" -print_final_stats=1 \
    > "fuzz-$target.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || status=1
  log="fuzz-${targets[$i]}.log"
  echo "${targets[$i]}: $(grep -h 'stat::number_of_executed_units' "$log" | awk '{print $2}') runs, $(grep -h 'stat::average_exec_per_sec' "$log" | awk '{print $2}') per second, log in fuzz/$log"
done
exit $status
