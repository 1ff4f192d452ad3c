#!/usr/bin/env bash
# Fuzz smoke run: every cargo-fuzz target for a short fixed time from the seeds of the
# test suite. A crash, a panic, a timeout (an input over 1 s) or an input that takes more
# than 200 MB fails the check. See fuzz/README.md for long runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-25}
# cargo-fuzz passes `-Zsanitizer`, a nightly flag; RUSTC_BOOTSTRAP lets a stable compiler
# accept it. The sanitizer itself is off (`-s none`): the code is safe Rust, and without
# AddressSanitizer's shadow memory the 200 MB limit measures commsplan, not the tool.
export RUSTC_BOOTSTRAP=1
FLAGS=(--release --debug-assertions --sanitizer none)
# The targets that write files (baseline, generate) sync them to disk, as the tool does.
# On a busy disk one fsync can outlast the 1 s per-input limit, which measures commsplan's
# work; scratch files on a memory file system keep the limit about that work.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
cargo build --locked --quiet
bash fuzz/seed.sh
cargo fuzz build "${FLAGS[@]}"

status=0
for target in $(cargo fuzz list); do
  echo "-- $target: ${SECONDS_PER_TARGET}s"
  log="fuzz/artifacts/$target.log"
  mkdir -p "fuzz/artifacts/$target"
  if cargo fuzz run "${FLAGS[@]}" "$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=1 -rss_limit_mb=200 \
      -max_len=8192 -print_final_stats=1 > "$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "PASS $target: $runs executions, nothing found"
  else
    echo "FAIL $target (artifacts in fuzz/artifacts/$target):"
    tail -40 "$log"
    status=1
  fi
done
exit "$status"
