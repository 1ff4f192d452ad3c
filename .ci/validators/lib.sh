# shellcheck shell=bash disable=SC2034  # (variables here are used by the scripts that source it)
# Sourced by the check-*.sh scripts: paths, tool env, a scratch dir and PASS/FAIL bookkeeping.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=$(cd "${SHARED:-$REPO/../shared}" 2>/dev/null && pwd) ||
  { echo "shared/ not found next to the repo (set SHARED=path/to/shared)" >&2; exit 2; }
BIN=$SHARED/validators/bin                 # helper scripts used unchanged
TOOLS_DIR=${COMMSPLAN_TOOLS:-/tmp/commsplan-tools}
if [ ! -f "$TOOLS_DIR/env.sh" ]; then
  echo "no $TOOLS_DIR/env.sh: run .ci/validators/install.sh first" >&2; exit 2
fi
. "$TOOLS_DIR/env.sh"

WORK=$(mktemp -d)
RUNDIRS=()
on_exit() { "${CLEANUP:-true}"; rm -rf "$WORK" "${RUNDIRS[@]}"; }
trap on_exit EXIT
trap 'exit 130' INT TERM        # so that on_exit runs on a signal too

# rundir NPM_DIR: set RUN to a private folder inside NPM_DIR (removed on exit). Scripts and sources
# put there resolve NPM_DIR's node_modules (ESM and tsc look next to the file, not in the cwd),
# and concurrent runs sharing one TOOLS_DIR do not collide.
rundir() {
  RUN=$(mktemp -d "$1/run.XXXXXX"); RUNDIRS+=("$RUN")
  ln -s ../node_modules "$RUN/node_modules"
}
NFAIL=0 ERRS=""
usage() { echo "usage: $(basename "$0") $*" >&2; exit 2; }
# try LABEL CMD... : run CMD; on failure remember "[LABEL] its output" for the current file.
# Always returns 0 (set -e safe); "$ERRS" is non-empty once anything failed for this file.
try() {
  local _label=$1 _out _rc=0; shift
  _out=$("$@" 2>&1) || _rc=$?
  [ "$_rc" -eq 0 ] || ERRS+="[$_label] exit $_rc"$'\n'"$_out"$'\n'
}
# note MSG : record a failure message for the current file
note() { ERRS+="$1"$'\n'; }
# verdict FILE : print PASS/FAIL for the current file (with at most 40 lines of messages)
verdict() {
  if [ -z "$ERRS" ]; then echo "PASS $1"; return 0; fi
  NFAIL=$((NFAIL + 1)); echo "FAIL $1"
  local n; n=$(printf '%s' "$ERRS" | grep -c '' || true)
  printf '%s' "$ERRS" | head -40 | sed 's/^/    /'
  [ "$n" -le 40 ] || echo "    ... ($((n - 40)) more lines)"
  ERRS=""
}
finish() { exit $((NFAIL > 0)); }
