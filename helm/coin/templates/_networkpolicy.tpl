{{/* An egress rule: `to` peers (none: any destination) on TCP `ports`. Call with (dict "to" list "ports" list). */}}
{{- define "coin.egressRule" -}}
- {{- with .to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}

{{/* Selects every pod of the release the policies govern (not Strimzi's: they lack the name label). */}}
{{- define "coin.releasePods" -}}
matchLabels:
  app.kubernetes.io/name: {{ include "coin.name" . }}
  app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
