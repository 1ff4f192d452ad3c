#!/usr/bin/env bash
# CI lint outputs, each checked by its real consumer (recipes: shared/validators/README.md):
#   sarif  - the official SARIF 2.1.0 schema + the SARIF Multitool's GitHub rules
#   github - byte-identical to what @actions/core 3.0.1 writes for the same annotations,
#            and read back the way the Actions runner parses workflow commands
#   junit  - xmllint against Jenkins' junit-10.xsd
#   gitlab - Code Quality fields present and typed as GitLab documents them
# on every example and on the hostile-names fixture. One commsplan run writes all formats
# (-f/-o pairs); each is also compared with a run of that format alone.
# Usage: .ci/checks/outputs.sh   (from the repo root; needs .ci/validators/install.sh first)
set -euo pipefail
BIN=${COMMSPLAN:-target/release/commsplan}
V=${VALIDATORS:-.ci/validators}
[ -x "$BIN" ] || { echo "FAIL outputs: no $BIN (build it first)"; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
NFAIL=0
# check LABEL CMD... : PASS/FAIL line, with the command's output under a failure
check() {
  local label=$1 out rc=0; shift
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then echo "PASS $label"; else
    echo "FAIL $label"; printf '%s\n' "$out" | head -40 | sed 's/^/    /'; NFAIL=$((NFAIL + 1)); fi
}

# The annotations @actions/core should print, derived from the JSON report (not from our
# github output): unsuppressed findings, info -> notice, title "CODE name", file relative
# to the current folder, columns only on a one-line range (end column inclusive).
gha_cases() {
  python3 - "$1" <<'PY'
import json, os, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
cases = []
for f in report["findings"]:
    if f.get("suppressed"):
        continue
    props = {"title": f"{f['code']} {f['name']}"}
    loc = f.get("location")
    if loc:
        rel = os.path.relpath(os.path.abspath(loc["file"]), os.getcwd())
        props["file"] = loc["file"] if rel.startswith("..") else rel.replace(os.sep, "/")
        end_line = max(loc["end_line"], loc["line"])
        props.update(startLine=loc["line"], endLine=end_line)
        if end_line == loc["line"]:
            props.update(startColumn=loc["column"], endColumn=max(loc["end_column"] - 1, loc["column"]))
    message = f["message"] + (f"\nhelp: {f['help']}" if f.get("help") else "")
    level = {"error": "error", "warning": "warning", "info": "notice"}[f["severity"]]
    cases.append({"level": level, "message": message, "props": props})
json.dump(cases, sys.stdout, ensure_ascii=False, indent=1)
PY
}

# Beyond the schema: every result names a rule by index, fingerprints are unique, and
# the results are the JSON report's findings, in order.
sarif_consistent() {
  python3 - "$1" "$2" <<'PY'
import json, sys
log, report = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
errs = []
if [r["ruleId"] for r in run["results"]] != [f["code"] for f in report["findings"]]:
    errs.append("results differ from the JSON report's findings")
for i, r in enumerate(run["results"]):
    if rules[r["ruleIndex"]]["id"] != r["ruleId"]:
        errs.append(f"result {i}: ruleIndex {r['ruleIndex']} is not {r['ruleId']}")
fps = [r["partialFingerprints"]["commsplan/v1"] for r in run["results"]]
if len(set(fps)) != len(fps):
    errs.append("partialFingerprints are not unique")
print("\n".join(errs))
sys.exit(1 if errs else 0)
PY
}

for input in examples/*.yaml tests/fixtures/hostile-names.yaml tests/fixtures/hostile-findings.yaml; do
  n=$(basename "$input" .yaml)
  rc=0
  "$BIN" analyze "$input" --fail-on never \
    -f sarif -o "$OUT/$n.sarif" -f junit -o "$OUT/$n.xml" -f gitlab -o "$OUT/$n.gitlab.json" \
    -f json -o "$OUT/$n.json" -f markdown -o "$OUT/$n.md" -f github >"$OUT/$n.github.txt" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL $input: commsplan analyze exited $rc"; NFAIL=$((NFAIL + 1)); continue
  fi
  for pair in sarif:sarif junit:xml gitlab:gitlab.json json:json markdown:md github:github.txt; do
    check "$input: -f ${pair%%:*} alone gives the same bytes" \
      bash -c '"$1" analyze "$2" --fail-on never -f "$3" | cmp - "$4"' _ "$BIN" "$input" "${pair%%:*}" "$OUT/$n.${pair#*:}"
  done
  check "$input: sarif (schema + Multitool GH rules)" "$V/check-sarif.sh" "$OUT/$n.sarif"
  check "$input: sarif (rule indexes, fingerprints)" sarif_consistent "$OUT/$n.sarif" "$OUT/$n.json"
  gha_cases "$OUT/$n.json" >"$OUT/$n.cases.json"
  check "$input: github ($(grep -c '' "$OUT/$n.github.txt" || true) annotations, @actions/core bytes + runner parse)" \
    "$V/check-gha.sh" "$OUT/$n.cases.json" "$OUT/$n.github.txt"
  check "$input: junit (junit-10.xsd)" "$V/check-junit.sh" "$OUT/$n.xml"
  check "$input: gitlab (Code Quality fields)" "$V/check-gitlab.py" "$OUT/$n.gitlab.json"
done
[ "$NFAIL" -eq 0 ] || { echo "outputs: $NFAIL check(s) failed"; exit 1; }
