package kubernetes.labels

violation[{"msg": msg}] {
	not input.metadata.labels.team
	msg := sprintf("%s %s has no team label", [input.kind, input.metadata.name])
}
