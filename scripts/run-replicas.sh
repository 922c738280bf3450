#!/usr/bin/env bash
# run-replicas.sh: a throwaway PostgreSQL 15, one payvox-sandbox and three
# payvoxd replicas sharing both, on loopback, for a person to try
# (docs/replicas.md). Ctrl-C (or Enter) stops everything and removes the
# temporary directory.
#
#   scripts/run-replicas.sh build/release/app/payvoxd build/release/sandbox/payvox-sandbox
set -euo pipefail
payvoxd=${1:?usage: $0 PAYVOXD PAYVOX_SANDBOX}
sandbox=${2:?usage: $0 PAYVOXD PAYVOX_SANDBOX}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/payvox-replicas-XXXXXX)
chmod 711 "$dir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$here/postgres.sh" stop "$dir/pg" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

conninfo=$("$here/postgres.sh" start "$dir/pg")
port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sandbox_port=$(port)
"$sandbox" --port="$sandbox_port" --seed=1 >"$dir/sandbox.log" 2>&1 &
pids+=($!)

export PAYVOX_STRIPE_API_KEY=sk_test_replicas
export PAYVOX_TENANT_TOKEN=pvxt_default.replicas-demo-token-0123456789abcdef
export PAYVOX_OPERATOR_TOKEN=pvxo_replicas-demo-operator-0123456789abcdef
PAYVOX_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export PAYVOX_MASTER_KEY
cat >"$dir/payvoxd.json" <<JSON
{
  "grpc_listen_address": "127.0.0.1:0",
  "store": {"postgres": {"conninfo": "$conninfo", "password_file": "$dir/pg/password"}},
  "stripe": {"api_base_url": "http://127.0.0.1:$sandbox_port", "warm_connections": 0}
}
JSON
for i in 1 2 3; do
  "$payvoxd" --config="$dir/payvoxd.json" --port_file="$dir/port-$i" >"$dir/payvoxd-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  for _ in $(seq 100); do [[ -s "$dir/port-$i" ]] && break; sleep 0.1; done
  [[ -s "$dir/port-$i" ]] || { echo "replica $i did not start:"; tail -n 5 "$dir/payvoxd-$i.log"; exit 1; }
done
echo "PostgreSQL: $conninfo (password in $dir/pg/password)"
echo "Stripe sandbox: http://127.0.0.1:$sandbox_port"
for i in 1 2 3; do echo "replica $i: gRPC 127.0.0.1:$(cat "$dir/port-$i") (log $dir/payvoxd-$i.log)"; done
echo "tokens: tenant $PAYVOX_TENANT_TOKEN, operator $PAYVOX_OPERATOR_TOKEN"
echo "e.g.: PAYVOX_TENANT_TOKEN=$PAYVOX_TENANT_TOKEN build/release/tools/payvoxctl demo-call --target=127.0.0.1:$(cat "$dir/port-2")"
echo "      PAYVOX_OPERATOR_TOKEN=$PAYVOX_OPERATOR_TOKEN build/release/tools/payvoxctl audit verify --target=127.0.0.1:$(cat "$dir/port-3") --tenant=default"
if [[ -t 0 ]]; then
  read -r -p "Enter stops them all. " _
else
  # Not a terminal (a script or CI smoke run): stop after a short look.
  sleep "${PAYVOX_REPLICAS_SECONDS:-5}"
fi
