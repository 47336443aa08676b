package terraform

import (
	"bytes"
	"encoding/json"
)

// IsPlanJSON is the one answer to "is this a Terraform plan as `terraform
// show -json` writes it?": an object with format_version that holds a
// plan's keys (planned_values, resource_changes...) and not a state's
// (values). It reads top-level keys only as far as it needs, so the first
// bytes of a large file are enough.
func IsPlanJSON(head []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	// Keys may come in any order (terraform writes format_version first;
	// jq -S sorts them), so every top-level key the head holds is looked at.
	seen := map[string]bool{}
	planKey := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		switch key {
		case "values":
			return false // `terraform show -json` of a state
		case "planned_values", "resource_drift", "resource_changes", "output_changes", "prior_state":
			planKey = true
		}
		seen[key] = true
		if planKey && seen["format_version"] {
			return true // decided: the plan's own large values need not be read
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			break // cut off: the head ends inside this value
		}
	}
	return seen["format_version"] && (seen["terraform_version"] || planKey)
}
