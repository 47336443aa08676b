package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/policy"
)

// DeployKubernetesInput is the input of deploy_kubernetes.
type DeployKubernetesInput struct {
	Manifests      []string `json:"manifests" desc:"files, dirs or inline YAML"`
	Namespace      string   `json:"namespace,omitempty"`
	Wait           bool     `json:"wait,omitempty" default:"true"`
	TimeoutSeconds int      `json:"timeout_seconds,omitempty" default:"300" minimum:"1"`
	DryRun         bool     `json:"dry_run,omitempty"`
	Context        string   `json:"context,omitempty" desc:"default: current"`
	ChangeID       string   `json:"change_id,omitempty" desc:"a dry run's change_id: apply only if it renders the same"`
}

// CacheScope: a deploy may touch any namespace of the context.
func (in DeployKubernetesInput) CacheScope() string { return "" }

// Effect: a dry run changes nothing.
func (in DeployKubernetesInput) Effect() mcpkit.Effect {
	if in.DryRun {
		return mcpkit.EffectPlan
	}
	return mcpkit.EffectChange
}

// PlanForm is the dry run the gate runs in a mode that allows no change.
func (in DeployKubernetesInput) PlanForm() any {
	in.DryRun = true
	return in
}

// CallTimeout leaves the rollout wait room to report its result.
func (in DeployKubernetesInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 30*time.Second
}

// DeployKubernetesResult is the result of deploy_kubernetes.
type DeployKubernetesResult struct {
	OperationID string `json:"operation_id"`
	Context     string `json:"context"`
	DryRun      bool   `json:"dry_run"`
	// ChangeID names the change as the server rendered it in the dry run:
	// apply with it to apply exactly that.
	ChangeID  string              `json:"change_id,omitempty"`
	Objects   []kube.ObjectResult `json:"objects"`
	Rollouts  []kube.Rollout      `json:"rollouts,omitempty"`
	RolledOut bool                `json:"rolled_out"` // every waited-for workload is done (true when nothing waited)
	// Policy are gate.policies' verdicts on each object, as written.
	Policy []policy.Verdict `json:"policy,omitempty"`
	Note   string           `json:"note,omitempty"`
}

// Failed: applied, but a workload did not roll out.
func (r DeployKubernetesResult) Failed() bool { return !r.RolledOut }

// AuditIDs names the operation.
func (r DeployKubernetesResult) AuditIDs() []string { return []string{r.OperationID} }

func (r DeployKubernetesResult) SummaryText() string {
	var b strings.Builder
	suffix := ""
	if r.DryRun {
		suffix = " (server dry run)"
	}
	counts := map[string]int{}
	for _, o := range r.Objects {
		counts[o.Action]++
	}
	fmt.Fprintf(&b, "%d objects in context %s%s: %d created, %d configured, %d unchanged", len(r.Objects), r.Context, suffix,
		counts[kube.ActionCreated], counts[kube.ActionConfigured], counts[kube.ActionUnchanged])
	for _, o := range r.Objects {
		fmt.Fprintf(&b, "\n  %s %s%s", o.Ref(), o.Action, suffix)
		if len(o.Changed) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(o.Changed, ", "))
		}
		if o.Note != "" {
			fmt.Fprintf(&b, " (%s)", o.Note)
		}
	}
	for _, line := range verdictLines(r.Policy) {
		b.WriteString("\nPolicy: " + line)
	}
	for _, ro := range r.Rollouts {
		b.WriteString("\n" + ro.Summary())
	}
	if r.Note != "" {
		b.WriteString("\n" + r.Note)
	}
	return b.String()
}

