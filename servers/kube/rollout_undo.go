package kube

import (
	"context"
	"fmt"
	"time"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// RolloutUndoInput is the input of rollout_undo.
type RolloutUndoInput struct {
	Name           string `json:"name" maxLength:"253"`
	Kind           string `json:"kind,omitempty" default:"\"deployment\"" enum:"deployment|statefulset|daemonset"`
	Namespace      string `json:"namespace,omitempty" desc:"default: the context's"`
	ToRevision     int64  `json:"to_revision,omitempty" minimum:"0"`
	DryRun         bool   `json:"dry_run,omitempty"`
	Wait           bool   `json:"wait,omitempty"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" default:"300" minimum:"1" maximum:"3600"`
	Context        string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace changed.
func (in RolloutUndoInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// Effect: a dry run changes nothing.
func (in RolloutUndoInput) Effect() mcpkit.Effect { return rolloutEffect(in.DryRun) }

// PlanForm is the dry run the gate runs in a mode that allows no change.
func (in RolloutUndoInput) PlanForm() any {
	in.DryRun = true
	return in
}

// CallTimeout leaves the wait's own deadline room to report its result.
func (in RolloutUndoInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 15*time.Second
}

// Change describes the rollback for the person confirming it
// (mcpkit.Changer).
func (in RolloutUndoInput) Change(ctx context.Context, c *mcpkit.Call) (*gate.Change, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return nil, err
	}
	dry, err := cl.Undo(ctx, in.Kind, ns, in.Name, in.ToRevision, true)
	if err != nil {
		return nil, err
	}
	return rolloutGateChange(c, cl, "rollout_undo", dry.Summary("rolled back")), nil
}

var rolloutUndo = mcpkit.NewTool(mcpkit.Def{
	Name:        "rollout_undo",
	Toolset:     "kubernetes",
	Title:       "Roll back a rollout",
	Description: "kubectl rollout undo: back to a revision (default: the previous); can wait.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.No, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in RolloutUndoInput) (RolloutResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return RolloutResult{}, err
	}
	ch, err := cl.Undo(ctx, in.Kind, ns, in.Name, in.ToRevision, in.DryRun)
	res := RolloutResult{Context: cl.Context, RolloutChange: ch, verb: "rolled back"}
	if err != nil {
		return res, err
	}
	return res, waitRollout(ctx, c, cl, in.Wait && !in.DryRun && ch.Skipped == "", in.TimeoutSeconds, &res)
})

// RolloutResult is the result of rollout_restart and rollout_undo.
type RolloutResult struct {
	Context string `json:"context"`
	kube.RolloutChange
	Rollout *kube.Rollout `json:"rollout,omitempty"` // with wait
	verb    string
}

// Failed: the wait ended before the rollout did.
func (r RolloutResult) Failed() bool { return r.Rollout != nil && r.Rollout.Failed() }

func (r RolloutResult) SummaryText() string {
	s := r.Summary(r.verb) + fmt.Sprintf(" (context %s)", r.Context)
	if r.Rollout != nil {
		s += "\n" + r.Rollout.Summary()
	}
	return s
}

func rolloutEffect(dryRun bool) mcpkit.Effect {
	if dryRun {
		return mcpkit.EffectPlan
	}
	return mcpkit.EffectChange
}

// rolloutGateChange is a restart or rollback as the gate shows it.
func rolloutGateChange(c *mcpkit.Call, cl *kube.Cluster, tool, detail string) *gate.Change {
	return &gate.Change{Tool: tool, Scope: "context " + cl.Context, Proposer: c.Principal, Detail: detail}
}

// waitRollout waits for the rollout a change started, when asked.
func waitRollout(ctx context.Context, c *mcpkit.Call, cl *kube.Cluster, wait bool, timeoutSeconds int, res *RolloutResult) error {
	if !wait {
		return nil
	}
	r, err := cl.WaitRollout(ctx, res.Kind, res.Namespace, res.Name, time.Duration(timeoutSeconds)*time.Second, rolloutProgress(c))
	if err != nil {
		return err
	}
	res.Rollout = &r
	return nil
}
