#!/usr/bin/env bash
# payvoxd's command line as a new user meets it: --help lists its flags,
# --version prints the version, and a second payvoxd on a gRPC port that is
# already in use refuses to start (instead of sharing the port with the
# first through SO_REUSEPORT) while the first keeps serving; --check_config
# tells a valid config from a wrong one and names the field; --migrate
# migrates and exits; --sandbox
# refuses a non-loopback address without tokens of its own.
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
# A start that fails leaves no empty database behind.
printf '{"store_path": "%s"}' "$dir/left.db" >"$dir/store.json"
timeout 30 "$payvoxd" --sandbox --config="$dir/store.json" --grpc_port="$port" >/dev/null 2>&1
check "a failed start leaves no new store file" test ! -e "$dir/left.db"

# --check_config: valid, then wrong in two ways, each named.
echo '{"grpc_listen_address": "127.0.0.1:0", "policy": {"confirmed_actions": ["create_refund"]}}' >"$dir/good.json"
good_out=$("$payvoxd" --check_config --config="$dir/good.json" 2>&1)
check "--check_config accepts a valid config" test $? = 0
check "and says so" grep -q "the config is valid" <<<"$good_out"
echo '{"gateway": {"max_connections": 0, "tool_timeout_ms": 5}}' >"$dir/range.json"
range_out=$("$payvoxd" --check_config --config="$dir/range.json" 2>&1)
check "--check_config refuses a value out of range" test $? = 1
check "naming the field" grep -q "gateway.tool_timeout_ms" <<<"$range_out"
echo '{"grpc_listen_adress": "127.0.0.1:0"}' >"$dir/typo.json"
typo_out=$("$payvoxd" --check_config --config="$dir/typo.json" 2>&1)
check "--check_config refuses an unknown field" test $? = 1
check "naming it" grep -q "grpc_listen_adress" <<<"$typo_out"

# --migrate: brings a new SQLite file to this payvoxd's schema and exits
# without serving; a PostgreSQL that cannot be reached fails, named.
echo "{\"store_path\": \"$dir/migrated.db\"}" >"$dir/migrate.json"
migrate_out=$(timeout 30 "$payvoxd" --migrate --config="$dir/migrate.json" 2>&1)
check "--migrate migrates a new store and exits 0" test $? = 0
check "naming the schema version" grep -q "schema version [0-9]" <<<"$migrate_out"
check "and the store is on disk" test -s "$dir/migrated.db"
echo '{"store": {"postgres": {"conninfo": "host=127.0.0.1 port=1 dbname=payvox user=payvox"}}}' >"$dir/nopg.json"
nopg_out=$(timeout 30 "$payvoxd" --migrate --config="$dir/nopg.json" 2>&1)
check "--migrate without a reachable PostgreSQL exits 1" test $? = 1
check "saying it cannot connect" grep -q "cannot connect" <<<"$nopg_out"

# The sandbox's well-known tokens open loopback ports only.
echo '{"grpc_listen_address": "0.0.0.0:0"}' >"$dir/open.json"
open_out=$(env -u PAYVOX_TENANT_TOKEN -u PAYVOX_OPERATOR_TOKEN \
  timeout 30 "$payvoxd" --sandbox --config="$dir/open.json" 2>&1)
check "--sandbox on 0.0.0.0 without tokens refuses to start" test $? = 1
check "saying the tokens are loopback-only" grep -q "loopback only" <<<"$open_out"
check "and never that it started" test "$(grep -c 'payvoxd started' <<<"$open_out")" = 0

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
