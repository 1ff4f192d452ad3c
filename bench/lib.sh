# Sourced by the bench scripts (after `cd` to the checkout's root).

die() { echo "bench: $*" >&2; exit 2; }

# Checks for /usr/bin/time and python3, then sets BIN to $COMMSPLAN_BIN or to a fresh
# release build.
bench_setup() {
  TIME=/usr/bin/time
  [ -x "$TIME" ] || die "$TIME not found (Debian: apt-get install time)"
  command -v python3 >/dev/null || die "python3 not found"
  if [ -n "${COMMSPLAN_BIN:-}" ]; then
    BIN=$COMMSPLAN_BIN
  else
    echo "bench: cargo build --release" >&2
    cargo build --release --quiet >&2
    BIN=target/release/commsplan
  fi
  [ -x "$BIN" ] || die "commsplan binary not found or not executable: $BIN"
}
