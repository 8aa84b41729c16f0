# Shared by the benchmarks: where ramify is, a scratch folder, timing, tables.
# Each benchmark prints a Markdown section with a table of figures measured
# in the same run, and the ratio of each against ramify's.

set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(dirname "$BENCH_DIR")
RAMIFY=${RAMIFY:-$SOURCE_DIR/build/ramify}
SPAWN_LIMIT=${SPAWN_LIMIT:-$SOURCE_DIR/build/bench/spawn-limit}
READ_SHA256_LIMIT=${READ_SHA256_LIMIT:-$SOURCE_DIR/build/bench/read-sha256-limit}
[ -x "$RAMIFY" ] || { echo "build ramify first (scripts/build build)" >&2; exit 1; }
# The peers are Debian's packages, for Debian's Python.
PEER_PYTHON=${PEER_PYTHON:-/usr/bin/python3}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ramify-bench-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# Seconds (with fractions) that a command takes; its output goes to $SCRATCH/last.out.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > "$SCRATCH/last.out" 2> "$SCRATCH/last.err" || { echo "benchmark command failed: $*" >&2; tail -5 "$SCRATCH/last.err" >&2; return 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}

# A table row: name, items, seconds, ramify's seconds for the same items -> rate and ratio.
# The ratio is how many times longer the peer takes per item than ramify.
row() {
  python3 - "$@" <<'PY'
import sys
name, items, secs, ref_items, ref_secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
per = secs / items
ref = ref_secs / ref_items
print(f"| {name} | {int(items):,} | {secs:.2f} | {items / secs:,.0f} | {per * 1e6:,.1f} | {per / ref:.2f}× |")
PY
}

table_head() {
  echo "| system | items | seconds | items/s | µs per item | vs ramify |"
  echo "|---|---:|---:|---:|---:|---:|"
}
