#!/usr/bin/env bash
# Mermaid diagrams: parse with the real mermaid parser (Node + jsdom), render to SVG in Debian's
# Chromium (one browser for all files; writes OUTDIR/NAME.svg and OUTDIR/NAME.labels.json), and,
# when FILE.labels.expected.json sits next to FILE.mmd, compare the rendered label texts with it
# (mermaid silently rewrites some characters, e.g. `#1;` or unescaped quotes).
# Usage: check-mermaid.sh OUTDIR FILE.mmd ...
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || usage "OUTDIR FILE.mmd ..."
outdir=$1; shift
mkdir -p "$outdir"
rundir "$MERMAID_DIR"                     # ESM resolves imports next to the script
cp "$BIN/mermaid-parse.mjs" "$BIN/mermaid-render.mjs" "$RUN/"
# One process per tool for all files; its per-file "OK   FILE ..." / "FAIL FILE" blocks are split below.
node "$RUN/mermaid-parse.mjs" "$@" >"$WORK/parse.log" 2>&1 || true
node "$RUN/mermaid-render.mjs" "$outdir" "$@" >"$WORK/render.log" 2>&1 || true
# from LOG FILE: note the tool's failure block for FILE (or the log tail if FILE got no verdict)
from() {
  local b
  b=$(awk -v f="$2" 'substr($0, 1, 5) == "OK   " || substr($0, 1, 5) == "FAIL " {
        r = substr($0, 6); inb = (r == f || index(r, f " (") == 1); if (inb) print; next }
      inb { print }' "$WORK/$1.log")
  case $b in
    OK*) ;;
    FAIL*) note "[mermaid $1]"; if [[ $b == *$'\n'* ]]; then note "${b#*$'\n'}"; fi ;;
    *) note "[mermaid $1] no verdict for this file; log tail:"$'\n'"$(tail -8 "$WORK/$1.log")" ;;
  esac
}
for f in "$@"; do
  from parse "$f"
  [ -n "$ERRS" ] || from render "$f"
  expected=${f%.mmd}.labels.expected.json
  if [ -f "$expected" ] && [ -z "$ERRS" ]; then
    try labels "$PY" "$BIN/mermaid-labels-compare.py" "$expected" "$outdir/$(basename "${f%.mmd}").labels.json"
  fi
  verdict "$f"
done
finish
