package deploy

import (
	"encoding/json"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/redact"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// What apply_terraform masks: values terraform marks sensitive, registered
// with the call's redactor so no result, log, memory entry or audit record
// carries them.

func isTrue(v any) bool { b, ok := v.(bool); return ok && b }

// registerSensitive masks, for the rest of the call, every value terraform
// marks sensitive: outputs and variables declared sensitive.
func registerSensitive(c *mcpkit.Call, p *tfjson.Plan) {
	for _, ch := range p.OutputChanges {
		if ch != nil && (isTrue(ch.AfterSensitive) || isTrue(ch.BeforeSensitive)) {
			addSecretValue(c, ch.After)
			addSecretValue(c, ch.Before)
		}
	}
	if p.Config == nil || p.Config.RootModule == nil {
		return
	}
	for name, v := range p.Config.RootModule.Variables {
		if v != nil && v.Sensitive {
			if pv, ok := p.Variables[name]; ok && pv != nil {
				addSecretValue(c, pv.Value)
			}
		}
	}
}

// addSecretValue registers every string inside a value, and the value's
// JSON form, as secrets.
func addSecretValue(c *mcpkit.Call, v any) {
	switch t := v.(type) {
	case nil, bool:
	case string:
		c.Secrets.Add(t)
	case map[string]any:
		for _, x := range t {
			addSecretValue(c, x)
		}
	case []any:
		for _, x := range t {
			addSecretValue(c, x)
		}
	default:
		b, _ := json.Marshal(t)
		c.Secrets.Add(string(b))
	}
}

func redactOutputs(c *mcpkit.Call, outs map[string]terraform.Output) map[string]any {
	m := map[string]any{}
	for k, o := range outs {
		var v any
		_ = json.Unmarshal(o.Value, &v)
		if o.Sensitive {
			addSecretValue(c, v)
			m[k] = redact.Mask
			continue
		}
		m[k] = v
	}
	return m
}
