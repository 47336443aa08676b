package terraform

import "testing"

func TestIsPlanJSON(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{},"resource_changes":[]}`:                    true,
		`{"format_version":"1.2","terraform_version":"1.11.4","variables":{"x":{"value":1}},"planned_values":{`:              true, // cut off
		`{"format_version":"1.2","terraform_version":"1.11.4"}`:                                                              true,
		`{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{}}}`:                                  false, // a state
		`{"terraform_version":"0.12.0","planned_values":{}}`:                                                                 false,
		`{"resources":[{"type":"aws_instance"}]}`:                                                                            false,
		`{"configuration":{"provider_config":{}},"format_version":"1.2","resource_changes":[],"terraform_version":"1.11.4"}`: true, // jq -S
		`[1,2]`: false, `apiVersion: v1`: false, ``: false,
	} {
		if got := IsPlanJSON([]byte(doc)); got != want {
			t.Errorf("%s: %v, want %v", doc, got, want)
		}
	}
}
