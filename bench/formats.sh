#!/usr/bin/env bash
# Time every output format of `commsplan analyze` on one synthetic file, next to JSON:
# each renderer must stay linear in findings and file size, so none should be far
# slower than JSON, which streams.
#
#   bench/formats.sh                              # 100k interactions
#   BENCH_SIZE=10000 bench/formats.sh             # another size
#   COMMSPLAN_BIN=/path/to/commsplan bench/formats.sh   # skip the cargo build
#
# Other knobs: BENCH_SEED (default 42), BENCH_OUT (where the generated file goes; default
# bench/out). Prints a markdown table on stdout; progress goes to stderr.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE=${BENCH_SIZE:-100000}
SEED=${BENCH_SEED:-42}
OUT=${BENCH_OUT:-bench/out}
FORMATS="json table sarif github junit gitlab markdown"
# shellcheck source=bench/lib.sh
source bench/lib.sh
[[ "$SIZE" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZE must be a positive integer, got '$SIZE'"
bench_setup

mkdir -p "$OUT"
file="$OUT/synthetic-$SIZE-seed$SEED.yaml"
if [ ! -s "$file" ]; then
  echo "bench: generating $file" >&2
  python3 bench/gen.py --interactions "$SIZE" --seed "$SEED" > "$file.tmp"
  mv "$file.tmp" "$file"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Machine: $(nproc) cores, $(uname -sr); $("$BIN" --version 2>/dev/null || echo "$BIN")"
echo "File: $SIZE interactions, $(du -m "$file" | cut -f1) MB; one run of \`commsplan analyze FILE --format F --fail-on never --output /dev/null\` each"
echo
echo "| format | wall (s) | × json | peak RSS (MB) | × json |"
echo "|---|---:|---:|---:|---:|"
json_wall= json_rss=
for format in $FORMATS; do
  echo "bench: $format" >&2
  "$TIME" -f "%e %M" -o "$work/time" \
    "$BIN" analyze "$file" --format "$format" --fail-on never --output /dev/null \
    || die "$format failed"
  read -r wall rss < "$work/time"
  if [ "$format" = json ]; then json_wall=$wall json_rss=$rss; fi
  awk -v f="$format" -v w="$wall" -v r="$rss" -v jw="$json_wall" -v jr="$json_rss" \
    'BEGIN { printf "| %s | %.2f | %.2f | %.1f | %.2f |\n", f, w, (jw > 0 ? w / jw : 0), r / 1024, r / jr }'
done
