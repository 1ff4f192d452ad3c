#!/usr/bin/env bash
# Rules, suppressions, commsplan.toml and baselines, end to end on the release binary.
# Run from the repository root; expects target/release/commsplan (or $COMMSPLAN).
set -euo pipefail

BIN=${COMMSPLAN:-target/release/commsplan}
export COMMSPLAN_TODAY=2026-06-01
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

pass() { echo "PASS rules: $*"; }
fail() { echo "FAIL rules: $*"; failed=1; }

[ -x "$BIN" ] || { echo "FAIL rules: $BIN not found (build with cargo build --release)"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# 1. Every rule is documented with the four sections, and explain prints it.
missing=""
for code in $("$BIN" rules --format json | python3 -c 'import json,sys; print(" ".join(r["code"] for r in json.load(sys.stdin)))'); do
  text=$("$BIN" explain "$code")
  for h in "## What it checks" "## Why" "## Example" "## Fix"; do
    grep -qF -- "$h" <<<"$text" || missing="$missing $code($h)"
  done
done
if [ -z "$missing" ]; then pass "every rule's explain has What/Why/Example/Fix"; else fail "undocumented:$missing"; fi

# 2. The seed's e-commerce platform: each deliberate defect is reported where it is.
"$BIN" analyze examples/ecommerce.yaml --format json --fail-on never --output "$work/shop.json"
expect_ok=1
while read -r code subject; do
  python3 - "$work/shop.json" "$code" "$subject" <<'PY' || { fail "ecommerce: $code on $subject not reported"; expect_ok=0; }
import json, sys
report, code, subject = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
hits = [f for f in report["findings"] if f["code"] == code and subject in (f["interaction"], f["service"]) and "suppressed" not in f]
sys.exit(0 if hits and all(f["location"] for f in hits) else 1)
PY
done <<'EOF_EXPECT'
D001 send-order-email
G007 get-shipping-address
S006 authorize-payment
R003 authorize-payment
A001 order-completed-notify
A008 audit-order-events
G003 place-order
O001 order-events-to-reporting
EOF_EXPECT
[ "$expect_ok" = 1 ] && pass "ecommerce.yaml: every deliberate defect is reported and located"

# 3. Suppressions in the example are applied and kept in the JSON report.
if python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
s=[f for f in r["findings"] if "suppressed" in f]
assert r["summary"]["suppressed"]==len(s)>=2, r["summary"]
assert all(f["suppressed"]["reason"] for f in s)
' "$work/shop.json"; then pass "suppressed findings are kept with their reason and counted"; else fail "suppressions in ecommerce.yaml"; fi

# 4. The clean example stays clean.
if "$BIN" analyze examples/minimal.yaml --format json --fail-on warning --output "$work/min.json"; then
  pass "minimal.yaml has no warnings or errors"
else
  fail "minimal.yaml reports: $(python3 -c 'import json,sys; print([f["code"] for f in json.load(open(sys.argv[1]))["findings"]])' "$work/min.json")"
fi

# 5. Deterministic output.
for f in examples/ecommerce.yaml examples/online-boutique.yaml tests/fixtures/hostile-names.yaml; do
  "$BIN" analyze "$f" --format json --fail-on never --output "$work/a.json"
  "$BIN" analyze "$f" --format json --fail-on never --output "$work/b.json"
  if cmp -s "$work/a.json" "$work/b.json"; then pass "$f: byte-identical JSON on two runs"; else fail "$f: output differs between runs"; fi
done

# 6. Hostile names: located findings, a contract exit code, no panic.
rc=0
"$BIN" analyze tests/fixtures/hostile-names.yaml --color never > "$work/h.txt" 2> "$work/h.err" || rc=$?
if [ "$rc" -le 1 ] && ! grep -q panicked "$work/h.err"; then pass "hostile-names.yaml: exit $rc"; else fail "hostile-names.yaml: exit $rc $(cat "$work/h.err")"; fi

# 7. Baseline: write, then a run with it passes; moving lines keeps it valid.
cp examples/ecommerce.yaml "$work/shop.yaml"
"$BIN" analyze "$work/shop.yaml" --format json --write-baseline "$work/baseline.json" --output /dev/null 2> /dev/null
{ printf '# moved\n\n\n'; cat examples/ecommerce.yaml; } > "$work/shop.yaml"
if "$BIN" analyze "$work/shop.yaml" --baseline "$work/baseline.json" --fail-on info --output /dev/null 2> "$work/bl.err" && [ ! -s "$work/bl.err" ]; then
  pass "baseline holds after lines move"
else
  fail "baseline run: $(cat "$work/bl.err")"
fi

# 8. commsplan.toml: an unknown key is a located M017; an unreadable --config is exit 2.
mkdir -p "$work/cfg"
cp examples/ecommerce.yaml "$work/cfg/"
printf '[thresholds]\nmax_sync_dept = 3\n' > "$work/cfg/commsplan.toml"
rc=0
( cd "$work/cfg" && "$BIN" analyze ecommerce.yaml --format json --output out.json ) || rc=$?
if [ "$rc" = 1 ] && python3 -c '
import json,sys
f=[f for f in json.load(open(sys.argv[1]))["findings"] if f["code"]=="M017"]
assert f and f[0]["location"]["file"]=="commsplan.toml" and f[0]["location"]["line"]==2, f
assert "max_sync_depth" in f[0]["message"]
' "$work/cfg/out.json"; then pass "unknown config key: M017 at commsplan.toml:2"; else fail "unknown config key (exit $rc)"; fi
rc=0
"$BIN" analyze examples/ecommerce.yaml --config "$work/none.toml" > /dev/null 2>&1 || rc=$?
if [ "$rc" = 2 ]; then pass "unreadable --config: exit 2"; else fail "unreadable --config: exit $rc"; fi

exit "$failed"
