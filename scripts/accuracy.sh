#!/usr/bin/env bash
# Prints the README's accuracy table from what the binary measures now: `govkg eval` on each set
# with answer keys, and the devset test's totals. Usage: bash scripts/accuracy.sh [GOVKG]
set -euo pipefail
cd "$(dirname "$0")/.."
GOVKG=${1:-${CARGO_TARGET_DIR:-target}/release/govkg}
row() { # name, gold folder, reports…
  local name=$1 gold=$2; shift 2
  "$GOVKG" eval --json --gold "$gold" "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin); s = d["summary"]
a, t = d["agency_full_names"], d["author_right"]
cells = [sys.argv[1], d["reports"], "%.3f" % s["entity_f1"], "%.3f" % s["implements_f1"],
         "%.3f" % s["cites_f1"], "%d/%d" % tuple(a), "%d/%d" % tuple(t)]
print("| " + " | ".join(str(c) for c in cells) + " |")
' "$name"
}
echo "| set | reports | entity micro-F1 | implements F1 | cites F1 | agency full names right | author right |"
echo "|---|---|---|---|---|---|---|"
row "Tianjin keys 000 + 002 (rules developed on them)" tests/gold data/reports
row "ext/: 20 openings, 14 provinces (developed on them)" tests/gold/ext tests/corpus/ext
devset=$(cargo test --release --offline -q -p govkg-core --test devset -- --nocapture 2>/dev/null | grep '^author right')
echo
echo "devset (63 openings: 58 from the 16 provinces ext/ lacks, 5 from ext/ provinces for their page forms; author, jurisdiction and relative forms only): ${devset}"
