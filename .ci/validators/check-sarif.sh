#!/usr/bin/env bash
# SARIF 2.1.0: the official schema (from the SARIF Multitool package) via check-jsonschema, then
# the Multitool's SARIF spec + GitHub code-scanning rules (--rule-kind "Sarif;Gh").
# The Multitool always exits 0, so its output log is read and error-level results fail the file.
# Usage: check-sarif.sh FILE.sarif ...
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "FILE.sarif ..."
multitool() {  # multitool FILE : validate and print error-level results (exit 1 if any)
  local log=$WORK/validation.sarif
  rm -f "$log"                                   # --log ForceOverwrite is broken: delete instead
  "$MULTITOOL" validate --rule-kind "Sarif;Gh" -o "$log" "$1" >"$WORK/multitool.out" 2>&1 || true
  [ -s "$log" ] || { cat "$WORK/multitool.out"; return 2; }
  "$PY" - "$log" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
bad = []
for run in log["runs"]:
    rules = run["tool"]["driver"].get("rules", [])
    for r in run.get("results", []):
        if r.get("level", "warning") != "error":
            continue
        m = r.get("message", {})
        text = m.get("text")
        if text is None:   # message by id: expand the rule's messageStrings with its arguments
            rule = rules[r["ruleIndex"]] if 0 <= r.get("ruleIndex", -1) < len(rules) else {}
            text = rule.get("messageStrings", {}).get(m.get("id"), {}).get("text", m.get("id", ""))
            for i, a in enumerate(m.get("arguments", [])):
                text = text.replace("{%d}" % i, a)
        region = (r.get("locations") or [{}])[0].get("physicalLocation", {}).get("region", {})
        bad.append(f"line {region.get('startLine', '?')}: {r.get('ruleId', '?')} {text}")
    for inv in run.get("invocations", []):   # the tool's own failures (e.g. unreadable input)
        bad += ["tool: " + n["message"].get("text", "") for n in inv.get("toolExecutionNotifications", [])
                if n.get("level", "warning") == "error"]
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}
for f in "$@"; do
  try schema "$CJ" --schemafile "$SARIF_SCHEMA" "$f"
  try multitool multitool "$f"
  verdict "$f"
done
finish
