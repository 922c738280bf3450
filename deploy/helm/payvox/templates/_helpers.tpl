{{/* The release's name for every object, at most 63 characters. */}}
{{- define "payvox.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "payvox.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "payvox.labels" -}}
{{ include "payvox.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Where the Secret's keys are mounted, one file each. */}}
{{- define "payvox.secretsDir" -}}/etc/payvox/secrets{{- end -}}
{{- define "payvox.tlsDir" -}}/etc/payvox/tls{{- end -}}

{{/*
payvoxd's config (ServerConfig as JSON): what the chart knows (ports,
store, secret files), with .Values.config merged over it.
*/}}
{{- define "payvox.config" -}}
{{- $secrets := include "payvox.secretsDir" . -}}
{{- $config := dict
  "grpc_listen_address" (printf "0.0.0.0:%d" (int .Values.grpc.port))
  "tenant_id" .Values.tenantId
  "log_level" .Values.logLevel
  "metrics_listen_address" (printf "0.0.0.0:%d" (int .Values.metrics.port))
  "stripe" (dict "api_key_file" (printf "%s/%s" $secrets .Values.secrets.stripeApiKey))
  "secrets" (dict "master_key_file" (printf "%s/%s" $secrets .Values.secrets.masterKey))
  "auth" (dict
    "tenant_token_file" (printf "%s/%s" $secrets .Values.secrets.tenantToken)
    "operator_token_file" (printf "%s/%s" $secrets .Values.secrets.operatorToken))
-}}
{{- if eq .Values.store.mode "postgres" -}}
{{- $postgres := dict "conninfo" .Values.store.postgres.conninfo "pool_size" (int .Values.store.postgres.poolSize) -}}
{{- if .Values.store.postgres.passwordKey -}}
{{- $_ := set $postgres "password_file" (printf "%s/%s" $secrets .Values.store.postgres.passwordKey) -}}
{{- end -}}
{{- $_ := set $config "store" (dict "postgres" $postgres) -}}
{{- else -}}
{{- $_ := set $config "store_path" "/var/lib/payvox/payvox.db" -}}
{{- end -}}
{{- if .Values.webhooks.enabled -}}
{{- $webhooks := dict "listen_address" (printf "0.0.0.0:%d" (int .Values.webhooks.port)) -}}
{{- if .Values.secrets.webhookSigningSecrets -}}
{{- $_ := set $webhooks "signing_secrets_file" (printf "%s/%s" $secrets .Values.secrets.webhookSigningSecrets) -}}
{{- end -}}
{{- $_ := set $config "webhooks" $webhooks -}}
{{- end -}}
{{- if .Values.gateway.enabled -}}
{{- $_ := set $config "gateway" (dict "listen_address" (printf "0.0.0.0:%d" (int .Values.gateway.port))) -}}
{{- end -}}
{{- if .Values.secrets.confirmationKey -}}
{{- $_ := set $config "confirmations" (dict "key_file" (printf "%s/%s" $secrets .Values.secrets.confirmationKey)) -}}
{{- end -}}
{{- if .Values.grpc.tls.enabled -}}
{{- $tls := include "payvox.tlsDir" . -}}
{{- $grpcTls := dict "cert_file" (printf "%s/tls.crt" $tls) "key_file" (printf "%s/tls.key" $tls) -}}
{{- if .Values.grpc.tls.clientAuth -}}
{{- $_ := set $grpcTls "client_ca_file" (printf "%s/ca.crt" $tls) -}}
{{- end -}}
{{- $_ := set $config "grpc_tls" $grpcTls -}}
{{- $_ := set $config "grpc_health_listen_address" (printf "0.0.0.0:%d" (int .Values.grpc.healthPort)) -}}
{{- end -}}
{{- mergeOverwrite $config (deepCopy .Values.config) | toPrettyJson -}}
{{- end -}}

{{/*
The port of the probes' grpc check (a number: the grpc probe takes no
port name): the plaintext health port when TLS is on.
*/}}
{{- define "payvox.probePort" -}}
{{- if .Values.grpc.tls.enabled -}}{{ .Values.grpc.healthPort }}{{- else -}}{{ .Values.grpc.port }}{{- end -}}
{{- end -}}
