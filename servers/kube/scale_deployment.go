package kube

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// ScaleDeploymentInput is the input of scale_deployment.
type ScaleDeploymentInput struct {
	Name           string `json:"name"`
	Namespace      string `json:"namespace,omitempty" desc:"default: the context's"`
	Replicas       int32  `json:"replicas" minimum:"0"`
	Wait           bool   `json:"wait,omitempty" desc:"wait for the rollout like rollout_status"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" default:"300" minimum:"1" desc:"bound on the wait"`
	Context        string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace changed.
func (in ScaleDeploymentInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// CallTimeout leaves the wait's own deadline room to report its result.
func (in ScaleDeploymentInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 15*time.Second
}

// ScaleDeploymentResult is the result of scale_deployment.
type ScaleDeploymentResult struct {
	Context          string        `json:"context"`
	Namespace        string        `json:"namespace"`
	Name             string        `json:"name"`
	PreviousReplicas int32         `json:"previous_replicas"`
	Replicas         int32         `json:"replicas"`
	Rollout          *kube.Rollout `json:"rollout,omitempty"` // with wait
}

// Failed: the wait ended before the rollout did.
func (r ScaleDeploymentResult) Failed() bool { return r.Rollout != nil && r.Rollout.Failed() }

func (r ScaleDeploymentResult) SummaryText() string {
	s := fmt.Sprintf("deployment/%s in %s scaled %d → %d", r.Name, r.Namespace, r.PreviousReplicas, r.Replicas)
	if r.PreviousReplicas == r.Replicas {
		s = fmt.Sprintf("deployment/%s in %s already has %d replicas", r.Name, r.Namespace, r.Replicas)
	}
	if r.Rollout != nil {
		s += "\n" + r.Rollout.Summary()
	}
	return s
}

var scaleDeployment = mcpkit.NewTool(mcpkit.Def{
	Name:        "scale_deployment",
	Toolset:     "kubernetes",
	Title:       "Scale a deployment",
	Description: "Set a deployment's replicas through the scale subresource; optionally wait for the rollout. Needs mode apply.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in ScaleDeploymentInput) (ScaleDeploymentResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return ScaleDeploymentResult{}, err
	}
	res := ScaleDeploymentResult{Context: cl.Context, Namespace: ns, Name: in.Name, Replicas: in.Replicas}
	deployments := cl.Apps.Deployments(ns)
	// A JSON patch of the scale subresource that first tests the replicas
	// it read: previous_replicas is exactly what this call replaced, and
	// writes to other fields (annotations, status) do not conflict with it.
	// Only a concurrent change of replicas makes the test fail; then retry.
	err = retry.OnError(retry.DefaultBackoff, func(err error) bool { return apierrors.IsConflict(err) || apierrors.IsInvalid(err) }, func() error {
		sc, err := deployments.GetScale(ctx, in.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		res.PreviousReplicas = sc.Spec.Replicas
		if sc.Spec.Replicas == in.Replicas {
			return nil
		}
		patch := fmt.Sprintf(`[{"op":"test","path":"/spec/replicas","value":%d},{"op":"replace","path":"/spec/replicas","value":%d}]`, sc.Spec.Replicas, in.Replicas)
		_, err = deployments.Patch(ctx, in.Name, types.JSONPatchType, []byte(patch), metav1.PatchOptions{FieldManager: "opsmcp"}, "scale")
		return err
	})
	if err != nil {
		return res, cl.Explain(err, "scale", "deployments/"+in.Name, ns)
	}
	if in.Wait {
		r, err := cl.WaitRollout(ctx, kube.KindDeployment, ns, in.Name, time.Duration(in.TimeoutSeconds)*time.Second, rolloutProgress(c))
		if err != nil {
			return res, err
		}
		res.Rollout = &r
	}
	return res, nil
})
