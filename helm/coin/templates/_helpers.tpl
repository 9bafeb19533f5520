{{/* Names, labels and the pieces every pod shares. */}}

{{- define "coin.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "coin.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "coin.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The services: values key → app name (apps/<app>). */}}
{{- define "coin.services" -}}
orchestrator: orchestrator
dataPrep: data-prep
trainer: trainer
evaluator: evaluator
judge: judge
{{- end -}}

{{/* Selector labels. Call with (dict "root" $ "component" "orchestrator"). */}}
{{- define "coin.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coin.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every object's labels. Call with (dict "root" $ "component" "orchestrator"). */}}
{{- define "coin.labels" -}}
{{ include "coin.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: coin
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "coin.chart" .root }}
{{- end -}}

{{- define "coin.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "coin.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "coin.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "coin.trainerImage" -}}
{{- printf "%s:%s" .Values.trainerJob.image.repository (default .Chart.AppVersion .Values.trainerJob.image.tag) -}}
{{- end -}}

{{/*
host:port of a service: its short name, which resolves in the release namespace (where every pod of
the release and every trainer Job runs), or with `full` its name.namespace.svc.
Call with (dict "root" $ "app" "orchestrator" "port" 50051 "full" false).
*/}}
{{- define "coin.serviceAddress" -}}
{{- if .full -}}
{{- printf "%s-%s.%s.svc:%v" (include "coin.fullname" .root) .app .root.Release.Namespace .port -}}
{{- else -}}
{{- printf "%s-%s:%v" (include "coin.fullname" .root) .app .port -}}
{{- end -}}
{{- end -}}

{{/* The Kafka bootstrap brokers, comma-separated: Strimzi's bootstrap Service (short name) or kafka.brokers. */}}
{{- define "coin.kafkaBrokers" -}}
{{- if .Values.kafka.inCluster.enabled -}}
{{- printf "%s-kafka-kafka-bootstrap:9092" (include "coin.fullname" .) -}}
{{- else -}}
{{- if not .Values.kafka.brokers -}}
{{- fail "kafka.brokers is required (host:port of your Kafka brokers), or set kafka.inCluster.enabled=true for a development Kafka" -}}
{{- end -}}
{{- join "," .Values.kafka.brokers -}}
{{- end -}}
{{- end -}}

{{- define "coin.s3Endpoint" -}}
{{- if .Values.minio.enabled -}}
{{- printf "http://%s-minio:9000" (include "coin.fullname" .) -}}
{{- else -}}
{{- required "s3.endpoint is required (the URL of your S3 service), or set minio.enabled=true for a development MinIO" .Values.s3.endpoint -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding COIN_S3_ACCESS_KEY / COIN_S3_SECRET_KEY (or the keys s3.*KeyKey name). */}}
{{- define "coin.s3Secret" -}}
{{- if .Values.minio.enabled -}}
{{- required "minio.existingSecret is required with minio.enabled: a Secret with keys COIN_S3_ACCESS_KEY and COIN_S3_SECRET_KEY (MinIO's root user and password)" .Values.minio.existingSecret -}}
{{- else -}}
{{- required "s3.existingSecret is required: a Secret holding the S3 access key and secret key (keys s3.accessKeyKey, s3.secretKeyKey)" .Values.s3.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "coin.s3AccessKeyKey" -}}
{{- if .Values.minio.enabled -}}COIN_S3_ACCESS_KEY{{- else -}}{{ .Values.s3.accessKeyKey }}{{- end -}}
{{- end -}}

{{- define "coin.s3SecretKeyKey" -}}
{{- if .Values.minio.enabled -}}COIN_S3_SECRET_KEY{{- else -}}{{ .Values.s3.secretKeyKey }}{{- end -}}
{{- end -}}

{{/* Pod-level securityContext: the `restricted` Pod Security Standard. */}}
{{- define "coin.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsUser }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level securityContext: the `restricted` Pod Security Standard. */}}
{{- define "coin.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsUser }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The S3 credentials as two env entries (secretKeyRef). */}}
{{- define "coin.s3CredentialsEnv" -}}
- name: COIN_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "coin.s3Secret" . }}
      key: {{ include "coin.s3AccessKeyKey" . }}
- name: COIN_S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "coin.s3Secret" . }}
      key: {{ include "coin.s3SecretKeyKey" . }}
{{- end -}}

{{/* The Kafka topics CoIN uses (libs/contracts/src/topics.ts ALL_TOPICS; a test keeps them equal). */}}
{{- define "coin.topics" -}}
{{- $events := list "coin.run.requested.v1" "coin.data.prepared.v1" "coin.prep.requested.v1" "coin.prep.completed.v1" "coin.pretrain.requested.v1" "coin.pretrain.completed.v1" "coin.stage.requested.v1" "coin.stage.completed.v1" "coin.eval.requested.v1" "coin.eval.completed.v1" "coin.judge.requested.v1" "coin.judge.completed.v1" "coin.run.completed.v1" "coin.unit.failed.v1" "coin.run.progress.v1" -}}
{{- range $events }}
- {{ . }}
{{- end }}
{{- range $events }}
- {{ . }}.dlt
{{- end }}
{{- end -}}
