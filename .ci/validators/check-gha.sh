#!/usr/bin/env bash
# GitHub Actions workflow-command annotations (::error file=...,line=...::message).
# Usage: check-gha.sh CASES.json OUTPUT.txt
#   CASES.json: the annotations meant, as in shared/validators/examples/gha/cases.json
#     [{"level": "error|warning|notice", "message": "...", "props": {"title", "file", "startLine",
#       "endLine", "startColumn", "endColumn"}}]   ({command, properties: {line, col, ...}} also accepted)
#   OUTPUT.txt: commsplan's annotation output for those cases.
# 1) the real @actions/core renders the reference bytes; OUTPUT must equal them byte for byte;
# 2) a port of the runner's parser reads OUTPUT back; it must give the cases' command/props/message.
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || usage "CASES.json OUTPUT.txt"
cases=$1 out=$2
rundir "$GHA_DIR"                         # ESM resolves @actions/core next to the script
cp "$BIN/gha-reference.mjs" "$RUN/"
reference() {
  "$PY" "$HERE/gha-cases.py" normalize "$cases" >"$WORK/cases.json" &&
    node "$RUN/gha-reference.mjs" "$WORK/cases.json" >"$WORK/reference.txt"
}
try "@actions/core reference" reference
if [ -z "$ERRS" ] && ! cmp -s "$WORK/reference.txt" "$out"; then
  note "[byte-for-byte] differs from @actions/core (^M = CR):"
  note "$(diff -u --label '@actions/core' --label "$out" "$WORK/reference.txt" "$out" | cat -v || true)"
fi
roundtrip() {
  "$PY" "$BIN/gha-parse-runner.py" <"$out" >"$WORK/parsed.jsonl" &&
    "$PY" "$HERE/gha-cases.py" roundtrip "$cases" "$WORK/parsed.jsonl"
}
try "runner round-trip" roundtrip
verdict "$out"
finish
