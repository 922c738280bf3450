#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages payvox needs to build and test.
# Idempotent: packages already present are not touched, and apt is not consulted
# at all when nothing is missing. Must run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  # lld: the linker the build uses when present (CMakeLists.txt).
  lld
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libboost1.74-dev libboost-system1.74-dev
  libsimdjson-dev libssl-dev libsqlite3-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  ca-certificates openssl clang-format
  prometheus
  # PostgreSQL 15's server: the tests start throwaway ones on loopback
  # (scripts/postgres.sh), as does ./dev.sh replicas.
  postgresql-15
  # tests/package_test.sh: the Debian package's binaries and its systemd
  # unit (systemd-analyze); dpkg-shlibdeps comes with build-essential.
  file systemd
  # clients/python: Debian's gRPC for /usr/bin/python3; its test runs
  # against payvoxd --sandbox.
  python3-grpcio python3-protobuf
)
# Node.js runs the test-only npm peers (tests/node: the official Stripe SDK).
# A machine with its own Node.js (and npm) keeps it.
if ! command -v node >/dev/null; then packages+=(nodejs); fi
if ! command -v npm >/dev/null; then packages+=(npm); fi
if [[ "${PAYVOX_WITH_FUZZ:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
# The tests' own tools: Bazel 4 (with its JDK) builds bazel-compat/.
if [[ "${PAYVOX_WITH_TEST_TOOLS:-0}" == 1 ]]; then
  packages+=(bazel-bootstrap)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql-common would create (and start) a cluster on port
# 5432 on install; payvox starts its own where it needs one.
if [[ " ${missing[*]} " == *" postgresql-15 "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
  $sudo mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the prometheus service on install, listening on every
# interface; the tests start their own on loopback and stop it afterwards.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null &&
   [[ -d /run/systemd/system ]]; then
  $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
echo "install-deps: done"
