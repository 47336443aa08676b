package terraform

import (
	"encoding/json"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/redact"
)

// What the plan lifecycle masks: values terraform marks sensitive, handed
// to the caller's redactor so no result, log, memory entry or audit record
// carries them.

func isTrue(v any) bool { b, ok := v.(bool); return ok && b }

// SensitiveStrings are the strings of every value a plan marks sensitive:
// outputs, and variables declared sensitive.
func SensitiveStrings(p *tfjson.Plan) []string {
	var out []string
	for _, ch := range p.OutputChanges {
		if ch != nil && (isTrue(ch.AfterSensitive) || isTrue(ch.BeforeSensitive)) {
			out = append(out, SecretStrings(ch.After)...)
			out = append(out, SecretStrings(ch.Before)...)
		}
	}
	if p.Config == nil || p.Config.RootModule == nil {
		return out
	}
	for name, v := range p.Config.RootModule.Variables {
		if v != nil && v.Sensitive {
			if pv, ok := p.Variables[name]; ok && pv != nil {
				out = append(out, SecretStrings(pv.Value)...)
			}
		}
	}
	return out
}

// SecretStrings is every string inside a value, and the value's JSON form
// when it is neither string nor container: what to mask of a secret value.
func SecretStrings(v any) []string {
	switch t := v.(type) {
	case nil, bool:
		return nil
	case string:
		return []string{t}
	case map[string]any:
		var out []string
		for _, x := range t {
			out = append(out, SecretStrings(x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, SecretStrings(x)...)
		}
		return out
	default:
		b, _ := json.Marshal(t)
		return []string{string(b)}
	}
}

// MaskOutputs decodes outputs, masking sensitive ones, and returns the
// strings of the masked values for the caller's redactor.
func MaskOutputs(outs map[string]Output) (values map[string]any, secrets []string) {
	values = map[string]any{}
	for k, o := range outs {
		var v any
		_ = json.Unmarshal(o.Value, &v)
		if o.Sensitive {
			secrets = append(secrets, SecretStrings(v)...)
			values[k] = redact.Mask
			continue
		}
		values[k] = v
	}
	return values, secrets
}
