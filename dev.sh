#!/usr/bin/env bash
# dev.sh: the commands a payvox developer needs, each complete on a fresh
# Debian 12 machine (run as root, or with sudo available):
#
#   ./dev.sh demo       install what is missing, build, run payvoxd --sandbox
#                       and the scripted refund call, then stop
#   ./dev.sh test       install what is missing, check the format, build, run
#                       every test: all of them under ASan+UBSan, then what
#                       ships (package, chart, Bazel, alerts) on a debug build
#                       of payvoxd and payvoxctl, each fuzz target for 10 s
#                       over its corpus, the concurrency tests under
#                       ThreadSanitizer (what CI runs)
#   ./dev.sh check      only the debug build's tests (the quick loop)
#   ./dev.sh sanitize   only the tests under ASan+UBSan (preset asan)
#   ./dev.sh fuzz       only the libFuzzer targets (preset fuzz, clang)
#   ./dev.sh bench      Release build, then the benchmarks in docs/benchmarks.md
#   ./dev.sh replicas   Release build, then PostgreSQL, one sandbox and three
#                       payvoxd replicas on loopback until Enter
#                       (docs/replicas.md)
set -euo pipefail
cd "$(dirname "$0")"

# The tests the test command runs under ThreadSanitizer.
tsan_tests=(async_test store_executor_test webhooks_test actions_test store_test)

configure_and_build() {
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" "$@"
}

case "${1:-}" in
  demo)
    scripts/install-deps.sh
    configure_and_build release --target payvoxd payvoxctl
    scripts/run-demo-call.sh build/release/app/payvoxd build/release/tools/payvoxctl
    ;;
  test)
    PAYVOX_WITH_FUZZ=1 PAYVOX_WITH_TEST_TOOLS=1 scripts/install-deps.sh
    scripts/install-node-deps.sh
    scripts/check-format.sh
    configure_and_build asan
    ctest --preset asan
    scripts/check-no-secrets.sh build/asan/Testing/Temporary/LastTest.log
    # The unit and integration tests ran above; without sanitizers only the
    # deployment checks, which need just the shipped binaries.
    configure_and_build debug --target payvoxd payvoxctl
    ctest --preset debug -L deploy
    scripts/check-no-secrets.sh build/debug/Testing/Temporary/LastTest.log
    configure_and_build fuzz
    ctest --preset fuzz
    # ThreadSanitizer on the concurrency tests (store executor, async waits,
    # ingestion, single flight, call sessions, the PostgreSQL pool and
    # replicas' stores): their targets only.
    configure_and_build tsan --target "${tsan_tests[@]}"
    ctest --preset tsan -R "^($(IFS='|'; echo "${tsan_tests[*]}"))\$"
    ;;
  check)
    PAYVOX_WITH_TEST_TOOLS=1 scripts/install-deps.sh
    scripts/install-node-deps.sh
    scripts/check-format.sh
    configure_and_build debug
    ctest --preset debug
    ;;
  sanitize)
    scripts/install-deps.sh
    scripts/install-node-deps.sh
    configure_and_build asan
    ctest --preset asan
    ;;
  fuzz)
    PAYVOX_WITH_FUZZ=1 scripts/install-deps.sh
    configure_and_build fuzz
    ctest --preset fuzz
    ;;
  bench)
    PAYVOX_WITH_TEST_TOOLS=1 scripts/install-deps.sh
    configure_and_build release
    build/release/client/client_benchmark
    build/release/common/common_benchmark
    build/release/tools/payvox-bench --requests=5000 --concurrency=1
    build/release/tools/payvox-bench --requests=20000 --concurrency=8
    build/release/tools/payvox-bench --mode=pool --requests=5000 --concurrency=8
    build/release/tools/payvox-bench --mode=actions --requests=2000 --concurrency=1
    build/release/tools/payvox-bench --mode=webhooks --requests=5000
    build/release/tools/payvox-bench --mode=refund --requests=2000 --concurrency=1
    build/release/tools/payvox-bench --mode=refund --requests=2000 --concurrency=16
    build/release/tools/payvox-bench --mode=conversation --requests=20 --stripe_latency_ms=150 --idle_seconds=60
    build/release/tools/payvox-bench --mode=faces --requests=2000
    build/release/policy/policy_benchmark
    build/release/store/store_benchmark
    # Replicas on a throwaway PostgreSQL, stopped and removed after.
    pg_dir=$(mktemp -d /tmp/payvox-bench-pg-XXXXXX)
    chmod 711 "$pg_dir"
    trap 'scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
    build/release/tools/payvox-bench --mode=replicas --requests=3000 --concurrency=16 \
      --postgres="$(scripts/postgres.sh start "$pg_dir")" --postgres_password_file="$pg_dir/password"
    ;;
  replicas)
    PAYVOX_WITH_TEST_TOOLS=1 scripts/install-deps.sh
    configure_and_build release --target payvoxd payvox-sandbox payvoxctl
    scripts/run-replicas.sh build/release/app/payvoxd build/release/sandbox/payvox-sandbox
    ;;
  *)
    sed -n '2,/^set -euo/{/^set -euo/!p}' "$0" >&2
    exit 2
    ;;
esac
