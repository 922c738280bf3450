#!/usr/bin/env bash
# run_tests.sh PAYVOXD: generates the stubs, starts PAYVOXD --sandbox on a
# free loopback port, runs the Python client's tests with Debian's
# /usr/bin/python3 and python3-grpcio, and stops payvoxd.
set -euo pipefail
payvoxd=${1:?usage: run_tests.sh path/to/payvoxd}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
"$here/generate_stubs.sh" "$dir/stubs"
"$payvoxd" --sandbox --grpc_port=0 --port_file="$dir/port" >"$dir/payvoxd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -s "$dir/port" ]] && break; sleep 0.1; done
if [[ ! -s "$dir/port" ]]; then
  echo "payvoxd did not start:" >&2
  cat "$dir/payvoxd.log" >&2
  exit 1
fi
cd "$here"
PAYVOX_TARGET="127.0.0.1:$(cat "$dir/port")" PYTHONPATH="$dir/stubs:$here" \
  /usr/bin/python3 -m unittest -v test_client
