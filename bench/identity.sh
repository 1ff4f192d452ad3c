#!/usr/bin/env bash
# Byte-identity check between two commsplan binaries: runs both on the examples, the
# broken-file corpus, the test fixtures and any extra files given, in every report
# format, and compares standard output, standard error and the exit code with `cmp`.
#
#   bench/identity.sh OLD_BIN NEW_BIN [EXTRA_FILE...]
#
# Extra files (for example the generated bench/out/synthetic-100000.yaml) are run in the
# json, table and sarif formats only, to keep the check short. Exits with 1 on the first
# difference list printed, 0 when every output is identical.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/identity.sh OLD_BIN NEW_BIN [EXTRA_FILE...]" >&2; exit 2; }
old=$1 new=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run BIN LABEL FORMAT FILE...: writes $work/LABEL.{out,err,rc}
run() {
  local bin=$1 label=$2 format=$3
  shift 3
  local rc=0
  "$bin" analyze "$@" --format "$format" --fail-on never > "$work/$label.out" 2> "$work/$label.err" || rc=$?
  echo "$rc" > "$work/$label.rc"
}

checked=0 differ=0
check() {
  local format=$1
  shift
  run "$old" old "$format" "$@"
  run "$new" new "$format" "$@"
  for part in out err rc; do
    if ! cmp -s "$work/old.$part" "$work/new.$part"; then
      echo "differs: $format $* ($part)"
      differ=$((differ + 1))
    fi
  done
  checked=$((checked + 1))
}

small=(examples/*.yaml examples/multi-team/system.yaml tests/corpus/* tests/fixtures/*.yaml)
for file in "${small[@]}"; do
  for format in table json sarif github junit gitlab markdown; do
    check "$format" "$file"
  done
done
check json examples/ecommerce.yaml examples/online-boutique.yaml
for file in "$@"; do
  for format in json table sarif; do
    check "$format" "$file"
  done
done
echo "identity: $checked runs compared (stdout, stderr, exit code), $differ differences"
[ "$differ" -eq 0 ]
