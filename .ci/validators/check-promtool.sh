#!/usr/bin/env bash
# Prometheus rules with promtool 2.42.0 (Debian): `check rules --lint=all --lint-fatal` on rule files
# (syntax, PromQL, templates; lint: duplicate rules) and `test rules` on unit-test files.
# A file with a top-level `rule_files:` key is a unit test; it runs from its own folder, so its
# rule_files paths are relative to it.
# Usage: check-promtool.sh RULES.yml [TEST.yml] ...
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "RULES.yml [TEST.yml] ..."
for f in "$@"; do
  if grep -q '^rule_files:' "$f" 2>/dev/null; then
    try "promtool test rules" bash -c 'cd "$(dirname "$1")" && promtool test rules "$(basename "$1")"' _ "$f"
  else
    try "promtool check rules" promtool check rules --lint=all --lint-fatal "$f"
  fi
  verdict "$f"
done
finish
