#!/usr/bin/env bash
# Resilience4j Spring Boot application.yml against a hand-written subset schema (the real
# binder needs Maven Central, which is not reachable; see shared/validators/README.md §11).
# Usage: check-resilience4j.sh FILE.yml ...     (R4J_SCHEMA overrides the schema)
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "FILE.yml ..."
R4J_SCHEMA=${R4J_SCHEMA:-$SHARED/validators/examples/resilience4j/resilience4j-subset.schema.json}
for f in "$@"; do
  try check-jsonschema "$CJ" --schemafile "$R4J_SCHEMA" "$f"
  verdict "$f"
done
finish
