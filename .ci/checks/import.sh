#!/usr/bin/env bash
# `commsplan import` on every public sample beside the repository, end to end on the release
# binary: each written file is valid against the generated JSON Schema (the real validator),
# loads with no M error but the open `needs` questions (M011), imports the same bytes twice,
# and `drift` finds nothing between the file and the manifests it came from.
# Run from the repository root; expects target/release/commsplan (or $COMMSPLAN).
set -euo pipefail

BIN=${COMMSPLAN:-target/release/commsplan}
SAMPLES=${COMMSPLAN_IMPORT_SAMPLES:-../shared/import-samples}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
pass() { echo "PASS import: $*"; }
fail() { echo "FAIL import: $*"; failed=1; }

[ -x "$BIN" ] || { echo "FAIL import: $BIN not found (build with cargo build --release)"; exit 1; }
[ -d "$SAMPLES" ] || { echo "FAIL import: $SAMPLES not found"; exit 1; }
"$BIN" schema --output "$work/schema.json"

# kind:set pairs; every set of the samples folder is imported by the importer for its kind.
cases="kubernetes:istio-bookinfo kubernetes:istio-tutorial-timeout kubernetes:istio-tutorial-retry
kubernetes:istio-tutorial-circuit-breaker kubernetes:istio-tutorial-no-retries
kubernetes:sock-shop compose:sock-shop asyncapi:asyncapi-slack-rtm asyncapi:asyncapi-social-media"
written=()
for case in $cases; do
  kind=${case%%:*} set=${case#*:}
  out="$work/$kind-$set.yaml"
  if ! "$BIN" import "$kind" "$SAMPLES/$set" -o "$out" 2>"$work/stderr"; then
    fail "$kind $set: import failed: $(head -3 "$work/stderr")"; continue
  fi
  "$BIN" import "$kind" "$SAMPLES/$set" 2>/dev/null >"$work/again.yaml"
  if cmp -s "$out" "$work/again.yaml"; then pass "$kind $set: the same bytes twice"; else fail "$kind $set: output differs between runs"; fi
  "$BIN" analyze "$out" --format json --fail-on never --output "$work/report.json"
  bad=$(python3 -c 'import json,sys; print(" ".join(sorted({f["code"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"].startswith("M") and f["code"] != "M011"})))' "$work/report.json")
  if [ -z "$bad" ]; then pass "$kind $set: loads with no M error but M011"; else fail "$kind $set: load errors $bad"; fi
  if [ "$kind" = kubernetes ]; then
    if "$BIN" drift "$out" --from "kubernetes:$SAMPLES/$set" --format json --output "$work/drift.json"; then
      pass "$kind $set: no drift from its own manifests"
    else
      fail "$kind $set: drift reported against its own manifests: $(head -c 400 "$work/drift.json")"
    fi
  fi
  written+=("$out")
done
if bash .ci/validators/check-jsonschema.sh "$work/schema.json" "${written[@]}"; then
  pass "every imported file validates against the schema"
else
  fail "an imported file does not validate against the schema"
fi
exit $failed
