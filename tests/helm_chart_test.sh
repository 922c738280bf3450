#!/usr/bin/env bash
# helm_chart_test.sh PAYVOXD: the chart in deploy/helm/payvox, checked with
# the real helm (scripts/install-helm.sh): `helm lint --strict` with each
# values file; `helm template` of the defaults and of each
# ci/*-values.yaml that is not bad-; every rendered object validated
# against the Kubernetes API schemas (tests/node/validate-manifests.mjs);
# the rendered payvoxd.json passed to `payvoxd --check_config`. Each
# ci/bad-*-values.yaml must be refused by values.schema.json with an error
# naming its `# expect:` field, and ci/refused-config-values.yaml by
# payvoxd naming its `# expect-payvoxd:` field.
set -euo pipefail
payvoxd=$(readlink -f "$1")
cd "$(dirname "$0")/.."
chart=deploy/helm/payvox
started=$(date +%s.%N)
scripts/install-helm.sh build/tools >/dev/null
helm=$PWD/build/tools/helm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config \
  HELM_DATA_HOME=$work/helm/data
fail() { echo "helm_chart_test: $*" >&2; exit 1; }
# helm notes the chart's one symbolic link (files/payvox-alerts.yml) at INFO.
quiet() { grep -v 'found symbolic link' || true; }

# The TLS files the TLS config names, as stand-ins (--check_config reads them).
mkdir -p "$work/tls"
touch "$work/tls/tls.crt" "$work/tls/tls.key" "$work/tls/ca.crt"

render() {  # render NAME [helm flags...]: template, validate, check the config
  local name=$1
  shift
  "$helm" lint --strict "$chart" "$@" 2>&1 | quiet >"$work/$name.lint" ||
    { cat "$work/$name.lint" >&2; fail "$name: helm lint --strict"; }
  "$helm" template payvox "$chart" --namespace payments "$@" >"$work/$name.yaml" 2>"$work/$name.err" ||
    { quiet <"$work/$name.err" >&2; fail "$name: helm template"; }
  (cd tests/node && node validate-manifests.mjs "$work/$name.yaml" "$work/$name.json") \
    >"$work/$name.valid" || { cat "$work/$name.valid" >&2; fail "$name: invalid objects"; }
  sed -i "s#/etc/payvox/tls#$work/tls#g" "$work/$name.json"
  "$payvoxd" --config="$work/$name.json" --check_config >"$work/$name.check" 2>&1 ||
    { cat "$work/$name.check" "$work/$name.json" >&2; fail "$name: payvoxd --check_config"; }
  echo "$name: $(grep -c '^valid' "$work/$name.valid") objects valid, config valid"
}

render defaults
for values in "$chart"/ci/*-values.yaml; do
  name=$(basename "$values" -values.yaml)
  case "$name" in bad-* | refused-*) continue ;; esac
  render "$name" -f "$values"
done

# What each rendering must hold.
grep -q 'replicas: 1' "$work/defaults.yaml" || fail "defaults: not one replica"
grep -q 'type: Recreate' "$work/defaults.yaml" || fail "defaults: SQLite needs Recreate"
grep -q 'readOnlyRootFilesystem: true' "$work/defaults.yaml" || fail "defaults: root filesystem writable"
grep -q 'kind: PersistentVolumeClaim' "$work/defaults.yaml" || fail "defaults: no volume claim"
grep -q '"store_path": "/var/lib/payvox/payvox.db"' "$work/defaults.json" || fail "defaults: store path"
grep -q 'grpc_health_listen_address' "$work/defaults.json" && fail "defaults: health port without TLS"
grep -q '"grpc_health_listen_address": "0.0.0.0:50052"' "$work/tls.json" || fail "tls: no health port"
grep -A1 'startupProbe:' "$work/tls.yaml" | grep -q 'grpc:' || fail "tls: startup probe not grpc"
grep -A2 'startupProbe:' "$work/tls.yaml" | grep -q 'port: 50052' || fail "tls: probe not on the health port"
grep -q '"client_ca_file"' "$work/tls.json" || fail "tls: client certificates not required"
grep -q 'kind: PersistentVolumeClaim' "$work/operations.yaml" && fail "operations: made a claim beside existingClaim"
grep -q 'alert: PayvoxAuditChainBroken' "$work/operations.yaml" || fail "operations: no alerting rules"
grep -q '"amount_minor": 5000' "$work/operations.json" || fail "operations: policy not merged"
grep -q '"gateway"' "$work/operations.json" && fail "operations: gateway rendered while disabled"
# The secrets are references: no value of one is in any rendering.
grep -q 'replicas: 3' "$work/replicas.yaml" && fail "replicas: replica count beside the autoscaler"
grep -q 'kind: HorizontalPodAutoscaler' "$work/replicas.yaml" || fail "replicas: no autoscaler"
grep -q 'minReplicas: 3' "$work/replicas.yaml" || fail "replicas: autoscaler below three"
grep -q 'type: Recreate' "$work/replicas.yaml" && fail "replicas: Recreate on PostgreSQL"
grep -q 'kind: PersistentVolumeClaim' "$work/replicas.yaml" && fail "replicas: a volume claim on PostgreSQL"
grep -q 'args: \["--migrate", "--config=/etc/payvox/payvoxd.json"\]' "$work/replicas.yaml" ||
  fail "replicas: no migration Job"
awk '/^kind: Job/,/^spec:/' "$work/replicas.yaml" | grep -q 'helm.sh/hook: pre-install,pre-upgrade' ||
  fail "replicas: the Job is not a pre-install/upgrade hook"
grep -q '"password_file": "/etc/payvox/secrets/postgres_password"' "$work/replicas.json" ||
  fail "replicas: the PostgreSQL password is not the Secret's file"
grep -q 'store_path' "$work/replicas.json" && fail "replicas: store_path beside store.postgres"
grep -q 'kind: Job' "$work/defaults.yaml" && fail "defaults: a migration Job on SQLite"
grep -l 'sk_\|rk_live\|whsec_\|pvxt_\|pvxo_' "$work"/*.yaml && fail "a secret value is rendered"

for values in "$chart"/ci/bad-*-values.yaml; do
  expect=$(sed -n 's/^# expect: //p' "$values")
  [[ -n "$expect" ]] || fail "$values: no '# expect:' line"
  if "$helm" template payvox "$chart" -f "$values" >/dev/null 2>"$work/bad.err"; then
    fail "$(basename "$values"): rendered, but the schema must refuse it"
  fi
  grep -q "$expect" "$work/bad.err" ||
    { quiet <"$work/bad.err" >&2; fail "$(basename "$values"): the error does not name $expect"; }
  echo "$(basename "$values"): refused, naming $expect"
done
refused=$chart/ci/refused-config-values.yaml
expect=$(sed -n 's/^# expect-payvoxd: //p' "$refused")
"$helm" template payvox "$chart" -f "$refused" >"$work/refused.yaml" 2>/dev/null
(cd tests/node && node validate-manifests.mjs "$work/refused.yaml" "$work/refused.json") >/dev/null
if "$payvoxd" --config="$work/refused.json" --check_config >"$work/refused.check" 2>&1; then
  fail "refused-config: payvoxd accepted io_threads 100"
fi
grep -q "$expect" "$work/refused.check" || { cat "$work/refused.check" >&2; fail "refused-config: not named"; }
echo "refused-config-values.yaml: payvoxd --check_config refused it, naming $expect"
echo "helm_chart_test: ok in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $started }") s"
