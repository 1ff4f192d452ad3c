#!/usr/bin/env bash
# The review workflow, checked with the real tools: the GitHub Action (action-validator on
# action.yml, actionlint on the workflows that use it, shellcheck on its scripts), the
# pre-commit hook (pre-commit validate-manifest and try-repo), the man pages (mandoc lint,
# man -l), and `commsplan diff` on two commits of the example (cmark-gfm renders its
# Markdown; a reordered file gives an empty diff).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
T=${COMMSPLAN_TOOLS:-/tmp/commsplan-tools}
[ -f "$T/env.sh" ] || bash .ci/validators/install.sh "$T" >/dev/null
# shellcheck disable=SC1091
. "$T/env.sh"
BIN=${COMMSPLAN:-$ROOT/target/release/commsplan}
[ -x "$BIN" ] || { cargo build --locked --release -q; BIN=$ROOT/target/release/commsplan; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { # expect CODE NAME CMD...: CMD must exit with CODE
  local want=$1 name=$2 got=0; shift 2
  "$@" >"$W/out" 2>&1 || got=$?
  if [ "$got" = "$want" ]; then pass "$name"; else fail "$name (exit $got, want $want)"; sed 's/^/    /' "$W/out" | tail -20; fi
}

# --- the action
expect 0 "action-validator action.yml" "$ACTION_VALIDATOR" action.yml
for wf in .github/workflows/*.yml; do expect 0 "action-validator $wf" "$ACTION_VALIDATOR" "$wf"; done
printf 'name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - run: echo no shell\n' >"$W/bad-action.yml"
expect 1 "action-validator rejects a composite step without shell" "$ACTION_VALIDATOR" "$W/bad-action.yml"
# The exit code of actionlint, and 3 when it found no workflow to check (it exits 0 then).
actionlint_in() {
  local out rc=0
  out=$(cd "$1" && node "$ACTIONLINT") || rc=$?
  echo "$out"
  grep -q "Checking [1-9][0-9]* workflow file" <<<"$out" || return 3
  return $rc
}
expect 0 "actionlint .github/workflows" actionlint_in "$ROOT"
mkdir -p "$W/lint/.github/workflows"
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n' >"$W/lint/.github/workflows/bad.yml"
expect 1 "actionlint rejects an untrusted expression in a script" actionlint_in "$W/lint"
# Each `run:` of the action, as bash runs it (actionlint's WebAssembly build has no shellcheck).
"$REVIEW_PY" - action.yml "$W/scripts" <<'EOF'
import os, sys, yaml
os.makedirs(sys.argv[2])
for i, step in enumerate(yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]):
    if "run" in step:
        open(os.path.join(sys.argv[2], f"step{i}.sh"), "w").write("#!/usr/bin/env bash\n" + step["run"])
EOF
for s in "$W"/scripts/*.sh; do expect 0 "shellcheck action.yml $(basename "$s")" "$SHELLCHECK" -s bash "$s"; done

# --- the pre-commit hook
expect 0 "pre-commit validate-manifest" "$PRE_COMMIT" validate-manifest .pre-commit-hooks.yaml
export PRE_COMMIT_HOME=$T/pre-commit-home
# The hook is `language: rust`: pre-commit runs `cargo install --path` on the repository;
# the release build above serves it.
export CARGO_TARGET_DIR=$ROOT/target
cp tests/corpus/bad-enum-pattern.yaml "$W/broken.yaml"
expect 0 "pre-commit try-repo: a clean file passes" "$PRE_COMMIT" try-repo "$ROOT" commsplan --files examples/minimal.yaml
expect 1 "pre-commit try-repo: a broken file fails" "$PRE_COMMIT" try-repo "$ROOT" commsplan --files "$W/broken.yaml"

# --- man pages
"$BIN" man "$W/man" 2>/dev/null
pages=("$W"/man/*.1)
[ "${#pages[@]}" -ge 10 ] && pass "commsplan man: ${#pages[@]} pages" || fail "commsplan man wrote ${#pages[@]} pages"
for p in "${pages[@]}"; do
  expect 0 "mandoc -T lint -W error $(basename "$p")" mandoc -T lint -W error "$p"
  rendered() { MANWIDTH=80 man --warnings -l "$1" 2>"$W/warn" | grep -q "NAME" && [ ! -s "$W/warn" ]; }
  expect 0 "man -l $(basename "$p")" rendered "$p"
done

# --- commsplan diff on two commits of the example
R=$W/repo && mkdir -p "$R/examples" && cp examples/ecommerce.yaml "$R/examples/"
git -C "$R" init -q && git -C "$R" add . && git -C "$R" -c user.name=ci -c user.email=ci@example.com commit -qm one
"$REVIEW_PY" - "$R/examples/ecommerce.yaml" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("      timeout_ms: 2000        # bumped from 500 after the Black Friday incident\n", "")
s = s.replace("      retry: *no-retry        # never replay a checkout from the edge\n", "      retry: *retry-std\n")
i = s.index("  - id: get-shipping-address"); k = s.index("pattern: sync", i)
open(p, "w").write(s[:k] + "pattern: queue" + s[k + len("pattern: sync"):])
EOF
git -C "$R" -c user.name=ci -c user.email=ci@example.com commit -qam two
(cd "$R" && "$BIN" diff --base HEAD~1 examples/ecommerce.yaml -f markdown -o "$W/diff.md" --fail-on never)
(cd "$R" && "$BIN" diff --base HEAD~1 examples/ecommerce.yaml -f json -o "$W/diff.json" --fail-on never)
check_markdown() {
  "$PY" - "$W/diff.md" "$W/diff.json" <<'EOF' || return 1
import json, re, sys
import cmarkgfm  # GitHub's renderer, installed by install.sh in the validators' venv
md = open(sys.argv[1]).read(); d = json.load(open(sys.argv[2]))
html = cmarkgfm.github_flavored_markdown_to_html(md, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE)
tags = set(re.findall(r"</?([a-zA-Z0-9]+)", html)) - {"h2", "h4", "p", "ul", "li", "code", "strong", "details", "summary", "sub", "br"}
assert not tags, f"unexpected HTML tags: {tags}"
top = md.split("<details>")[0]
for want in ["G007", "declared pattern sync → queue", "uses.timeout_ms: 2000 → —", "retry amplification 6× → 9×"]:
    assert want in top, f"{want!r} not in the top of the page"
ids = sorted(c["id"] for c in d["interactions"]["changed"])
assert ids == ["get-shipping-address", "place-order", "reserve-stock"], ids
assert len(top.splitlines()) <= 16, "the top of the page is short"
print(f"markdown: {len(md)} bytes, {len(top.splitlines())} lines before the details")
EOF
}
expect 0 "diff --base HEAD~1: exactly the change, Markdown renders (cmark-gfm)" check_markdown
# A large change stays short: every interaction of the example changed at once.
sed 's/timeout_ms: \([0-9]*\)/timeout_ms: 1\1/' "$R/examples/ecommerce.yaml" >"$W/large.yaml"
"$BIN" diff examples/ecommerce.yaml "$W/large.yaml" -f markdown -o "$W/large.md" --fail-on never
top_lines=$(sed '/<details>/q' "$W/large.md" | wc -l)
[ "$top_lines" -le 20 ] && pass "a large change keeps the top of the page short ($top_lines lines)" || fail "top of a large diff has $top_lines lines"
"$REVIEW_PY" - "$W/reordered.yaml" <<'EOF'
import yaml
d = yaml.safe_load(open("examples/ecommerce.yaml"))
d["interactions"].reverse(); d["services"] = dict(reversed(list(d["services"].items())))
open(__import__("sys").argv[1], "w").write(yaml.safe_dump(d, sort_keys=True, width=200))
EOF
empty_diff() {
  local out
  out=$("$BIN" diff examples/ecommerce.yaml "$W/reordered.yaml") || return 1
  echo "$out"
  grep -q ": no changes" <<<"$out"
}
expect 0 "a reordered, reformatted file gives an empty diff" empty_diff

[ "$fails" -eq 0 ] || { echo "review: $fails failed"; exit 1; }
echo "review: all passed"
