#!/usr/bin/env bash
# payvoxd's command line as a new user meets it: --help lists its flags,
# --version prints the version, and a second payvoxd on a gRPC port that is
# already in use refuses to start (instead of sharing the port with the
# first through SO_REUSEPORT) while the first keeps serving.
# Usage: tests/payvoxd_cli_test.sh path/to/payvoxd
set -uo pipefail
payvoxd=$1
dir=$(mktemp -d)
first=""
cleanup() {
  [[ -n "$first" ]] && kill "$first" 2>/dev/null && wait "$first" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
passes=0
failures=0
check() {  # check NAME COMMAND...: runs the command, counts a failure
  local name=$1
  shift
  if "$@"; then echo "ok: $name"; passes=$((passes + 1)); else echo "FAILED: $name"; failures=$((failures + 1)); fi
}

help=$("$payvoxd" --help 2>&1)
check "--help lists payvoxd's flags" grep -q -- "--sandbox" <<<"$help"
check "--help lists --config" grep -q -- "--config" <<<"$help"
check "--help does not say 'No flags matched'" test "$(grep -c 'No flags matched' <<<"$help")" = 0
version=$("$payvoxd" --version 2>&1)
version_rc=$?
check "--version exits 0" test "$version_rc" = 0
check "--version prints 'payvoxd X.Y.Z'" grep -Eq '^payvoxd [0-9]+\.[0-9]+\.[0-9]+$' <<<"$version"

"$payvoxd" --sandbox --grpc_port=0 --port_file="$dir/port" >"$dir/first.log" 2>&1 &
first=$!
for _ in $(seq 100); do [[ -s "$dir/port" ]] && break; sleep 0.1; done
port=$(cat "$dir/port" 2>/dev/null)
check "the first payvoxd serves" test -n "$port"
second_out=$(timeout 30 "$payvoxd" --sandbox --grpc_port="$port" 2>&1)
second_rc=$?
check "a second payvoxd on port $port exits non-zero" test "$second_rc" -ne 0 -a "$second_rc" -ne 124
check "it says the port is in use" grep -q "in use" <<<"$second_out"
check "it never says it is serving" test "$(grep -c 'serving gRPC' <<<"$second_out")" = 0
check "the first payvoxd still runs" kill -0 "$first"

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
