package servers_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
	"github.com/opsmcp/opsmcp/servers/kube"
)

// argVariants builds arguments for a tool from its input schema: the
// required properties, then each optional property set too (a plan_id, a
// dry_run), so that every effect a tool's arguments can choose is tried.
func argVariants(t *mcpkit.Tool) []map[string]any {
	var schema struct {
		Properties map[string]struct {
			Type  string   `json:"type"`
			Enum  []string `json:"enum"`
			Items *struct {
				Type string `json:"type"`
			} `json:"items"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	json.Unmarshal(t.InputSchema, &schema)
	value := func(name string) any {
		p := schema.Properties[name]
		if len(p.Enum) > 0 {
			return p.Enum[0]
		}
		switch p.Type {
		case "integer", "number":
			return 1
		case "boolean":
			return true
		case "array":
			if p.Items != nil && p.Items.Type == "object" {
				return []any{map[string]any{}}
			}
			return []any{"x"}
		case "object":
			return map[string]any{}
		}
		return "x"
	}
	base := map[string]any{}
	for _, r := range schema.Required {
		base[r] = value(r)
	}
	variants := []map[string]any{base}
	for name := range schema.Properties {
		v := map[string]any{}
		for k, x := range base {
			v[k] = x
		}
		v[name] = value(name)
		variants = append(variants, v)
	}
	return variants
}

// The one gate: no call that changes anything reaches a handler in mode
// plan or read-only, for every tool of every server and every argument
// variant; a refusal names the mode and how to change it, and is audited.
// Without the gate in Host.Call this fails.
func TestTheGateStopsEveryChangeBeforeItsHandler(t *testing.T) {
	changers := map[string]bool{}
	for _, s := range servers.All() {
		for _, mode := range []config.Mode{config.ModeReadOnly, config.ModePlan} {
			h := host(t, s, mode)
			for _, tool := range s.Tools {
				for _, args := range argVariants(&tool) {
					raw, _ := json.Marshal(args)
					eff, err := tool.EffectOf(raw)
					if err != nil || eff != mcpkit.EffectChange {
						continue
					}
					changers[s.Name+"/"+tool.Name] = true
					out := h.Call(context.Background(), tool.Name, raw, nil)
					// A change either never reaches its handler, or (in mode
					// plan, for a tool with a plan form) reaches it as a plan.
					if out.Ran && (mode == config.ModeReadOnly || out.Effect != mcpkit.EffectPlan) {
						t.Errorf("%s/%s %s in mode %s: the handler ran it as %v", s.Name, tool.Name, raw, mode, out.Effect)
					}
					if !out.Ran && !out.IsError {
						t.Errorf("%s/%s %s in mode %s: not refused", s.Name, tool.Name, raw, mode)
					}
				}
			}
		}
	}
	// Every tool that is not read-only and declares changes was tried.
	for _, s := range servers.All() {
		for _, tool := range s.Tools {
			if tool.Effect == mcpkit.EffectChange && !changers[s.Name+"/"+tool.Name] {
				t.Errorf("%s/%s changes things, and no argument variant made a change to try", s.Name, tool.Name)
			}
		}
	}
	// The refusal: one format, naming the mode and how to change it, and
	// an audit record of it.
	h := host(t, kube.New(), config.ModePlan)
	out := h.Call(context.Background(), "scale_deployment", json.RawMessage(`{"name":"web","replicas":2}`), nil)
	const want = "scale_deployment: this call changes things outside opsmcp and mode is plan; set mode: apply in opsmcp.yaml (or OPSMCP_MODE=apply) to allow it"
	if out.Text != want || out.Ran {
		t.Fatalf("refusal %q (ran %v), want %q", out.Text, out.Ran, want)
	}
	audit, _ := h.Runtime().Memory.ListAudit(context.Background(), 0)
	if len(audit) != 1 || audit[0].Tool != "scale_deployment" || audit[0].Outcome != want {
		t.Fatalf("the refusal's audit record: %+v", audit)
	}
}
