#!/usr/bin/env python3
"""Helpers for check-gha.sh.
  gha-cases.py normalize CASES.json > OUT.json
      Accepts the shared recipe's format [{level, message, props: {title, file, startLine, endLine,
      startColumn, endColumn}}] (what gha-reference.mjs reads) and also the runner-side spelling
      [{command, message, properties: {title, file, line, endLine, col, endColumn}}]; prints the former.
  gha-cases.py roundtrip CASES.json PARSED.jsonl
      PARSED.jsonl is gha-parse-runner.py's output for the tool's annotation lines; checks that
      each line parses to the case's command, message and properties (exit 1 on any difference)."""
import json, sys

TO_CORE = {"line": "startLine", "col": "startColumn"}            # runner name -> @actions/core name
TO_RUNNER = {"title": "title", "file": "file", "startLine": "line", "endLine": "endLine",
             "startColumn": "col", "endColumn": "endColumn"}

def normalize(cases):
    out = []
    for c in cases:
        props = c.get("props")
        if props is None:
            props = {TO_CORE.get(k, k): v for k, v in (c.get("properties") or {}).items()}
        out.append({"level": c.get("level") or c.get("command") or "error", "message": c["message"], "props": props})
    return out

def roundtrip(cases, parsed):
    errs = []
    if len(parsed) != len(cases):
        errs.append(f"{len(parsed)} annotation line(s) for {len(cases)} case(s)")
    for i, (c, p) in enumerate(zip(cases, parsed)):
        if p is None:
            errs.append(f"line {i + 1}: the runner does not read it as a workflow command"); continue
        # @actions/core drops falsy property values, and the runner drops empty ones
        want = {TO_RUNNER[k]: str(v) for k, v in c["props"].items() if v not in (None, "", 0, False)}
        if p["command"] != c["level"]:
            errs.append(f"line {i + 1}: command {p['command']!r}, want {c['level']!r}")
        if p["properties"] != want:
            errs.append(f"line {i + 1}: properties {p['properties']!r}, want {want!r}")
        if p["data"] != c["message"]:
            errs.append(f"line {i + 1}: message {p['data']!r}, want {c['message']!r}")
    return errs

if __name__ == "__main__":
    mode, cases_path = sys.argv[1], sys.argv[2]
    cases = normalize(json.load(open(cases_path, encoding="utf-8")))
    if mode == "normalize":
        json.dump(cases, sys.stdout, ensure_ascii=False, indent=1)
    else:
        parsed = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8") if l.strip()]
        errs = roundtrip(cases, parsed)
        print("\n".join(errs) or f"round-trip OK ({len(cases)} annotations)")
        sys.exit(1 if errs else 0)
