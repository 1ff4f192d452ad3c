#!/usr/bin/env bash
# RabbitMQ definitions.json with the real broker (Debian rabbitmq-server 3.10.8), loopback only.
# Starts a throwaway node (shared/validators/bin/rabbitmq-env.sh: 127.0.0.1:5672/25672, epmd on
# 127.0.0.1, data under RMQ_BASE), then for each file: reset the node to a fresh state, import,
# export, and compare the export with the file (the broker silently drops bindings to missing
# exchanges, ignores unknown x-arguments and skips objects that already exist).
# The node and the epmd it started are stopped by PID on exit.
# Usage: check-rabbitmq.sh definitions.json ...
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "definitions.json ..."
. "$BIN/rabbitmq-env.sh"
IO=$RMQ_BASE/io                       # files the broker's user (rabbitmq) can read and write
# one node at a time per machine (fixed ports and RMQ_BASE): concurrent runs wait for the lock
exec 9>"$RMQ_BASE.lock"
flock -w 900 9 || { echo "FAIL waited 900 s for $RMQ_BASE.lock (another check-rabbitmq.sh)" >&2; exit 1; }
epmd_before=$(pgrep -u rabbitmq -x epmd || true)
SERVER_PID=""

kill_tree() {  # kill_tree PID: the process and its descendants, by PID
  local c; for c in $(pgrep -P "$1" || true); do kill_tree "$c"; done
  kill "$1" 2>/dev/null || true
}
stop_rabbit() {
  [ -n "$SERVER_PID" ] || return 0
  local t=$EPOCHREALTIME beam e
  beam=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
  rabbitmqctl shutdown -q >/dev/null 2>&1 || true
  if [ -n "$beam" ] && kill -0 "$beam" 2>/dev/null; then kill "$beam"; fi
  if kill -0 "$SERVER_PID" 2>/dev/null; then kill_tree "$SERVER_PID"; fi
  for e in $(pgrep -u rabbitmq -x epmd || true); do   # only the epmd this run started
    grep -qx "$e" <<<"$epmd_before" || kill "$e" 2>/dev/null || true
  done
  echo "rabbitmq stopped (beam ${beam:-?}, $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"
}
CLEANUP=stop_rabbit

for port in "$RABBITMQ_NODE_PORT" "$RABBITMQ_DIST_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "FAIL 127.0.0.1:$port is already in use (another RabbitMQ?); not starting a node" >&2; exit 1
  fi
done
t=$EPOCHREALTIME
rm -rf "$RMQ_BASE" && install -d -o rabbitmq -g rabbitmq "$RMQ_BASE" "$IO"
rabbitmq-server >"$RMQ_BASE/console.out" 2>&1 </dev/null &   # the Debian wrapper su's to rabbitmq
SERVER_PID=$!
if ! rabbitmqctl wait --timeout 120 "$RABBITMQ_PID_FILE" >"$WORK/wait.out" 2>&1; then
  echo "FAIL rabbitmq did not start:"; tail -20 "$WORK/wait.out" "$RMQ_BASE/console.out" | sed 's/^/    /'; exit 1
fi
echo "rabbitmq started (beam $(cat "$RABBITMQ_PID_FILE"), $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"

fresh() { rabbitmqctl stop_app -q && rabbitmqctl reset -q && rabbitmqctl start_app -q; }
first=1
for f in "$@"; do
  if [ "$first" -eq 0 ]; then
    try "reset node" fresh                # import is not atomic and skips existing objects
  fi
  first=0
  # the CLI runs as user rabbitmq from /var/lib/rabbitmq: give it an absolute, readable copy
  if ! install -m 644 "$f" "$IO/in.json" 2>"$WORK/cp.err"; then note "$(cat "$WORK/cp.err")"; fi
  [ -n "$ERRS" ] || try import rabbitmqctl import_definitions "$IO/in.json"
  rm -f "$IO/live.json"
  [ -n "$ERRS" ] || try export rabbitmqctl export_definitions "$IO/live.json"
  [ -n "$ERRS" ] || try roundtrip "$PY" "$BIN/rabbitmq-roundtrip-check.py" "$IO/in.json" "$IO/live.json"
  verdict "$f"
done
finish
