#!/usr/bin/env bash
# Self-test of the validator harness: installs the tools (idempotent), runs every check script on
# the good examples in shared/validators/examples (must PASS) and on bad ones (must FAIL, exit 1).
# Every file verdict counts as one test; the last line is "N passed, M failed".
# Usage: .ci/validators/selftest.sh      (env: COMMSPLAN_TOOLS, SHARED)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "${SHARED:-$HERE/../../../shared}" && pwd); export SHARED
EX=$SHARED/validators/examples FX=$HERE/fixtures
T0=$EPOCHREALTIME
bash "$HERE/install.sh"
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
PASSED=0 FAILED=0
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
ok()  { PASSED=$((PASSED + 1)); echo "  ok   $*"; }
bad() { FAILED=$((FAILED + 1)); echo "  FAIL $*"; }
# t NAME CMD... -- GOOD... [-- BAD...] : run CMD GOOD... BAD... once; each GOOD file must get PASS,
# each BAD file FAIL, and the exit code must be 1 if there are BAD files, else 0.
t() {
  local name=$1 cmd=() good=() badf=() f rc=0 s=$EPOCHREALTIME want=0; shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done; shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do good+=("$1"); shift; done; [ $# -eq 0 ] || shift
  badf=("$@"); [ ${#badf[@]} -eq 0 ] || want=1
  "$HERE/${cmd[0]}" "${cmd[@]:1}" "${good[@]}" "${badf[@]}" >"$OUT/log" 2>&1 || rc=$?
  echo "== $name ($(since "$s")s, exit $rc)"
  for f in "${good[@]}"; do
    if grep -qxF "PASS $f" "$OUT/log"; then ok "PASS ${f#"$SHARED"/}"; else bad "want PASS: $f"; fi
  done
  for f in "${badf[@]}"; do
    if grep -qxF "FAIL $f" "$OUT/log"; then
      ok "FAIL ${f#"$SHARED"/}"
      awk -v f="FAIL $f" '$0 == f { on = 1; next } /^(PASS|FAIL) / { on = 0 } on && n++ < 3' "$OUT/log" | cut -c1-160 | sed 's/^/         | /'
    else bad "want FAIL: $f"; fi
  done
  if [ "$rc" -ne "$want" ]; then bad "$name: exit $rc, want $want"; fi
  if grep -q . "$OUT/log" && { [ "$rc" -ne "$want" ] || [ "$FAILED" -gt "${FAILED_BEFORE:-0}" ]; }; then
    sed 's/^/    > /' "$OUT/log" | head -40
  fi
  FAILED_BEFORE=$FAILED
}

J=$EX/jsonschema
t "JSON Schema 2020-12 + instances" check-jsonschema.sh -- "$J/commsplan.schema.json" "$J/plan.yaml" -- "$J/plan-bad.yaml"
t "JSON Schema draft-07"            check-jsonschema.sh -- "$J/commsplan.draft07.schema.json" "$J/plan.yaml"
t "JSON Schema metaschema"          check-jsonschema.sh -- -- "$J/bad.schema.json"
t "JSON Schema ajv strict (typo)"   check-jsonschema.sh -- -- "$FX/jsonschema/typo.schema.json"
t "SARIF"      check-sarif.sh -- "$EX/sarif/good.sarif" -- "$EX/sarif/bad-schema.sarif" "$EX/sarif/bad-github.sarif"
t "JUnit XML"  check-junit.sh -- "$EX/junit/junit.xml" -- "$EX/junit/bad-structure.xml" "$EX/junit/bad-control-char.xml"
t "GitLab Code Quality" check-gitlab.py -- "$FX/gitlab/good.json" -- "$FX/gitlab/bad.json"
t "GH annotations (reference)" check-gha.sh "$EX/gha/cases.json" -- "$EX/gha/expected.txt"
t "GH annotations (naive)"     check-gha.sh "$EX/gha/cases.json" -- -- "$EX/gha/naive.txt"
t "Mermaid"    check-mermaid.sh "$OUT/mermaid" -- "$EX/mermaid/good.mmd" -- "$EX/mermaid/bad.mmd" "$EX/mermaid/mangled.mmd"
t "TypeScript" check-ts.sh -- "$EX/ts/ordersClient.ts" -- "$EX/ts/bad.ts"
t "Go"         check-go.sh -- "$EX/go/client.go" -- "$EX/go/bad_type.go" "$EX/go/bad_vet.go"
t "Istio"      check-istio.sh -- "$EX/istio/orders-mesh.yaml" -- "$EX/istio/orders-mesh-bad.yaml"
t "Kafka producer" check-kafka.sh producer -- "$EX/kafka/producer.properties" -- "$EX/kafka/producer-bad.properties" "$EX/kafka/producer-conflict.properties"
t "Kafka consumer" check-kafka.sh consumer -- "$EX/kafka/consumer.properties" -- "$EX/kafka/consumer-java.properties"
# a unit test whose expectation is wrong must fail too (it runs next to a copy of rules.yml)
mkdir -p "$OUT/prom" && cp "$EX/prometheus/rules.yml" "$OUT/prom/"
sed 's/errors for 10m/errors for 5m/' "$EX/prometheus/rules_test.yml" >"$OUT/prom/rules_test_wrong.yml"
t "Prometheus" check-promtool.sh -- "$EX/prometheus/rules.yml" "$EX/prometheus/rules_test.yml" -- \
  "$EX/prometheus/bad-promql.yml" "$EX/prometheus/bad-template.yml" "$OUT/prom/rules_test_wrong.yml"
t "RabbitMQ"   check-rabbitmq.sh -- "$EX/rabbitmq/definitions.json" -- "$EX/rabbitmq/bad-ttl.json" "$EX/rabbitmq/bad-binding.json"
t "Resilience4j" check-resilience4j.sh -- "$EX/resilience4j/application.yml" -- "$EX/resilience4j/application-bad.yml"

echo "selftest took $(since "$T0")s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
