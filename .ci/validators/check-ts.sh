#!/usr/bin/env bash
# Generated TypeScript (http.Agent + axios + opossum): tsc 5.9.3, strict, noEmit (tsconfig.json here).
# The files are copied under a fresh TS_DIR/run.XXXXXX/src: imports and @types resolve from
# TS_DIR/node_modules, not from the files' own folder.
# Usage: check-ts.sh DIR|FILE.ts ...      (a DIR contributes every .ts file below it)
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "DIR|FILE.ts ..."
rundir "$TS_DIR"; mkdir "$RUN/src"
cp "$HERE/tsconfig.json" "$RUN/tsconfig.json"
declare -A origin=()                          # src-relative path -> the file we were given
for a in "$@"; do
  if [ -d "$a" ]; then
    while IFS= read -r -d '' f; do
      rel=${f#"$a"/}; mkdir -p "$RUN/src/$(dirname "$rel")"; cp "$f" "$RUN/src/$rel"; origin[src/$rel]=$f
    done < <(find "$a" -name node_modules -prune -o -name '*.ts' -type f -print0)
  elif [ -f "$a" ]; then
    cp "$a" "$RUN/src/"; origin[src/$(basename "$a")]=$a
  else
    echo "FAIL $a: no such file or directory"; NFAIL=$((NFAIL + 1))
  fi
done
[ ${#origin[@]} -gt 0 ] || { echo "FAIL no .ts files in: $*"; exit 1; }
rc=0
(cd "$RUN" && "$TS_DIR/node_modules/.bin/tsc" -p . --pretty false) >"$WORK/tsc.log" 2>&1 || rc=$?
while IFS= read -r rel; do
  errs=$(awk -v p="$rel(" 'index($0, p) == 1' "$WORK/tsc.log")
  if [ -n "$errs" ]; then note "[tsc]"$'\n'"$errs"; fi
  verdict "${origin[$rel]}"
done < <(printf '%s\n' "${!origin[@]}" | sort)
# errors that belong to no given file (tsconfig, missing types, ...) still fail the run
if [ "$rc" -ne 0 ] && [ "$NFAIL" -eq 0 ]; then
  echo "FAIL tsc exit $rc"; sed 's/^/    /' "$WORK/tsc.log" | head -40; NFAIL=1
fi
finish
