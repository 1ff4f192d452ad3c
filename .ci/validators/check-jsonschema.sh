#!/usr/bin/env bash
# JSON Schema (draft 2020-12) of commsplan's file format, plus YAML/JSON instances of it.
# Usage: check-jsonschema.sh SCHEMA.json [INSTANCE.yaml ...]
# Schema: check-jsonschema --check-metaschema, then ajv strict compile (catches unknown keywords
# such as "minLenght" that the metaschema allows). Instances: check-jsonschema --schemafile.
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "SCHEMA.json [INSTANCE.yaml ...]"
schema=$1; shift
spec=--spec=draft2020                                       # ajv's default is draft-07
grep -q '"\$schema" *: *"http://json-schema.org/draft-07/schema#*"' "$schema" && spec=
try metaschema "$CJ" --check-metaschema "$schema"
try ajv-strict "$AJV" compile $spec --strict=true -c ajv-formats -s "$schema"
verdict "$schema"
for f in "$@"; do
  try check-jsonschema "$CJ" --schemafile "$schema" "$f"
  verdict "$f"
done
finish
