#!/usr/bin/env bash
# bazel_compat_test.sh PAYVOXD BUILD_DIR: bazel-compat/ builds with Debian's
# bazel-bootstrap, offline: payvox's protos as C++ messages and gRPC stubs
# (@payvox//:payvox_cc_proto), the client library (@payvox//:auth_channel)
# and the tiny client on both (//example:find_customer), which then finds
# a customer through payvoxd --sandbox. Bazel's output and server live in
# the build folder, and the server is shut down at the end.
set -euo pipefail
payvoxd=$(readlink -f "$1")
build_dir=$(readlink -f "$2")
cd "$(dirname "$0")/../bazel-compat"
started=$(date +%s)
work=$(mktemp -d)
bazel_root="$build_dir/bazel"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  bazel --output_user_root="$bazel_root" shutdown 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "bazel_compat_test: $*" >&2; exit 1; }

command -v bazel >/dev/null || fail "bazel is missing (scripts/install-deps.sh installs bazel-bootstrap)"
bazel --output_user_root="$bazel_root" --max_idle_secs=60 build --symlink_prefix="$work/bazel-" \
  @payvox//:payvox_cc_proto @payvox//:auth_channel //example:find_customer >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log" >&2; fail "bazel build"; }
grep -q "Build completed successfully" "$work/build.log" || fail "no successful build in the log"
for header in actions.pb.h actions.grpc.pb.h admin.grpc.pb.h events.grpc.pb.h types.pb.h; do
  [[ -f "$work/bazel-bin/external/payvox/payvox/v1/$header" ]] || fail "$header was not generated"
done
client="$work/bazel-bin/example/find_customer"

"$payvoxd" --sandbox --grpc_port=0 --port_file="$work/port" 2>"$work/payvoxd.log" &
pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
[[ -s "$work/port" ]] || { cat "$work/payvoxd.log" >&2; fail "payvoxd --sandbox did not start"; }
target="127.0.0.1:$(cat "$work/port")"
found=$("$client" "$target" jenny.rosen@example.com) || fail "find_customer failed"
grep -qx "cus_DemoJennyRosen" <<<"$found" || fail "find_customer found no Jenny: $found"
if "$client" "$target" nobody@example.com >/dev/null 2>"$work/missing.err"; then
  fail "find_customer succeeded for an email with no customer"
fi
grep -q "No Stripe customer" "$work/missing.err" || fail "find_customer's error: $(cat "$work/missing.err")"
echo "bazel_compat_test: ok in $(($(date +%s) - started)) s"
