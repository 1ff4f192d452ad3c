#!/usr/bin/env bash
# Run `commsplan analyze --format json` on every shape of bench/shapes.py (many members
# sharing one cause) at two sizes, and print how time, peak memory and the report grow:
# four times the members should cost about four times as much, not sixteen.
#
#   bench/shapes.sh                                  # 5,000 and 20,000 members
#   BENCH_SMALL=2000 BENCH_LARGE=8000 bench/shapes.sh
#   COMMSPLAN_BIN=/path/to/commsplan bench/shapes.sh  # skip the cargo build
#
# A run is cut off after BENCH_TIMEOUT seconds (default 120) and shown as such.
set -euo pipefail

cd "$(dirname "$0")/.."
SMALL=${BENCH_SMALL:-5000}
LARGE=${BENCH_LARGE:-20000}
LIMIT=${BENCH_TIMEOUT:-120}
# shellcheck source=bench/lib.sh
source bench/lib.sh
for n in "$SMALL" "$LARGE" "$LIMIT"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "sizes and timeout must be positive integers, got '$n'"
done
bench_setup

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "wall rss_kb report_bytes" for one run, or "cut" when it outran the limit.
measure() {
  local file=$1
  if timeout "$LIMIT" "$TIME" -f "%e %M" -o "$work/time" \
      "$BIN" analyze "$file" --format json --fail-on never --output "$work/report.json"; then
    read -r wall rss < "$work/time"
    echo "$wall $rss $(wc -c < "$work/report.json")"
  else
    echo cut
  fi
}

echo "Machine: $(nproc) cores, $(uname -sr); $("$BIN" --version 2>/dev/null || echo "$BIN")"
echo "One run each of \`commsplan analyze FILE --format json --fail-on never\`; $SMALL and $LARGE members"
echo
echo "| shape | stresses | wall $SMALL (s) | wall $LARGE (s) | × | RSS $LARGE (MB) | report $LARGE (MB) | report × |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
python3 bench/shapes.py --list | while IFS=$'\t' read -r shape what; do
  echo "bench: $shape" >&2
  python3 bench/shapes.py "$shape" "$SMALL" > "$work/small.yaml"
  python3 bench/shapes.py "$shape" "$LARGE" > "$work/large.yaml"
  small=$(measure "$work/small.yaml")
  large=$(measure "$work/large.yaml")
  if [ "$small" = cut ] || [ "$large" = cut ]; then
    echo "| $shape | $what | ${small%% *} | ${large%% *} | over ${LIMIT} s | | | |"
    continue
  fi
  read -r w1 _ b1 <<< "$small"
  read -r w2 r2 b2 <<< "$large"
  awk -v s="$shape" -v what="$what" -v w1="$w1" -v w2="$w2" -v r2="$r2" -v b1="$b1" -v b2="$b2" \
    'BEGIN { printf "| %s | %s | %.2f | %.2f | %.1f | %.0f | %.1f | %.1f |\n", s, what, w1, w2, (w1 > 0 ? w2 / w1 : 0), r2 / 1024, b2 / 1048576, b2 / b1 }'
done
