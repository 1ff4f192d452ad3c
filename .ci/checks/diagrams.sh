#!/usr/bin/env bash
# Mermaid diagrams: every diagram commsplan draws for the examples, the hostile-names
# fixture and the decision flowchart (each of the five patterns) is parsed by Mermaid 11,
# rendered to SVG in Chromium, and the labels Mermaid drew are compared with the labels
# commsplan meant to draw (written beside each diagram by the hidden --labels-json).
# Run from the repository root after `cargo build --release` and the validators' install.sh.
set -euo pipefail
COMMSPLAN=${COMMSPLAN:-target/release/commsplan}
VALIDATORS=${VALIDATORS:-.ci/validators}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail=0
pass() { echo "PASS $*"; }
failed() { echo "FAIL $*"; fail=1; }

# draw NAME ARGS... : run commsplan ARGS, writing OUT/NAME.mmd and its intended labels;
# commsplan must exit ${WANT_RC:-0}
draw() {
  local name=$1 rc=0; shift
  "$COMMSPLAN" "$@" --output "$OUT/$name.mmd" --labels-json "$OUT/$name.labels.expected.json" \
    2>"$OUT/$name.stderr" || rc=$?
  if [ "$rc" -ne "${WANT_RC:-0}" ]; then
    failed "diagram $name: commsplan $* exited $rc, not ${WANT_RC:-0}"; cat "$OUT/$name.stderr"; return
  fi
  rm -f "$OUT/$name.stderr"
  # An empty label list would make the label comparison prove nothing.
  if ! grep -q '"nodes": \[$' "$OUT/$name.labels.expected.json"; then
    failed "diagram $name: no node labels intended"
  fi
}

for f in examples/*.yaml; do
  n=$(basename "$f" .yaml)
  draw "$n" diagram "$f"
  draw "$n-findings-kind" diagram "$f" --findings --group-by kind
  draw "$n-plain" diagram "$f" --group-by none --no-legend
done
draw hostile diagram tests/fixtures/hostile-names.yaml --findings
draw hostile-kind diagram tests/fixtures/hostile-names.yaml --group-by kind
draw ecommerce-focus diagram examples/ecommerce.yaml --focus order --depth 1 --findings
# Blank names, a directive in a label, a self-loop, an undeclared service: a file that
# loads with errors is still drawn, with exit 1.
WANT_RC=1 draw edge-cases diagram tests/fixtures/diagram-edge-cases.yaml --findings
for id in loop empty shared-q ghost undecided-async; do
  WANT_RC=1 draw "flowchart-edge-$id" flowchart tests/fixtures/diagram-edge-cases.yaml "$id"
done
draw flowchart flowchart
# One interaction per pattern (sync, sync-optimized, cqrs, queue, stream), one whose
# declared pattern differs from the recommendation, and every hostile interaction.
for id in web-checkout get-product get-order-details order-completed-notify \
          order-events-to-reporting send-order-email; do
  draw "flowchart-$id" flowchart examples/ecommerce.yaml "$id"
done
for id in end-to-graph graph-to-traversal quote.svc_events to-external unicode-queue keyword-client; do
  draw "flowchart-hostile-$id" flowchart tests/fixtures/hostile-names.yaml "$id"
done

# The same input gives the same bytes.
"$COMMSPLAN" diagram examples/online-boutique.yaml --findings --output "$OUT/once.txt"
"$COMMSPLAN" diagram examples/online-boutique.yaml --findings --output "$OUT/again.txt"
if cmp -s "$OUT/once.txt" "$OUT/again.txt"; then
  pass "diagram output is deterministic"
else
  failed "diagram output differs between two runs"
fi
rm -f "$OUT/once.txt" "$OUT/again.txt"

# An unknown --focus is a usage error (exit 2) with a suggestion.
rc=0; msg=$("$COMMSPLAN" diagram examples/ecommerce.yaml --focus paymnt 2>&1 >/dev/null) || rc=$?
if [ "$rc" -eq 2 ] && [[ $msg == *"did you mean \`payment\`"* ]]; then
  pass "unknown --focus exits 2 with a suggestion"
else
  failed "unknown --focus: exit $rc, message: $msg"
fi

# Parse with Mermaid 11, render in Chromium, compare the drawn labels with the intended ones.
if "$VALIDATORS/check-mermaid.sh" "$OUT/rendered" "$OUT"/*.mmd; then
  pass "mermaid parse + render + labels for $(ls "$OUT"/*.mmd | wc -l) diagrams"
else
  failed "mermaid check"
fi
exit $fail
