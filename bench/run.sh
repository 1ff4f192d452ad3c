#!/usr/bin/env bash
# Benchmark `commsplan analyze` on synthetic architecture files against the YAML parse
# floor: a program that only reads the file and walks every saphyr-parser event
# (bench/parse_floor.rs). Per size, the floor, the core analysis (`--select M,D`) and
# every rule are run in turn, round after round, so that the machine's drift touches all
# three alike.
#
#   bench/run.sh                          # 1k, 10k and 100k interactions
#   BENCH_SIZES="1000 10000" bench/run.sh # other sizes
#   COMMSPLAN_BIN=/path/to/commsplan FLOOR_BIN=/path/to/parse_floor bench/run.sh   # no build
#
# Other knobs: BENCH_RUNS (default 5; the median is reported, with the spread min–max),
# BENCH_SEED (default 42), BENCH_OUT (where the generated files go; default bench/out).
# Prints a markdown table on stdout; progress goes to stderr.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=${BENCH_SIZES:-"1000 10000 100000"}
RUNS=${BENCH_RUNS:-5}
SEED=${BENCH_SEED:-42}
OUT=${BENCH_OUT:-bench/out}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 2; }
[ -x "$TIME" ] || die "$TIME not found (Debian: apt-get install time)"
command -v python3 >/dev/null || die "python3 not found"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$RUNS'"
for n in $SIZES; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES must hold positive integers, got '$n'"
done

if [ -z "${COMMSPLAN_BIN:-}" ] || [ -z "${FLOOR_BIN:-}" ]; then
  echo "bench: cargo build --release (commsplan and the parse_floor example)" >&2
  cargo build --release --quiet --bin commsplan --example parse_floor >&2
fi
BIN=${COMMSPLAN_BIN:-target/release/commsplan}
FLOOR=${FLOOR_BIN:-target/release/examples/parse_floor}
[ -x "$BIN" ] || die "commsplan binary not found or not executable: $BIN"
[ -x "$FLOOR" ] || die "parse_floor binary not found or not executable: $FLOOR"

mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# "min–max" of the numbers on stdin, with printf format $1
spread() { sort -g | awk -v f="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "–" f, lo, hi }'; }

cores=$(nproc)
cpu=$(grep -m1 -E '^(model name|Model|cpu model)' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "Machine: ${cores} cores, ${cpu:-$(uname -m)}, $(uname -sr)"
echo "Binary: $("$BIN" --version 2>/dev/null || echo "$BIN"); ${RUNS} rounds; median (min–max) of wall time and peak RSS."
echo "floor: read the file and walk every saphyr-parser event. core: \`commsplan analyze FILE --format json --fail-on never --output /dev/null --select M,D\` (loading, schema, flowchart, D001, D002). all: the same with every rule. cpu: user + system seconds of the all-rules run (less sensitive than wall time to other load on the machine)."
echo
echo "| interactions | file (MB) | findings | floor (s) | core (s) | all rules (s) | core ÷ floor | all ÷ floor | all, cpu (s) | floor RSS (MB) | core RSS (MB) | all RSS (MB) | all RSS ÷ file |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"

# one timed run: appends wall seconds, cpu seconds and peak RSS (KB) to $work/<label>.*
timed() {
  local label=$1
  shift
  local rc=0
  "$TIME" -f '%e %M %U %S' -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || rc=$?
  # 0: clean, 1: findings (or a file it rejected); anything else means it could not run
  if [ "$rc" -gt 1 ]; then
    echo "bench: $* exited with $rc:" >&2
    tail -n 20 "$work/stderr" >&2
    exit "$rc"
  fi
  # GNU time may print "Command exited with non-zero status N" before the numbers
  tail -n 1 "$work/time" | awk '{ print $1 }' >> "$work/$label.wall"
  tail -n 1 "$work/time" | awk '{ print $2 }' >> "$work/$label.rss"
  tail -n 1 "$work/time" | awk '{ print $3 + $4 }' >> "$work/$label.cpu"
}

for n in $SIZES; do
  file=$OUT/synthetic-$n.yaml
  echo "bench: generating $file" >&2
  python3 bench/gen.py --interactions "$n" --seed "$SEED" > "$file"
  bytes=$(stat -c %s "$file")
  size_mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
  findings=$("$BIN" analyze "$file" --format json --fail-on never 2>/dev/null | grep -c '^      "code": ' || true)

  rm -f "$work"/*.wall "$work"/*.rss "$work"/*.cpu
  analyze=("$BIN" analyze "$file" --format json --fail-on never --output /dev/null)
  for run in $(seq "$RUNS"); do
    echo "bench: $n interactions, round $run/$RUNS" >&2
    timed floor "$FLOOR" "$file"
    timed core "${analyze[@]}" --select M,D
    timed all "${analyze[@]}"
  done
  for label in floor core all; do
    declare "${label}_s=$(median < "$work/$label.wall")"
    declare "${label}_spread=$(spread %.3f < "$work/$label.wall")"
    declare "${label}_mb=$(median < "$work/$label.rss" | awk '{ printf "%.0f", $1 / 1024 }')"
  done
  all_cpu=$(median < "$work/all.cpu")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", (b > 0 ? a / b : 0) }'; }
  printf '| %s | %s | %s | %.3f (%s) | %.3f (%s) | %.3f (%s) | %s | %s | %.2f | %s | %s | %s | %s |\n' \
    "$n" "$size_mb" "$findings" \
    "$floor_s" "$floor_spread" "$core_s" "$core_spread" "$all_s" "$all_spread" \
    "$(ratio "$core_s" "$floor_s")" "$(ratio "$all_s" "$floor_s")" "$all_cpu" \
    "$floor_mb" "$core_mb" "$all_mb" "$(ratio "$((all_mb * 1048576))" "$bytes")"
done
