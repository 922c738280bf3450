#!/usr/bin/env bash
# package_test.sh BUILD_DIR: builds the Debian package from a build folder
# (cpack), installs its contents into a temporary root and checks them:
# the control fields and maintainer scripts, every file where it belongs,
# the binaries run from the root, the default config passes
# `payvoxd --check_config`, the systemd unit passes `systemd-analyze verify`
# and scores as hardened by `systemd-analyze security`, and every shared
# library payvoxd loads comes from a package in Depends.
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/payvox_*.deb)
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

# Control fields and maintainer scripts.
info=$(dpkg-deb --info "$deb")
for field in "Package: payvox" "Section: net" "Architecture: $(dpkg --print-architecture)"; do
  grep -q "^ $field" <<<"$info" || fail "control lacks '$field'"
done
depends=$(dpkg-deb --field "$deb" Depends)
[[ -n "$depends" ]] || fail "no Depends"
mkdir "$work/control"
dpkg-deb --control "$deb" "$work/control"
grep -qx /etc/payvox/payvoxd.json "$work/control/conffiles" || fail "the config is not a conffile"
for script in postinst prerm postrm; do
  [[ -x "$work/control/$script" ]] || fail "$script missing or not executable"
  sh -n "$work/control/$script" || fail "$script does not parse"
done

# The contents, installed into a temporary root.
root="$work/root"
dpkg-deb --extract "$deb" "$root"
for file in usr/bin/payvoxd usr/bin/payvoxctl etc/payvox/payvoxd.json \
  usr/lib/systemd/system/payvoxd.service usr/share/payvox/prometheus/payvox-alerts.yml \
  usr/share/payvox/proto/payvox/v1/actions.proto usr/share/doc/payvox/README.md \
  usr/share/doc/payvox/operations.md; do
  [[ -f "$root/$file" ]] || fail "$file is not in the package"
done
if dpkg-deb --contents "$deb" | awk '{print $6}' | grep -Ev '^\./(usr/(bin|lib/systemd|share/(payvox|doc/payvox))|etc/payvox)(/|$)|^\./(usr/|usr/lib/|usr/share/|usr/share/doc/|etc/)?$'; then
  fail "files outside payvox's folders (above)"
fi
kind=$(file "$root/usr/bin/payvoxd")
[[ "$kind" == *", stripped"* ]] || fail "payvoxd is not stripped: $kind"

[[ $("$root/usr/bin/payvoxd" --version) == payvoxd* ]] || fail "payvoxd --version"
[[ $("$root/usr/bin/payvoxctl" 2>&1 || true) == *"usage: payvoxctl"* ]] || fail "payvoxctl usage"
"$root/usr/bin/payvoxd" --config="$root/etc/payvox/payvoxd.json" --check_config ||
  fail "the packaged config does not pass --check_config"

# The unit: systemd's own checks, on a copy whose commands are the
# root's binaries (verify checks that they exist and are executable).
mkdir "$work/unit"
unit="$work/unit/payvoxd.service"
sed "s#/usr/bin/payvoxd#$root/usr/bin/payvoxd#g" "$root/usr/lib/systemd/system/payvoxd.service" >"$unit"
verify=$(systemd-analyze verify --man=no "$unit" 2>&1) || { echo "$verify" >&2; fail "systemd-analyze verify"; }
if grep "payvoxd.service" <<<"$verify" >&2; then
  fail "systemd-analyze verify complains about the unit (above)"
fi
# Exposure 0 (most locked down) to 10; the unit must stay under 2.0.
systemd-analyze security --offline=yes --threshold=20 "$unit" >"$work/security.txt" 2>&1 ||
  { cat "$work/security.txt" >&2; fail "exposure above 2.0"; }
tail -n 1 "$work/security.txt"

# Every library payvoxd links directly (NEEDED; the rest come with those)
# is in a package Depends names. dpkg knows a
# file by the path its package ships (/lib or /usr/lib, the link or its
# target).
owner() {
  local real
  real=$(readlink -f "$1")
  for path in "$1" "$real" "${1#/usr}" "/usr$1" "${real#/usr}" "/usr$real"; do
    if dpkg -S "$path" >/dev/null 2>&1; then
      dpkg -S "$path" | head -n 1 | cut -d: -f1
      return
    fi
  done
}
resolved=$(ldd "$root/usr/bin/payvoxd")
for soname in $(readelf -d "$root/usr/bin/payvoxd" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  lib=$(awk -v name="$soname" '$1 == name && $2 == "=>" {print $3}' <<<"$resolved")
  [[ -n "$lib" ]] || fail "$soname is not found"
  pkg=$(owner "$lib")
  [[ -n "$pkg" ]] || fail "no package holds $lib"
  case "$pkg" in libc6 | libgcc-s1 | libstdc++6) continue ;; esac
  grep -q "\b$pkg\b" <<<"$depends" || fail "$lib comes from $pkg, which Depends does not name: $depends"
done
echo "package_test: ok"
