#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds taken from the test suite: the examples, the
# fixtures and the corpus of broken files, the configs the tests use, a baseline written
# from an example, and the embedded templates. Run from anywhere; needs the commsplan
# binary (COMMSPLAN, default target/debug/commsplan, built if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
bin="${COMMSPLAN:-$root/target/debug/commsplan}"
[ -x "$bin" ] || (cd "$root" && cargo build --quiet)

mkdir -p "$corpus"/{raw_bytes,architecture,config,baseline,templates}

for f in "$root"/examples/*.yaml "$root"/tests/fixtures/*.yaml "$root"/tests/corpus/*; do
  [ -f "$f" ] && cp "$f" "$corpus/raw_bytes/$(basename "$f")"
done

# The structure-aware target reads its choices from bytes: any bytes are a seed, and a
# few of different lengths start it off with systems of different sizes.
for n in 16 64 256 1024 4096; do
  head -c "$n" /dev/urandom > "$corpus/architecture/random-$n"
done

# The configs of tests/suppress_config_baseline.rs, and one of each section.
i=0
while IFS= read -r line; do
  i=$((i + 1))
  printf '%b' "$line" > "$corpus/config/test-$i.toml"
done <<'CONFIGS'
ignore = ["S009"]\n
select = ["S"]\nignore = ["S003"]\n
[severity]\nS001 = "warning"\n
select = ["S"]\n
[thresholds]\nmax_sync_depth = 1\n
select = ["S"]\n\n[thresholds]\nmax_sync_dept = 3\n
select = ["Q"]\n
ignore = ["S001"]\n
CONFIGS

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for f in "$root"/examples/*.yaml; do
  "$bin" analyze "$f" --write-baseline "$tmp/b.json" --output /dev/null --fail-on never \
    > /dev/null 2>&1 || true
  [ -f "$tmp/b.json" ] && cp "$tmp/b.json" "$corpus/baseline/$(basename "$f" .yaml).json"
done
printf '{"version":1,"entries":[]}\n' > "$corpus/baseline/empty.json"

# A template seed is one byte choosing which template the text overrides (by position in
# the embedded list), then the text: here each embedded template's own text.
i=0
while IFS= read -r -d '' f; do
  rel="${f#"$root"/templates/}"
  { printf "\\x$(printf %02x "$i")"; cat "$f"; } > "$corpus/templates/$(echo "$rel" | tr / _)"
  i=$((i + 1))
done < <(find "$root/templates" -name '*.hbs' -print0 | sort -z)
echo "seeded $(find "$corpus" -type f | wc -l) files in $corpus"
