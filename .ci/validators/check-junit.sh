#!/usr/bin/env bash
# JUnit XML against Jenkins' junit-10.xsd (from the pytest sdist) with xmllint.
# Usage: check-junit.sh FILE.xml ...      (xmllint: exit 1 = not well-formed, 3 = schema-invalid)
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "FILE.xml ..."
for f in "$@"; do
  try xmllint xmllint --noout --schema "$JUNIT_XSD" "$f"
  verdict "$f"
done
finish
