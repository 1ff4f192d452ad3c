#!/usr/bin/env bash
# CI lint outputs, each checked by its real consumer (recipes: shared/validators/README.md):
#   sarif  - the official SARIF 2.1.0 schema + the SARIF Multitool's GitHub rules
#   github - byte-identical to what @actions/core 3.0.1 writes for the same annotations,
#            and read back the way the Actions runner parses workflow commands
#   junit  - xmllint against Jenkins' junit-10.xsd
#   gitlab - Code Quality fields present and typed as GitLab documents them
#   markdown - rendered by GitHub's own cmark-gfm (PyPI cmarkgfm): no HTML beyond the
#            page's own tags, and every name in the table reads back exactly as written;
#            its Mermaid block parses and renders with mermaid 11
# on every example and on the hostile-names, hostile-findings and grouped fixtures. One commsplan run writes all formats
# (-f/-o pairs); each is also compared with a run of that format alone.
# Usage: .ci/checks/outputs.sh   (from the repo root; needs .ci/validators/install.sh first)
set -euo pipefail
BIN=${COMMSPLAN:-target/release/commsplan}
V=${VALIDATORS:-.ci/validators}
TOOLS=${COMMSPLAN_TOOLS:-/tmp/commsplan-tools}
[ ! -f "$TOOLS/env.sh" ] || . "$TOOLS/env.sh"
MARKDOWN_PY=${MARKDOWN_PY:-${PY:-python3}}   # a Python with cmarkgfm (install.sh puts it in $PY)
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
# to the current folder, columns only on a one-line range (end column inclusive), control
# characters in the message made visible.
gha_cases() {
  python3 - "$1" <<'PY'
import json, os, sys, unicodedata

def visible(s):  # control characters other than CR, LF and tab shown as \u{1b}
    return "".join("\\u{%x}" % ord(c) if unicodedata.category(c) == "Cc" and c not in "\r\n\t" else c
                   for c in s)

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
    message = visible(f["message"]) + (f"\nhelp: {visible(f['help'])}" if f.get("help") else "")
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

# The page as GitHub renders it (cmark-gfm with its extensions; raw HTML let through so
# that any that slipped past the escaping shows up): only the page's own tags, one table
# row of five cells per interaction whose text is the JSON report's, one item per finding,
# one Mermaid block (docs/diagrams.md has its own checks of the diagram).
markdown_renders() {
  "$MARKDOWN_PY" -c 'import cmarkgfm' 2>/dev/null ||
    { echo "no cmarkgfm in $MARKDOWN_PY: add cmarkgfm==2025.10.22 to .ci/validators/install.sh"; return 2; }
  "$MARKDOWN_PY" - "$1" "$2" <<'PY'
import json, sys
from html.parser import HTMLParser
import cmarkgfm
from cmarkgfm.cmark import Options

ALLOWED = {"h2", "h3", "h4", "p", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
           "ul", "li", "strong", "code", "br", "details", "summary", "sub"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad, self.rows, self.h2, self.items, self.diagrams = [], [], None, [], 0
        self.cell = self.row = None
        self.in_h2 = self.in_li = False
    def handle_starttag(self, tag, attrs):
        if (tag, attrs) == ("pre", [("lang", "mermaid")]):
            self.diagrams += 1
        elif tag not in ALLOWED or attrs:
            self.bad.append(f"<{tag} {attrs}>")
        if tag == "tr": self.row = []
        elif tag in ("td", "th"): self.cell = ""
        elif tag == "br" and self.cell is not None: self.cell += "\n"
        elif tag == "h2": self.in_h2, self.h2 = True, ""
        elif tag == "li": self.in_li = True; self.items.append("")
    def handle_endtag(self, tag):
        if tag in ("td", "th"): self.row.append(self.cell); self.cell = None
        elif tag == "tr": self.rows.append(self.row)
        elif tag == "h2": self.in_h2 = False
        elif tag == "li": self.in_li = False
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
        if self.in_h2: self.h2 += data
        if self.in_li: self.items[-1] += data
    def handle_comment(self, data):
        self.bad.append(f"<!--{data}-->")

md = open(sys.argv[1], encoding="utf-8").read()
report = json.load(open(sys.argv[2], encoding="utf-8"))
page = Page()
page.feed(cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE))
errs = [f"unexpected HTML {b}" for b in page.bad]
def lines(s):  # as the page writes text: line breaks as <br>, other controls as \u{1b}
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return "".join("\\u{%x}" % ord(c) if ord(c) < 32 and c not in "\n\t" or 127 <= ord(c) < 160 else c
                   for c in s)
system = lines((report["system"] or "commsplan").replace("\r", " ").replace("\n", " "))
if page.h2 != f"Design review: {system}":
    errs.append(f"heading {page.h2!r}, want the system {system!r}")
rows = page.rows[1:]
if len(rows) != len(report["interactions"]):
    errs.append(f"{len(rows)} table rows for {len(report['interactions'])} interactions")
for row, i in zip(rows, report["interactions"]):
    want = [i["id"], f"{lines(i['from'])} → {lines(i['to'])}", i["recommended"] or "?", None,
            " → ".join(i["path"])]
    if len(row) != 5:
        errs.append(f"row {i['id']!r} has {len(row)} cells: {row!r}"); continue
    for got, exp in zip(row, want):
        if exp is not None and got != exp:
            errs.append(f"row {i['id']!r}: cell {got!r}, want {exp!r}")
    declared = i["declared"] or "—"
    if not row[3].startswith(declared):
        errs.append(f"row {i['id']!r}: declared {row[3]!r}, want {declared!r}")
if page.diagrams != (1 if report["interactions"] else 0):
    errs.append(f"{page.diagrams} mermaid blocks")
findings = report["findings"]
if len(page.items) != len(findings):
    errs.append(f"{len(page.items)} list items for {len(findings)} findings")
for f in findings:
    if not any(it.startswith(f"{f['code']} {f['name']} — ") for it in page.items):
        errs.append(f"no item for {f['code']} {f['name']}")
print("\n".join(errs) or f"markdown OK ({len(rows)} rows, {len(page.items)} findings)")
sys.exit(1 if errs else 0)
PY
}

for input in examples/*.yaml tests/fixtures/hostile-names.yaml tests/fixtures/hostile-findings.yaml tests/fixtures/grouped.yaml; do
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
  check "$input: markdown (cmark-gfm render, names round-trip)" markdown_renders "$OUT/$n.md" "$OUT/$n.json"
  # The page's diagram block, for the Mermaid check after the loop.
  mkdir -p "$OUT/mmd"
  awk '/^```+mermaid$/ { inside = 1; next } inside && /^```+$/ { inside = 0 } inside' "$OUT/$n.md" >"$OUT/mmd/$n.mmd"
  [ -s "$OUT/mmd/$n.mmd" ] || rm "$OUT/mmd/$n.mmd"
done
check "markdown: the embedded diagrams parse and render with Mermaid ($(ls "$OUT/mmd" | wc -l) pages)" \
  "$V/check-mermaid.sh" "$OUT/svg" "$OUT"/mmd/*.mmd
[ "$NFAIL" -eq 0 ] || { echo "outputs: $NFAIL check(s) failed"; exit 1; }