var deployKubernetes = mcpkit.NewTool(mcpkit.Def{
	Name:        "deploy_kubernetes",
	Toolset:     "kubernetes",
	Description: "Server-side apply manifests (Namespaces, CRDs first), wait for rollouts; dry run in mode plan.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in DeployKubernetesInput) (DeployKubernetesResult, error) {
	docs, err := kube.ReadManifests(c.Files(), in.Manifests)
	if err != nil {
		return DeployKubernetesResult{}, err
	}
	// Secret values never leave: not in results, errors, logs, memory or audit.
	c.Secrets.Add(kube.SecretValues(docs)...)
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, in.Context)
	if err != nil {
		return DeployKubernetesResult{}, err
	}
	if in.Namespace != "" {
		if err := cl.AllowNamespace(in.Namespace); err != nil {
			return DeployKubernetesResult{}, err
		}
	}
	plan, err := cl.Plan(docs, in.Namespace)
	if err != nil {
		return DeployKubernetesResult{}, err
	}
	dryRun := in.DryRun
	res := DeployKubernetesResult{OperationID: operationID(cl.Context, in.Manifests, time.Now()), Context: cl.Context, DryRun: dryRun, RolledOut: true,
		Policy: failClosed(objectVerdicts(ctx, c, docs))}
	if c.AsPlan {
		res.Note = fmt.Sprintf("Nothing was applied: mode is %s, so this was a server-side dry run. Set mode: apply in opsmcp.yaml (or OPSMCP_MODE=apply) to apply.", c.Mode)
	}
	expected := in.ChangeID
	if expected == "" && len(c.Decisions) > 0 {
		expected = c.Decisions[0].ChangeID // what the person confirmed
	}
	objects, err := cl.Apply(ctx, plan, kube.ApplyOptions{DryRun: dryRun, Progress: func(done, total int, r kube.ObjectResult) {
		c.Progress(float64(done), float64(total), fmt.Sprintf("%s/%s %s", strings.ToLower(r.Kind), r.Name, r.Action))
	}, Expect: func(dry []kube.ObjectResult) error {
		res.ChangeID = kube.ChangeID(cl.Context, dry)
		return sameChange(expected, res.ChangeID)
	}})
	res.Objects = objects
	if dryRun && err == nil {
		res.ChangeID = kube.ChangeID(cl.Context, objects)
	}
	if err != nil {
		if !dryRun && len(objects) > 0 {
			rememberKube(c, res, plan, err)
			return res, fmt.Errorf("%w (applied before the failure: %s)", err, appliedList(objects))
		}
		return res, err
	}
	if !dryRun && in.Wait {
		res.Rollouts, err = waitWorkloads(ctx, c, cl, plan, time.Duration(in.TimeoutSeconds)*time.Second)
		for _, r := range res.Rollouts {
			res.RolledOut = res.RolledOut && r.Done
		}
		if err != nil {
			rememberKube(c, res, plan, err)
			return res, err
		}
		if !res.RolledOut {
			res.Note = "Applied, but not every workload rolled out; see the reasons above."
		}
	}
	if !dryRun {
		rememberKube(c, res, plan, nil)
	}
	return res, nil
})

// waitWorkloads waits for every applied Deployment, StatefulSet and
// DaemonSet at once, reporting progress as each finishes.
func waitWorkloads(ctx context.Context, c *mcpkit.Call, cl *kube.Cluster, plan []*kube.Planned, timeout time.Duration) ([]kube.Rollout, error) {
	var workloads []*kube.Planned
	for _, p := range plan {
		if kube.WorkloadKind(p.GVK.GroupKind()) != "" {
			workloads = append(workloads, p)
		}
	}
	out := make([]kube.Rollout, len(workloads))
	var mu sync.Mutex
	finished := 0
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range workloads {
		g.Go(func() error {
			r, err := cl.WaitRollout(gctx, kube.WorkloadKind(p.GVK.GroupKind()), p.Namespace, p.Object.GetName(), timeout, nil)
			if err != nil {
				return err
			}
			out[i] = r
			mu.Lock()
			finished++
			c.Progress(float64(finished), float64(len(workloads)), r.Summary())
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

func appliedList(objects []kube.ObjectResult) string {
	var parts []string
	for _, o := range objects {
		parts = append(parts, strings.ToLower(o.Kind)+"/"+o.Name+" "+o.Action)
	}
	return strings.Join(parts, ", ")
}

// operationID names one deploy: context, manifests and time.
func operationID(context string, manifests []string, at time.Time) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", context, at.UnixNano())
	for _, m := range manifests {
		fmt.Fprintf(h, "%s\x00", m)
	}
	return "k-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// rememberKube records a real apply in memory (the audit record is the
// middleware's); it must survive the caller's cancellation.
func rememberKube(c *mcpkit.Call, res DeployKubernetesResult, plan []*kube.Planned, failure error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	op := map[string]any{"context": res.Context, "objects": res.Objects, "rolled_out": res.RolledOut, "applied": failure == nil, "by": c.Principal,
		// What was applied, for detect_drift to apply again as a dry run.
		"applied_objects": kube.Recordable(plan)}
	if failure != nil {
		op["error"] = failure.Error()
	}
	if len(res.Rollouts) > 0 {
		op["rollouts"] = res.Rollouts
	}
	if err := c.Remember(ctx, memory.KindOperation, "kube:"+res.Context, res.OperationID, op, "kubernetes", "apply"); err != nil {
		c.Log().Warn("deploy not recorded in memory", "error", err.Error())
	}
}
