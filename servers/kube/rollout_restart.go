package kube

import (
	"context"
	"time"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// RolloutRestartInput is the input of rollout_restart.
type RolloutRestartInput struct {
	Name           string `json:"name" maxLength:"253"`
	Kind           string `json:"kind,omitempty" default:"\"deployment\"" enum:"deployment|statefulset|daemonset"`
	Namespace      string `json:"namespace,omitempty" desc:"default: the context's"`
	DryRun         bool   `json:"dry_run,omitempty"`
	Wait           bool   `json:"wait,omitempty"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" default:"300" minimum:"1" maximum:"3600"`
	Context        string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace changed.
func (in RolloutRestartInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// Effect: a dry run changes nothing.
func (in RolloutRestartInput) Effect() mcpkit.Effect { return rolloutEffect(in.DryRun) }

// PlanForm is the dry run the gate runs in a mode that allows no change.
func (in RolloutRestartInput) PlanForm() any {
	in.DryRun = true
	return in
}

// CallTimeout leaves the wait's own deadline room to report its result.
func (in RolloutRestartInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 15*time.Second
}

// Change describes the restart for the person confirming it
// (mcpkit.Changer).
func (in RolloutRestartInput) Change(ctx context.Context, c *mcpkit.Call) (*gate.Change, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return nil, err
	}
	dry, err := cl.Restart(ctx, in.Kind, ns, in.Name, true, time.Now())
	if err != nil {
		return nil, err
	}
	return rolloutGateChange(c, cl, "rollout_restart", dry.Summary("restarted")), nil
}

var rolloutRestart = mcpkit.NewTool(mcpkit.Def{
	Name:        "rollout_restart",
	Toolset:     "kubernetes",
	Title:       "Restart a rollout",
	Description: "kubectl rollout restart: replace a workload's pods; can wait.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.No, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in RolloutRestartInput) (RolloutResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return RolloutResult{}, err
	}
	ch, err := cl.Restart(ctx, in.Kind, ns, in.Name, in.DryRun, time.Now())
	res := RolloutResult{Context: cl.Context, RolloutChange: ch, verb: "restarted"}
	if err != nil {
		return res, err
	}
	return res, waitRollout(ctx, c, cl, in.Wait && !in.DryRun, in.TimeoutSeconds, &res)
})
