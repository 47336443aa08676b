package kube

import (
	"context"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// HelmValuesInput is the input of helm_values.
type HelmValuesInput struct {
	Release   string `json:"release" maxLength:"53"`
	Namespace string `json:"namespace,omitempty" desc:"default: the context's"`
	Revision  int    `json:"revision,omitempty" minimum:"0" desc:"default: the latest"`
	Context   string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in HelmValuesInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// HelmValuesResult is the result of helm_values.
type HelmValuesResult struct {
	Context   string         `json:"context"`
	Namespace string         `json:"namespace"`
	Release   string         `json:"release"`
	Values    map[string]any `json:"values"`
}

func (r HelmValuesResult) SummaryText() string {
	y, _ := yaml.Marshal(r.Values)
	return "USER-SUPPLIED VALUES of " + r.Release + ":\n" + string(y)
}

var helmValues = mcpkit.NewTool(mcpkit.Def{
	Name:        "helm_values",
	Toolset:     "helm",
	Title:       "Helm release values",
	Description: "helm get values: the user-supplied values of a release revision; secret-looking values masked.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in HelmValuesInput) (HelmValuesResult, error) {
	h, cl, ns, err := helmClient(c, in.Context, in.Namespace)
	if err != nil {
		return HelmValuesResult{}, err
	}
	vals, err := h.Values(in.Release, in.Revision)
	if err != nil {
		return HelmValuesResult{}, err
	}
	c.Secrets.Add(helm.SecretValues(vals)...)
	return HelmValuesResult{Context: cl.Context, Namespace: ns, Release: in.Release, Values: vals}, nil
})
