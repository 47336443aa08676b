package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GetResourceInput is the input of get_resource.
type GetResourceInput struct {
	Kind      string `json:"kind" maxLength:"253" desc:"kind, plural, short name or resource.group"`
	Name      string `json:"name" maxLength:"253"`
	Namespace string `json:"namespace,omitempty" desc:"default: the context's"`
	Context   string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in GetResourceInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// GetResourceResult is the result of get_resource.
type GetResourceResult struct {
	Context  string `json:"context"`
	Resource string `json:"resource"`
	kube.Described
}

// objectTextBytes bounds the YAML in the text result; the structured
// result has the whole object.
const objectTextBytes = 48 << 10

func (r GetResourceResult) SummaryText() string {
	var b strings.Builder
	y, _ := yaml.Marshal(r.Object)
	if len(y) > objectTextBytes {
		fmt.Fprintf(&b, "%s# … %d more bytes of YAML (the whole object is in the structured result)\n", y[:objectTextBytes], len(y)-objectTextBytes)
	} else {
		b.Write(y)
	}
	if len(r.Conditions) > 0 {
		b.WriteString("\nConditions:\n")
		for _, c := range r.Conditions {
			fmt.Fprintf(&b, "  %s=%s", c.Type, c.Status)
			if c.Reason != "" {
				fmt.Fprintf(&b, " %s", c.Reason)
			}
			if c.Since != "" {
				fmt.Fprintf(&b, " (for %s)", c.Since)
			}
			if c.Message != "" {
				fmt.Fprintf(&b, ": %s", c.Message)
			}
			b.WriteString("\n")
		}
	}
	if len(r.Owners) > 0 {
		fmt.Fprintf(&b, "\nControlled by: %s\n", strings.Join(r.Owners, " <- "))
	}
	if len(r.Events) > 0 {
		b.WriteString("\nEvents:\n")
		for _, e := range r.Events {
			fmt.Fprintf(&b, "  %s %s (x%d, %s ago): %s\n", e.Type, e.Reason, e.Count, e.LastSeen, e.Message)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

var getResource = mcpkit.NewTool(mcpkit.Def{
	Name:        "get_resource",
	Toolset:     "kubernetes",
	Title:       "Get a resource",
	Description: "One object of any kind with conditions, owners and events; Secret values hidden.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in GetResourceInput) (GetResourceResult, error) {
	cl, r, ns, err := resolveResource(c, in.Context, in.Kind, in.Namespace, false)
	if err != nil {
		return GetResourceResult{}, err
	}
	d, err := cl.Describe(ctx, r, ns, in.Name)
	if err != nil {
		return GetResourceResult{}, err
	}
	c.Secrets.Add(d.Secrets...)
	return GetResourceResult{Context: cl.Context, Resource: r.String(), Described: *d}, nil
})
