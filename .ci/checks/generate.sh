#!/usr/bin/env bash
# `commsplan generate`: every target from examples/*.yaml and the hostile-name fixtures,
# then each output through its real validator (.ci/validators/check-*.sh), plus
# determinism, --check drift detection and the refusal to write through an escaping
# symbolic link. Assumes the validators are installed (.ci/validators/install.sh).
set -euo pipefail
BIN=${COMMSPLAN:-target/release/commsplan}
V=.ci/validators
export R4J_SCHEMA=${R4J_SCHEMA:-$PWD/.ci/checks/generate/resilience4j-subset.schema.json}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
NFAIL=0
pass() { echo "PASS generate: $*"; }
fail() { echo "FAIL generate: $*"; NFAIL=$((NFAIL + 1)); }
# validator LABEL CMD... : run a validator; its own PASS/FAIL lines are shown indented
validator() {
  local label=$1 rc=0; shift
  "$@" >"$WORK/v.log" 2>&1 || rc=$?
  sed 's/^/    /' "$WORK/v.log"
  if [ "$rc" -eq 0 ]; then pass "$label"; else fail "$label (exit $rc)"; fi
}

inputs=(examples/*.yaml tests/fixtures/hostile-names.yaml tests/fixtures/generate-hostile.yaml)
ts=() go=() istio=() producer=() consumer=() rules=() rmq=() r4j=()
for input in "${inputs[@]}"; do
  name=$(basename "$input" .yaml)
  out=$WORK/gen/$name
  if "$BIN" generate "$input" --out "$out" 2>"$WORK/$name.err"; then
    pass "$input: $(find "$out" -type f | wc -l) files"
  else
    fail "$input: generate exited $?"; sed 's/^/    /' "$WORK/$name.err"; continue
  fi
  "$BIN" generate "$input" --out "$WORK/again/$name" 2>/dev/null
  if diff -r "$out" "$WORK/again/$name" >/dev/null; then pass "$input: output is deterministic"
  else fail "$input: two runs differ"; fi
  if "$BIN" generate "$input" --out "$out" --check 2>/dev/null; then pass "$input: --check is clean"
  else fail "$input: --check reports drift right after generating"; fi

  [ -d "$out/typescript" ] && ts+=("$out/typescript")
  # A generated Go package is a library: build it through a throwaway main module.
  for d in "$out"/go/*/; do
    [ -d "$d" ] || continue
    m=$WORK/gomod/$name/$(basename "$d")
    mkdir -p "$m/clients" && cp "$d"/*.go "$m/clients/"
    printf 'module check\n\ngo 1.19\n' >"$m/go.mod"
    printf 'package main\n\nimport _ "check/clients"\n\nfunc main() {}\n' >"$m/main.go"
    go+=("$m")
  done
  while IFS= read -r -d '' f; do istio+=("$f"); done < <(find "$out/istio" -name '*.yaml' -print0 2>/dev/null | sort -z)
  while IFS= read -r -d '' f; do producer+=("$f"); done < <(find "$out/kafka" -name producer.properties -print0 2>/dev/null | sort -z)
  while IFS= read -r -d '' f; do consumer+=("$f"); done < <(find "$out/kafka" -name consumer.properties -print0 2>/dev/null | sort -z)
  while IFS= read -r -d '' f; do r4j+=("$f"); done < <(find "$out/resilience4j" -name application.yml -print0 2>/dev/null | sort -z)
  [ -f "$out/prometheus/rules.yml" ] && rules+=("$out/prometheus/rules.yml" "$out/prometheus/rules_test.yml")
  [ -f "$out/rabbitmq/definitions.json" ] && rmq+=("$out/rabbitmq/definitions.json")
done

# TypeScript files are compiled together; name them by input so that paths do not collide.
[ ${#ts[@]} -eq 0 ] || validator "typescript: tsc --strict ($(find "${ts[@]}" -name "*.ts" | wc -l) files)" "$V/check-ts.sh" "$WORK/gen"
[ ${#go[@]} -eq 0 ] || validator "go: vet, build, gofmt (${#go[@]} packages)" "$V/check-go.sh" "${go[@]}"
[ ${#r4j[@]} -eq 0 ] || validator "resilience4j: subset schema (${#r4j[@]} files)" "$V/check-resilience4j.sh" "${r4j[@]}"
[ ${#istio[@]} -eq 0 ] || validator "istio: CRD schema + typecheck (${#istio[@]} files)" "$V/check-istio.sh" "${istio[@]}"
[ ${#producer[@]} -eq 0 ] || validator "kafka producer: librdkafka (${#producer[@]} files)" "$V/check-kafka.sh" producer "${producer[@]}"
[ ${#consumer[@]} -eq 0 ] || validator "kafka consumer: librdkafka (${#consumer[@]} files)" "$V/check-kafka.sh" consumer "${consumer[@]}"
[ ${#rules[@]} -eq 0 ] || validator "prometheus: promtool check + test rules (${#rules[@]} files)" "$V/check-promtool.sh" "${rules[@]}"
[ ${#rmq[@]} -eq 0 ] || validator "rabbitmq: import + export round trip (${#rmq[@]} files)" "$V/check-rabbitmq.sh" "${rmq[@]}"

# --check notices drift: an edited file (stale), a deleted one (missing), and a file
# with our header that is no longer produced (extra).
out=$WORK/gen/minimal
echo "# edited" >>"$out/prometheus/rules.yml"
rm "$out/prometheus/rules_test.yml"
cp "$out/kafka/order-events/producer.properties" "$out/kafka/old.properties"
rc=0; "$BIN" generate examples/minimal.yaml --out "$out" --check 2>"$WORK/check.err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q '^stale: .*rules.yml' "$WORK/check.err" \
   && grep -q '^missing: .*rules_test.yml' "$WORK/check.err" && grep -q '^extra: .*old.properties' "$WORK/check.err"; then
  pass "--check exits 1 and lists stale, missing and extra files"
else
  fail "--check on a drifted folder: exit $rc"; sed 's/^/    /' "$WORK/check.err"
fi
# without --force, a file that differs is not overwritten
rc=0; "$BIN" generate examples/minimal.yaml --out "$out" 2>/dev/null || rc=$?
if [ "$rc" -eq 2 ] && tail -1 "$out/prometheus/rules.yml" | grep -q '^# edited$'; then
  pass "an edited file is kept without --force (exit 2)"
else fail "generate over an edited file: exit $rc"; fi

# A symbolic link inside --out that leads outside it is refused before anything is written.
esc=$WORK/escape && mkdir -p "$esc/out" "$esc/elsewhere" && ln -s "$esc/elsewhere" "$esc/out/go"
rc=0; "$BIN" generate examples/minimal.yaml --out "$esc/out" 2>"$WORK/esc.err" || rc=$?
if [ "$rc" -eq 2 ] && [ -z "$(ls -A "$esc/elsewhere")" ] && grep -q 'outside the output folder' "$WORK/esc.err"; then
  pass "a symlink escaping --out is refused (exit 2, nothing written outside)"
else fail "symlink escape: exit $rc, outside: $(ls -A "$esc/elsewhere" | head -3)"; fi

# A killed run's temporary file is not reported by --check and is removed by the next run.
lo=$WORK/leftover && "$BIN" generate examples/minimal.yaml --out "$lo" 2>/dev/null
cp "$lo/prometheus/rules.yml" "$lo/prometheus/.rules.yml.commsplan-999999.tmp"
rc=0; "$BIN" generate examples/minimal.yaml --out "$lo" --check 2>"$WORK/lo.err" || rc=$?
"$BIN" generate examples/minimal.yaml --out "$lo" 2>/dev/null || true
if [ "$rc" -eq 0 ] && [ ! -e "$lo/prometheus/.rules.yml.commsplan-999999.tmp" ]; then
  pass "a killed run's temporary file is ignored by --check and removed by the next run"
else fail "leftover temporary file: --check exit $rc"; sed 's/^/    /' "$WORK/lo.err"; fi

# Two runs at once with different inputs: one writes, the other refuses; no mixed tree.
race=$WORK/race
"$BIN" generate examples/minimal.yaml --out "$race" 2>/dev/null & p1=$!
"$BIN" generate examples/ecommerce.yaml --out "$race" 2>/dev/null & p2=$!
r1=0; wait "$p1" || r1=$?; r2=0; wait "$p2" || r2=$?
hashes=$(grep -rhoE 'inputs sha256:[0-9a-f]{16}|"inputs_sha256": "[0-9a-f]{16}' "$race" | grep -oE '[0-9a-f]{16}$' | sort -u | wc -l)
if { [ "$r1$r2" = 02 ] || [ "$r1$r2" = 20 ]; } && [ "$hashes" -eq 1 ]; then
  pass "concurrent runs: one writes, the other refuses (exit $r1/$r2), files of one input only"
else fail "concurrent runs: exit $r1/$r2, files from $hashes inputs"; fi

[ "$NFAIL" -eq 0 ] && echo "generate: all checks passed" || echo "generate: $NFAIL check(s) failed"
exit $((NFAIL > 0))
