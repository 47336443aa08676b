package kube

import (
	"context"
	"fmt"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// RolloutStatusInput is the input of rollout_status.
type RolloutStatusInput struct {
	Name           string `json:"name"`
	Namespace      string `json:"namespace,omitempty" desc:"default: the context's"`
	Kind           string `json:"kind,omitempty" enum:"deployment|statefulset|daemonset" default:"\"deployment\""`
	Wait           bool   `json:"wait,omitempty" desc:"watch until done, failed or timed out"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" default:"300" minimum:"1" desc:"bound on the wait"`
	Context        string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in RolloutStatusInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// CallTimeout leaves the wait's own deadline room to report its result.
func (in RolloutStatusInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 15*time.Second
}

// RolloutStatusResult is the result of rollout_status.
type RolloutStatusResult struct {
	Context string `json:"context"`
	kube.Rollout
}

func (r RolloutStatusResult) SummaryText() string { return r.Rollout.Summary() }

var rolloutStatus = mcpkit.NewTool(mcpkit.Def{
	Name:        "rollout_status",
	Toolset:     "kubernetes",
	Title:       "Rollout status",
	Description: "Whether a deployment, statefulset or daemonset has rolled out (kubectl rollout status), and why not; can wait.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
}, func(ctx context.Context, c *mcpkit.Call, in RolloutStatusInput) (RolloutStatusResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return RolloutStatusResult{}, err
	}
	var r kube.Rollout
	if in.Wait {
		r, err = cl.WaitRollout(ctx, in.Kind, ns, in.Name, time.Duration(in.TimeoutSeconds)*time.Second, rolloutProgress(c))
	} else {
		r, err = cl.RolloutStatus(ctx, in.Kind, ns, in.Name)
	}
	if err != nil {
		return RolloutStatusResult{}, err
	}
	return RolloutStatusResult{Context: cl.Context, Rollout: r}, nil
})

// rolloutProgress turns rollout changes into progress notifications.
func rolloutProgress(c *mcpkit.Call) func(kube.Rollout) {
	if !c.WantsProgress() {
		return nil
	}
	return func(r kube.Rollout) {
		c.Progress(float64(r.Available), float64(r.Desired), fmt.Sprintf("%s/%s: %d/%d updated, %d available", r.Kind, r.Name, r.Updated, r.Desired, r.Available))
	}
}
