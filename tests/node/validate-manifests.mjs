// validate-manifests.mjs FILE [CONFIG_OUT]: every object in FILE (helm
// template's YAML stream) is validated against the Kubernetes API's OpenAPI
// schemas by the npm kubernetes-models packages (and the Prometheus
// Operator's, for ServiceMonitor and PrometheusRule). Prints one line per
// object; exits 1 naming each invalid or unknown object. With CONFIG_OUT,
// writes the payvoxd.json of the chart's ConfigMap there (exit 1 if none).
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion -> the package path holding its kinds.
function modulePath(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const file = process.argv[2];
const configOut = process.argv[3];
let config;
let failed = 0;
let count = 0;
for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
  if (document.errors.length > 0) {
    console.error(`${file}: not YAML: ${document.errors[0].message}`);
    failed++;
    continue;
  }
  const object = document.toJS();
  if (object == null) continue;
  count++;
  if (object.kind === "ConfigMap" && object.data?.["payvoxd.json"] !== undefined) {
    config = object.data["payvoxd.json"];
  }
  const name = `${object.kind} ${object.metadata?.name}`;
  let Model;
  try {
    const module = await import(modulePath(object.apiVersion, object.kind));
    Model = module[object.kind];
  } catch {
    console.error(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`valid: ${object.apiVersion} ${name}`);
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    failed++;
  }
}
if (configOut !== undefined) {
  if (config === undefined) {
    console.error(`${file}: no ConfigMap with payvoxd.json`);
    process.exit(1);
  }
  writeFileSync(configOut, config);
}
if (count === 0) {
  console.error(`${file}: no objects`);
  process.exit(1);
}
process.exit(failed === 0 ? 0 : 1);
