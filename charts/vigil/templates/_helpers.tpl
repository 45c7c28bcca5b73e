{{/* Names and labels. */}}
{{- define "vigil.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vigil.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vigil.componentName" -}}
{{- printf "%s-%s" (include "vigil.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vigil.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "vigil.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vigil
{{- end -}}

{{/* Selector labels of one component: dict "root" $ "component" "detector". */}}
{{- define "vigil.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigil.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vigil.componentLabels" -}}
{{ include "vigil.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vigil.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vigil.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "vigil.consoleSecretName" -}}
{{- default (printf "%s-console" (include "vigil.fullname" .)) .Values.scorer.console.existingSecret -}}
{{- end -}}

{{- define "vigil.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* A config file given as YAML text or as a map, as the text of the file. */}}
{{- define "vigil.fileText" -}}
{{- if kindIs "string" . -}}{{ . }}{{- else -}}{{ toYaml . }}{{- end -}}
{{- end -}}

{{/*
The config file a component mounts from its ConfigMap: its value key, file name and the variable
that names it. Empty for components without one.
*/}}
{{- define "vigil.configFile" -}}
{{- if eq . "detector" -}}{"key": "rules", "file": "rules.yaml", "variable": "VIGIL_DETECTOR_RULES"}
{{- else if eq . "scorer" -}}{"key": "catalogue", "file": "inspection.yaml", "variable": "VIGIL_SCORER_CATALOGUE"}
{{- else if eq . "notifier" -}}{"key": "routing", "file": "routing.yaml", "variable": "VIGIL_NOTIFIER_CONFIG"}
{{- else -}}{}
{{- end -}}
{{- end -}}

{{/*
Environment of one component (dict "root" $ "component" NAME): the settings every service shares,
the component's own, then values.<component>.env. Every name here is a variable of the service's
zod config schema (a test renders the chart and checks).
*/}}
{{- define "vigil.env" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $values := index $root.Values $component -}}
{{- $kafka := $root.Values.kafka -}}
- name: VIGIL_BUS
  value: {{ $kafka.bus | quote }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required: the bootstrap servers of your Kafka, host:port[,host:port…]" $kafka.brokers | quote }}
- name: VIGIL_CLUSTER
  value: {{ default $root.Release.Name $root.Values.cluster | quote }}
- name: VIGIL_NODE
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: VIGIL_TOPIC_PREFIX
  value: {{ $kafka.topicPrefix | quote }}
- name: VIGIL_TOPIC_CREATE
  value: {{ $kafka.topics.create | quote }}
- name: VIGIL_TOPIC_PARTITIONS
  value: {{ $kafka.topics.partitions | quote }}
{{- if $kafka.topics.replicationFactor }}
- name: VIGIL_TOPIC_REPLICATION_FACTOR
  value: {{ $kafka.topics.replicationFactor | quote }}
{{- end }}
{{- if $kafka.sasl.mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required with kafka.sasl.mechanism" $kafka.sasl.username | quote }}
- name: KAFKA_SASL_PASSWORD_FILE
  value: {{ printf "/etc/vigil/kafka-sasl/%s" $kafka.sasl.passwordKey | quote }}
{{- end }}
{{- if $kafka.tls.enabled }}
- name: KAFKA_TLS
  value: "true"
{{- if $kafka.tls.existingSecret }}
{{- if $kafka.tls.caKey }}
- name: KAFKA_TLS_CA_FILE
  value: {{ printf "/etc/vigil/kafka-tls/%s" $kafka.tls.caKey | quote }}
{{- end }}
{{- if $kafka.tls.certKey }}
- name: KAFKA_TLS_CERT_FILE
  value: {{ printf "/etc/vigil/kafka-tls/%s" $kafka.tls.certKey | quote }}
- name: KAFKA_TLS_KEY_FILE
  value: {{ printf "/etc/vigil/kafka-tls/%s" (required "kafka.tls.keyKey is required with kafka.tls.certKey" $kafka.tls.keyKey) | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- if $root.Values.schemaRegistry.url }}
- name: VIGIL_SCHEMA_REGISTRY_URL
  value: {{ $root.Values.schemaRegistry.url | quote }}
{{- if $root.Values.schemaRegistry.existingSecret }}
- name: VIGIL_SCHEMA_REGISTRY_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.schemaRegistry.existingSecret }}
      key: username
- name: VIGIL_SCHEMA_REGISTRY_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.schemaRegistry.existingSecret }}
      key: password
{{- end }}
{{- end }}
- name: VIGIL_HTTP_HOST
  value: "0.0.0.0"
- name: VIGIL_HTTP_PORT
  value: {{ $root.Values.httpPort | quote }}
- name: VIGIL_LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
{{- if eq $component "collector" }}
- name: VIGIL_PROC_ROOT
  value: /host/proc
- name: VIGIL_SYS_ROOT
  value: /host/sys
- name: VIGIL_ROOTFS
  value: /host/root
{{- if not $values.kernelLog }}
- name: VIGIL_KMSG
  value: "off"
{{- end }}
{{- end }}
{{- $configFile := include "vigil.configFile" $component | fromJson -}}
{{- if and $configFile.key (index $values $configFile.key) }}
- name: {{ $configFile.variable }}
  value: {{ printf "/etc/vigil/config/%s" $configFile.file | quote }}
{{- end }}
{{- if eq $component "scorer" }}
- name: VIGIL_CONSOLE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "vigil.consoleSecretName" $root }}
      key: {{ default "token" $values.console.tokenKey }}
{{- if $root.Values.notifier.enabled }}
- name: VIGIL_NOTIFIER_URL
  value: {{ printf "http://%s:%v" (include "vigil.componentName" (dict "root" $root "component" "notifier")) $root.Values.httpPort | quote }}
{{- end }}
{{- end }}
{{- if eq $component "notifier" }}
{{- if $values.smtp.existingSecret }}
- name: VIGIL_SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ $values.smtp.existingSecret }}
      key: {{ $values.smtp.urlKey }}
- name: VIGIL_EMAIL_TO
  value: {{ required "notifier.email.to is required with notifier.smtp.existingSecret" $values.email.to | quote }}
{{- else if $values.email.to }}
- name: VIGIL_EMAIL_TO
  value: {{ $values.email.to | quote }}
{{- end }}
{{- if $values.email.from }}
- name: VIGIL_EMAIL_FROM
  value: {{ $values.email.from | quote }}
{{- end }}
{{- end }}
{{- range $name, $value := $values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Volumes every component mounts (dict "root" $ "component" NAME), without the collector's host paths. */}}
{{- define "vigil.volumes" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
- name: tmp
  emptyDir: {}
{{- $configFile := include "vigil.configFile" .component | fromJson -}}
{{- if and $configFile.key (index $values $configFile.key) }}
- name: config
  configMap:
    name: {{ include "vigil.componentName" . }}
{{- end }}
{{- if and (eq .component "notifier") $values.secrets.existingSecret }}
- name: notifier-secrets
  secret:
    secretName: {{ $values.secrets.existingSecret }}
{{- end }}
{{- if and $root.Values.kafka.sasl.mechanism $root.Values.kafka.sasl.existingSecret }}
- name: kafka-sasl
  secret:
    secretName: {{ $root.Values.kafka.sasl.existingSecret }}
{{- end }}
{{- if and $root.Values.kafka.tls.enabled $root.Values.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ $root.Values.kafka.tls.existingSecret }}
{{- end }}
{{- end -}}

{{- define "vigil.volumeMounts" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
- name: tmp
  mountPath: /tmp
{{- $configFile := include "vigil.configFile" .component | fromJson -}}
{{- if and $configFile.key (index $values $configFile.key) }}
- name: config
  mountPath: /etc/vigil/config
  readOnly: true
{{- end }}
{{- if and (eq .component "notifier") $values.secrets.existingSecret }}
- name: notifier-secrets
  mountPath: /etc/vigil/secrets
  readOnly: true
{{- end }}
{{- if and $root.Values.kafka.sasl.mechanism $root.Values.kafka.sasl.existingSecret }}
- name: kafka-sasl
  mountPath: /etc/vigil/kafka-sasl
  readOnly: true
{{- end }}
{{- if and $root.Values.kafka.tls.enabled $root.Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: /etc/vigil/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* The container of one component (dict "root" $ "component" NAME "securityContext" MAP "extraMounts" LIST). */}}
{{- define "vigil.container" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
- name: {{ .component }}
  image: {{ include "vigil.image" $root | quote }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  args: ["run", {{ .component | quote }}]
  env:
    {{- include "vigil.env" . | nindent 4 }}
  ports:
    - name: http
      containerPort: {{ $root.Values.httpPort }}
      protocol: TCP
  livenessProbe:
    httpGet:
      path: /healthz
      port: http
    initialDelaySeconds: 10
    periodSeconds: 15
    timeoutSeconds: 5
  readinessProbe:
    httpGet:
      path: /readyz
      port: http
    periodSeconds: 10
    timeoutSeconds: 5
  securityContext:
    {{- toYaml .securityContext | nindent 4 }}
  resources:
    {{- toYaml $values.resources | nindent 4 }}
  volumeMounts:
    {{- include "vigil.volumeMounts" . | nindent 4 }}
    {{- with .extraMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/* Checksum of a component's config file, so pods restart when it changes. */}}
{{- define "vigil.configChecksum" -}}
{{- $values := index .root.Values .component -}}
{{- $configFile := include "vigil.configFile" .component | fromJson -}}
{{- if and $configFile.key (index $values $configFile.key) -}}
checksum/config: {{ include "vigil.fileText" (index $values $configFile.key) | sha256sum }}
{{- end -}}
{{- end -}}
