#!/usr/bin/env bash
# generate_stubs.sh OUT: the Python messages and gRPC stubs of proto/ into
# OUT (payvox/v1/*_pb2.py, *_pb2_grpc.py and google/rpc/status_pb2.py), with
# Debian's protoc and grpc_python_plugin, matching Debian's python3-grpcio
# and python3-protobuf. Nothing generated is kept in the repository.
set -euo pipefail
out=${1:?usage: generate_stubs.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
protoc -I"$root/proto" --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  "$root"/proto/payvox/v1/*.proto "$root/proto/google/rpc/status.proto"
