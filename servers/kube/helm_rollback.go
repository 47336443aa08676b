package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// HelmRollbackInput is the input of helm_rollback.
type HelmRollbackInput struct {
	Release        string `json:"release" maxLength:"53"`
	Revision       int    `json:"revision,omitempty" minimum:"0" desc:"default: the previous"`
	Namespace      string `json:"namespace,omitempty" desc:"default: the context's"`
	DryRun         bool   `json:"dry_run,omitempty"`
	Wait           bool   `json:"wait,omitempty" default:"true"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" default:"300" minimum:"1" maximum:"3600"`
	Context        string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace changed.
func (in HelmRollbackInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// Effect: a dry run changes nothing.
func (in HelmRollbackInput) Effect() mcpkit.Effect { return rolloutEffect(in.DryRun) }

// PlanForm is the dry run the gate runs in a mode that allows no change.
func (in HelmRollbackInput) PlanForm() any {
	in.DryRun = true
	return in
}

// CallTimeout leaves the wait's own deadline room to report its result.
func (in HelmRollbackInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 30*time.Second
}

// Change describes the rollback for the person confirming it
// (mcpkit.Changer).
func (in HelmRollbackInput) Change(ctx context.Context, c *mcpkit.Call) (*gate.Change, error) {
	dry := in
	dry.DryRun = true
	res, err := runRollback(ctx, c, dry)
	if err != nil {
		return nil, err
	}
	return &gate.Change{Tool: "helm_rollback", Scope: "namespace " + res.Namespace + " (context " + res.Context + ")", Proposer: c.Principal, Detail: res.SummaryText()}, nil
}

// HelmRollbackResult is the result of helm_rollback.
type HelmRollbackResult struct {
	Context   string `json:"context"`
	Namespace string `json:"namespace"`
	DryRun    bool   `json:"dry_run"`
	helm.RollbackResult
}

func (r HelmRollbackResult) SummaryText() string {
	var b strings.Builder
	verb := "rolled back"
	if r.DryRun {
		verb = "would roll back (dry run: nothing changed)"
	}
	fmt.Fprintf(&b, "release %s in %s (context %s) %s from revision %d to %d", r.Release.Name, r.Namespace, r.Context, verb, r.From, r.To)
	if !r.DryRun {
		fmt.Fprintf(&b, ": now revision %d, %s", r.Release.Revision, r.Release.Status)
	}
	for _, ch := range r.Changed {
		b.WriteString("\n  " + ch)
	}
	return b.String()
}

var helmRollback = mcpkit.NewTool(mcpkit.Def{
	Name:        "helm_rollback",
	Toolset:     "helm",
	Title:       "Roll back a Helm release",
	Description: "helm rollback to a revision (default: the previous); waits for readiness. Dry run: what changes.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.No, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in HelmRollbackInput) (HelmRollbackResult, error) {
	res, err := runRollback(ctx, c, in)
	if !in.DryRun && res.Release.Name != "" {
		rememberRelease(c, res.Context, res.Namespace, res.Release, err)
	}
	return res, err
})

func runRollback(ctx context.Context, c *mcpkit.Call, in HelmRollbackInput) (HelmRollbackResult, error) {
	h, cl, ns, err := helmClient(c, in.Context, in.Namespace)
	if err != nil {
		return HelmRollbackResult{}, err
	}
	rb, err := h.Rollback(ctx, helm.RollbackRequest{Release: in.Release, Revision: in.Revision, DryRun: in.DryRun, Wait: in.Wait,
		Timeout: time.Duration(in.TimeoutSeconds) * time.Second})
	res := HelmRollbackResult{Context: cl.Context, Namespace: ns, DryRun: in.DryRun}
	if rb != nil {
		res.RollbackResult = *rb
	}
	return res, err
}
