#!/usr/bin/env bash
# Istio DestinationRule / VirtualService YAML against Istio 1.29.2's CRD schemas
# (npm @kubernetes-models/istio): the OpenAPI schema check (types, enums, required fields), then a
# tsc type check of each document as a typed literal (also catches unknown/misspelled fields).
# Neither checks durations' syntax, ranges or CEL rules (see shared/validators/README.md §10).
# Usage: check-istio.sh FILE.yaml ...
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "FILE.yaml ..."
rundir "$ISTIO_DIR"                       # ESM resolves imports next to the script
cp "$BIN/istio-schema-check.mjs" "$BIN/istio-typecheck.mjs" "$RUN/"
typecheck() {  # tsc's errors point into a generated docs.ts: quote the offending line after each
  local out rc=0 docs=$RUN/.istio-typecheck/docs.ts
  out=$(node "$RUN/istio-typecheck.mjs" "$@" 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || return 0
  awk 'NR == FNR { src[FNR] = $0; next } { print }
       match($0, /docs\.ts\([0-9]+,/) { n = substr($0, RSTART + 8, RLENGTH - 9) + 0; print "      > " src[n] }' \
    "$docs" - <<<"$out"
  return "$rc"
}
# tsc takes 2-3 s per run: check all files at once, and file by file only if that fails
all_typed=0; typecheck "$@" >/dev/null 2>&1 || all_typed=1
for f in "$@"; do
  try schema node "$RUN/istio-schema-check.mjs" "$f"
  [ "$all_typed" -eq 0 ] || try typecheck typecheck "$f"
  verdict "$f"
done
finish
