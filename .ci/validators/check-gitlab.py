#!/usr/bin/env python3
"""GitLab Code Quality report (CodeClimate subset that GitLab reads), stdlib only.
Usage: check-gitlab.py FILE.json ...   prints PASS/FAIL per file, exit 1 if any fails.
Rules: top-level array; each issue has non-empty string description, check_name and fingerprint
(fingerprint unique within the file); severity in info|minor|major|critical|blocker;
location.path a non-empty string; location.lines.begin an integer >= 1 (lines.end, if given,
an integer >= begin); optional categories: array of strings."""
import json, sys

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)

def check(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        return [f"not readable JSON: {e}"]
    if not isinstance(data, list):
        return [f"top level must be an array, got {type(data).__name__}"]
    errs, seen = [], {}
    for i, it in enumerate(data):
        at = f"[{i}]"
        if not isinstance(it, dict):
            errs.append(f"{at}: issue must be an object"); continue
        for k in ("description", "check_name", "fingerprint"):
            if not isinstance(it.get(k), str) or not it[k]:
                errs.append(f"{at}.{k}: required non-empty string, got {it.get(k)!r}")
        fp = it.get("fingerprint")
        if isinstance(fp, str):
            if fp in seen:
                errs.append(f"{at}.fingerprint: {fp!r} duplicates [{seen[fp]}]")
            seen.setdefault(fp, i)
        if it.get("severity") not in SEVERITIES:
            errs.append(f"{at}.severity: {it.get('severity')!r} not one of {sorted(SEVERITIES)}")
        loc = it.get("location")
        if not isinstance(loc, dict):
            errs.append(f"{at}.location: required object"); continue
        if not isinstance(loc.get("path"), str) or not loc["path"]:
            errs.append(f"{at}.location.path: required non-empty string, got {loc.get('path')!r}")
        lines = loc.get("lines")
        begin = lines.get("begin") if isinstance(lines, dict) else None
        if not is_int(begin) or begin < 1:
            errs.append(f"{at}.location.lines.begin: required integer >= 1, got {begin!r}")
        elif "end" in lines and (not is_int(lines["end"]) or lines["end"] < begin):
            errs.append(f"{at}.location.lines.end: must be an integer >= begin, got {lines['end']!r}")
        cats = it.get("categories")
        if cats is not None and not (isinstance(cats, list) and all(isinstance(c, str) for c in cats)):
            errs.append(f"{at}.categories: must be an array of strings, got {cats!r}")
    return errs

if len(sys.argv) < 2:
    sys.exit("usage: check-gitlab.py FILE.json ...")
failed = 0
for path in sys.argv[1:]:
    errs = check(path)
    print(("FAIL " if errs else "PASS ") + path)
    for e in errs[:40]:
        print("    " + e)
    failed += bool(errs)
sys.exit(1 if failed else 0)
