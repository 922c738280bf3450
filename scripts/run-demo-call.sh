#!/usr/bin/env bash
# run-demo-call.sh PAYVOXD PAYVOXCTL: starts `payvoxd --sandbox` on a free
# loopback port, plays the scripted call with `payvoxctl demo-call`, stops
# payvoxd with SIGTERM and exits with the call's status. Bounded: gives up if
# payvoxd is not serving within 20 s or does not stop within 20 s.
set -uo pipefail
payvoxd=${1:?usage: run-demo-call.sh PAYVOXD PAYVOXCTL}
payvoxctl=${2:?usage: run-demo-call.sh PAYVOXD PAYVOXCTL}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$payvoxd" --sandbox --grpc_port=0 --port_file="$work/port" >"$work/payvoxd.log" 2>&1 &
server=$!

for _ in $(seq 200); do
  [[ -s "$work/port" ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "payvoxd exited before serving:" >&2
    cat "$work/payvoxd.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ ! -s "$work/port" ]]; then
  echo "payvoxd did not start serving within 20 s" >&2
  kill -KILL "$server" 2>/dev/null
  exit 1
fi
grep -m 1 '"payvoxd started"' "$work/payvoxd.log"
echo

"$payvoxctl" demo-call --target="127.0.0.1:$(cat "$work/port")"
status=$?

kill -TERM "$server"
for _ in $(seq 200); do
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server" 2>/dev/null; then
  echo "payvoxd did not stop within 20 s of SIGTERM" >&2
  kill -KILL "$server"
  status=1
fi
wait "$server" || status=1
echo
echo "payvoxd logged $(grep -c '"msg":"rpc"' "$work/payvoxd.log") calls:"
grep '"msg":"rpc"' "$work/payvoxd.log" | tail -n 3
tail -n 1 "$work/payvoxd.log"
exit "$status"
