package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Inline is the inline input: {"resources": [{type, region, count, attributes}]}.
type Inline struct {
	Resources []Resource `json:"resources"`
}

// ParseInline reads an inline resource list.
func ParseInline(data []byte) ([]Resource, error) {
	var in Inline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("inline infrastructure: %w (want {\"resources\": [{\"type\", \"region\", \"count\", \"attributes\"}]})", err)
	}
	if len(in.Resources) == 0 {
		return nil, fmt.Errorf("inline infrastructure: no resources")
	}
	for i, r := range in.Resources {
		if r.Type == "" {
			return nil, fmt.Errorf("inline infrastructure: resources[%d] has no type", i)
		}
		if r.Count < 0 {
			return nil, fmt.Errorf("inline infrastructure: resources[%d] (%s): count %d is negative", i, r.Type, r.Count)
		}
	}
	return in.Resources, nil
}

// PlanInput is a Terraform plan read for pricing: what will exist, what
// exists now, and each address's action.
type PlanInput struct {
	Planned, Prior []Resource
	Actions        map[string]string
	Unresolved     []string
}

// ParsePlan reads `terraform show -json` output of a saved plan, in one
// pass over only the parts pricing needs.
func ParsePlan(data []byte) (*PlanInput, error) {
	var p struct {
		FormatVersion    string                          `json:"format_version"`
		TerraformVersion string                          `json:"terraform_version"`
		Variables        map[string]*tfjson.PlanVariable `json:"variables"`
		ResourceChanges  []*tfjson.ResourceChange        `json:"resource_changes"`
		Config           *tfjson.Config                  `json:"configuration"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("plan JSON: %w", err)
	}
	if p.FormatVersion == "" || p.TerraformVersion == "" {
		return nil, fmt.Errorf("not a Terraform plan JSON: no format_version and terraform_version (give the output of `terraform show -json PLANFILE`)")
	}
	if major, _, _ := strings.Cut(p.FormatVersion, "."); major != "1" {
		return nil, fmt.Errorf("plan JSON format_version %s: only format 1.x (Terraform 0.15 and later) is supported", p.FormatVersion)
	}
	return planInputOf(&tfjson.Plan{Config: p.Config, Variables: p.Variables, ResourceChanges: p.ResourceChanges}), nil
}

// planInputOf prices a decoded plan: its resources before and after, with
// their regions and actions. It marks unknown values in the plan's own
// after maps.
func planInputOf(plan *tfjson.Plan) *PlanInput {
	in := &PlanInput{Actions: map[string]string{}, Prior: []Resource{}}
	regions := providerRegions(plan)
	configs := &configResources{plan: plan}
	for _, rc := range plan.ResourceChanges {
		if rc == nil || rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
			continue
		}
		cr := configs.of(rc)
		region := regions[providerKeyOf(cr, rc)]
		in.Actions[rc.Address] = actionName(rc.Change.Actions)
		if before, ok := rc.Change.Before.(map[string]any); ok && rc.Change.Before != nil {
			in.Prior = append(in.Prior, Resource{Address: rc.Address, Type: rc.Type, Region: region, Count: 1, Attributes: before})
		}
		if after, ok := rc.Change.After.(map[string]any); ok && rc.Change.After != nil {
			markUnknown(after, rc.Change.AfterUnknown)
			if cr != nil {
				prefix := rc.ModuleAddress
				if prefix != "" {
					prefix += "."
				}
				markReferences(after, cr.Expressions, prefix)
			}
			in.Planned = append(in.Planned, Resource{Address: rc.Address, Type: rc.Type, Region: region, Count: 1, Attributes: after})
		}
	}
	sort.Slice(in.Planned, func(i, j int) bool { return in.Planned[i].Address < in.Planned[j].Address })
	sort.Slice(in.Prior, func(i, j int) bool { return in.Prior[i].Address < in.Prior[j].Address })
	return in
}

func actionName(a tfjson.Actions) string {
	switch {
	case a.Replace():
		return "replace"
	case a.Create():
		return "create"
	case a.Delete():
		return "delete"
	case a.Update():
		return "update"
	case a.Read():
		return "read"
	}
	return "no-op"
}

// markUnknown replaces the values after_unknown marks with Unknown.
func markUnknown(after map[string]any, unknown any) {
	u, ok := unknown.(map[string]any)
	if !ok {
		return
	}
	for k, v := range u {
		switch v := v.(type) {
		case bool:
			if v {
				after[k] = Unknown{Why: "known after apply"}
			}
		case map[string]any:
			if m, ok := after[k].(map[string]any); ok {
				markUnknown(m, v)
			}
		case []any:
			list, ok := after[k].([]any)
			if !ok {
				continue
			}
			for i := range min(len(list), len(v)) {
				if b, ok := v[i].(bool); ok && b {
					list[i] = Unknown{Why: "known after apply"}
				} else if m, ok := list[i].(map[string]any); ok {
					markUnknown(m, v[i])
				}
			}
		}
	}
}

// providerRegions maps provider config keys ("aws", "aws.west",
// "module.net:aws") to their region: a constant, or a root variable's value.
func providerRegions(p *tfjson.Plan) map[string]string {
	out := map[string]string{}
	if p.Config == nil {
		return out
	}
	for key, pc := range p.Config.ProviderConfigs {
		expr := pc.Expressions["region"]
		if expr == nil {
			expr = pc.Expressions["zone"] // google: a zone names its region
		}
		if expr == nil || expr.ExpressionData == nil {
			continue
		}
		var v any = expr.ConstantValue
		if v == nil {
			for _, ref := range expr.References {
				if name, ok := strings.CutPrefix(ref, "var."); ok && p.Variables[name] != nil {
					v = p.Variables[name].Value
					break
				}
			}
		}
		if s, ok := v.(string); ok {
			if pc.Name == "google" {
				s = gcpRegionOf(map[string]any{"zone": s})
			}
			out[key] = s
		}
	}
	return out
}

// providerKeyOf is the provider configuration a resource uses: its
// configuration block's, else the provider's default configuration.
func providerKeyOf(cr *tfjson.ConfigResource, rc *tfjson.ResourceChange) string {
	if cr != nil && cr.ProviderConfigKey != "" {
		return cr.ProviderConfigKey
	}
	name := rc.ProviderName
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// configResources finds the configuration block a resource change comes
// from, indexing each module's blocks by address once.
type configResources struct {
	plan    *tfjson.Plan
	modules map[*tfjson.ConfigModule]map[string]*tfjson.ConfigResource
}

func (c *configResources) of(rc *tfjson.ResourceChange) *tfjson.ConfigResource {
	if c.plan.Config == nil {
		return nil
	}
	addr := rc.Address
	if rc.Index != nil {
		addr = addr[:strings.LastIndexByte(addr, '[')]
	}
	mod := c.plan.Config.RootModule
	rest := strings.TrimPrefix(addr, rc.ModuleAddress)
	rest = strings.TrimPrefix(rest, ".")
	if rc.ModuleAddress != "" {
		for _, part := range strings.Split(rc.ModuleAddress, ".module.") {
			part = strings.TrimPrefix(part, "module.")
			if i := strings.IndexByte(part, '['); i >= 0 {
				part = part[:i]
			}
			if mod == nil || mod.ModuleCalls[part] == nil {
				return nil
			}
			mod = mod.ModuleCalls[part].Module
		}
	}
	if mod == nil {
		return nil
	}
	byAddr, ok := c.modules[mod]
	if !ok {
		byAddr = make(map[string]*tfjson.ConfigResource, len(mod.Resources))
		for _, r := range mod.Resources {
			byAddr[r.Address] = r
		}
		if c.modules == nil {
			c.modules = map[*tfjson.ConfigModule]map[string]*tfjson.ConfigResource{}
		}
		c.modules[mod] = byAddr
	}
	return byAddr[rest]
}
