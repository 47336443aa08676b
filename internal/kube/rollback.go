package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// RolloutChange is what rollout_restart or rollout_undo changed, or would
// change in a dry run: the template paths (never values) and, for an
// undo, the revisions.
type RolloutChange struct {
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Namespace    string   `json:"namespace"`
	DryRun       bool     `json:"dry_run"`
	FromRevision int64    `json:"from_revision,omitempty"`
	ToRevision   int64    `json:"to_revision,omitempty"`
	Changed      []string `json:"changed"`
	// Skipped says why nothing was changed (the template already is
	// the target revision's).
	Skipped string `json:"skipped,omitempty"`
}

// Summary is the change as a person reads it.
func (r RolloutChange) Summary(verb string) string {
	s := fmt.Sprintf("%s/%s in %s", r.Kind, r.Name, r.Namespace)
	switch {
	case r.Skipped != "":
		return s + ": " + r.Skipped
	case r.ToRevision > 0:
		s += fmt.Sprintf(" %s from revision %d to revision %d", verb, r.FromRevision, r.ToRevision)
	default:
		s += " " + verb
	}
	if r.DryRun {
		s += " (server dry run: nothing changed)"
	}
	if len(r.Changed) > 0 {
		s += "; template paths: " + strings.Join(r.Changed, ", ")
	}
	return s
}

// restartedAt is the template annotation `kubectl rollout restart` sets.
const restartedAt = "kubectl.kubernetes.io/restartedAt"

// ErrPaused: a paused Deployment is neither restarted nor rolled back,
// as kubectl refuses.
var ErrPaused = errors.New("the deployment is paused: resume it first (kubectl rollout resume)")

// Restart sets the restartedAt template annotation, as `kubectl rollout
// restart` does, so the controller replaces every pod.
func (c *Cluster) Restart(ctx context.Context, kind, ns, name string, dryRun bool, now time.Time) (RolloutChange, error) {
	if err := CheckWorkloadKind(kind); err != nil {
		return RolloutChange{}, err
	}
	obj, err := c.getWorkload(ctx, kind, ns, name)
	if err != nil {
		return RolloutChange{}, err
	}
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "paused"); paused {
		return RolloutChange{}, fmt.Errorf("%s/%s: %w", kind, name, ErrPaused)
	}
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{restartedAt: now.Format(time.RFC3339)}}}}})
	res := RolloutChange{Kind: kind, Name: name, Namespace: ns, DryRun: dryRun}
	after, err := c.patchWorkload(ctx, kind, ns, name, types.StrategicMergePatchType, patch, dryRun)
	if err != nil {
		return res, err
	}
	res.Changed = templateChanges(obj, after)
	return res, nil
}

// Undo rolls a workload back to a revision (0: the one before the
// current), as `kubectl rollout undo` does: a Deployment takes its
// ReplicaSet's template, a StatefulSet or DaemonSet its ControllerRevision.
func (c *Cluster) Undo(ctx context.Context, kind, ns, name string, toRevision int64, dryRun bool) (RolloutChange, error) {
	if err := CheckWorkloadKind(kind); err != nil {
		return RolloutChange{}, err
	}
	obj, err := c.getWorkload(ctx, kind, ns, name)
	if err != nil {
		return RolloutChange{}, err
	}
	res := RolloutChange{Kind: kind, Name: name, Namespace: ns, DryRun: dryRun, Changed: []string{}}
	var patchType types.PatchType
	var patch []byte
	switch kind {
	case KindDeployment:
		if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "paused"); paused {
			return res, fmt.Errorf("%s/%s: %w", kind, name, ErrPaused)
		}
		res.FromRevision, res.ToRevision, patch, err = c.deploymentRevision(ctx, ns, name, toRevision)
		patchType = types.JSONPatchType
	default:
		res.FromRevision, res.ToRevision, patch, err = c.controllerRevision(ctx, kind, obj, toRevision)
		patchType = types.StrategicMergePatchType
	}
	if err != nil {
		return res, err
	}
	// The server's dry run says what the template becomes; equal means
	// the workload already runs that revision (kubectl skips too).
	after, err := c.patchWorkload(ctx, kind, ns, name, patchType, patch, true)
	if err != nil {
		return res, err
	}
	res.Changed = templateChanges(obj, after)
	if len(res.Changed) == 0 {
		res.Skipped = fmt.Sprintf("skipped: the template already is revision %d's", res.ToRevision)
		return res, nil
	}
	if !dryRun {
		if _, err := c.patchWorkload(ctx, kind, ns, name, patchType, patch, false); err != nil {
			return res, err
		}
	}
	return res, nil
}

// deploymentRevision finds the ReplicaSet of a revision and the JSON
// patch that makes its template the Deployment's.
func (c *Cluster) deploymentRevision(ctx context.Context, ns, name string, want int64) (from, to int64, patch []byte, err error) {
	d, err := c.Apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return 0, 0, nil, c.Explain(err, "get", "deployments/"+name, ns)
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return 0, 0, nil, err
	}
	list, err := c.Apps.ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return 0, 0, nil, c.Explain(err, "list", "replicasets", ns)
	}
	from, _ = strconv.ParseInt(d.Annotations[revisionAnnotation], 10, 64)
	byRevision := map[int64]*appsv1.ReplicaSet{}
	for i := range list.Items {
		rs := &list.Items[i]
		if !metav1.IsControlledBy(rs, d) {
			continue
		}
		if n, err := strconv.ParseInt(rs.Annotations[revisionAnnotation], 10, 64); err == nil {
			byRevision[n] = rs
		}
	}
	// As kubectl: the newest ReplicaSet's revision is the current one; the
	// Deployment's own annotation lags while its controller catches up.
	for n := range byRevision {
		from = max(from, n)
	}
	to, err = pickRevision("deployment/"+name, from, want, byRevision)
	if err != nil {
		return 0, 0, nil, err
	}
	tmpl := byRevision[to].Spec.Template.DeepCopy()
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	patch, err = json.Marshal([]map[string]any{{"op": "replace", "path": "/spec/template", "value": tmpl}})
	return from, to, patch, err
}

const revisionAnnotation = "deployment.kubernetes.io/revision"

// controllerRevision finds a StatefulSet's or DaemonSet's revision; its
// data is the strategic merge patch that restores the template.
func (c *Cluster) controllerRevision(ctx context.Context, kind string, obj *unstructured.Unstructured, want int64) (from, to int64, patch []byte, err error) {
	ns, name := obj.GetNamespace(), obj.GetName()
	selMap, _, _ := unstructured.NestedMap(obj.Object, "spec", "selector")
	var ls metav1.LabelSelector
	if err := decodeMap(selMap, &ls); err != nil {
		return 0, 0, nil, err
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return 0, 0, nil, err
	}
	list, err := c.Apps.ControllerRevisions(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return 0, 0, nil, c.Explain(err, "list", "controllerrevisions", ns)
	}
	byRevision := map[int64]*appsv1.ControllerRevision{}
	for i := range list.Items {
		cr := &list.Items[i]
		if !metav1.IsControlledBy(cr, obj) {
			continue
		}
		byRevision[cr.Revision] = cr
	}
	// As kubectl: the newest revision is the current one (status may lag).
	for n := range byRevision {
		from = max(from, n)
	}
	to, err = pickRevision(kind+"/"+name, from, want, byRevision)
	if err != nil {
		return 0, 0, nil, err
	}
	return from, to, byRevision[to].Data.Raw, nil
}

func decodeMap(m map[string]any, into any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// pickRevision is want, or the newest revision before the current one.
func pickRevision[T any](what string, current, want int64, byRevision map[int64]T) (int64, error) {
	revs := slices.Sorted(maps.Keys(byRevision))
	names := make([]string, len(revs))
	for i, n := range revs {
		names[i] = strconv.FormatInt(n, 10)
	}
	list := strings.Join(names, ", ")
	if want > 0 {
		if _, ok := byRevision[want]; !ok {
			return 0, fmt.Errorf("%s has no revision %d (its revisions: %s)", what, want, list)
		}
		return want, nil
	}
	for i := len(revs) - 1; i >= 0; i-- {
		if revs[i] < current {
			return revs[i], nil
		}
	}
	return 0, fmt.Errorf("%s has no revision before its current one (%d) to roll back to (its revisions: %s)", what, current, list)
}

// patchWorkload patches through the dynamic client (one path for every
// kind), as opsmcp's field manager.
func (c *Cluster) patchWorkload(ctx context.Context, kind, ns, name string, pt types.PatchType, patch []byte, dryRun bool) (*unstructured.Unstructured, error) {
	opts := metav1.PatchOptions{FieldManager: "opsmcp"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := c.Dynamic.Resource(workloadGVR[kind]).Namespace(ns).Patch(ctx, name, pt, patch, opts)
	if err != nil {
		return nil, c.Explain(err, "patch", workloadGVR[kind].Resource+"/"+name, ns)
	}
	return out, nil
}

// templateChanges are the pod template paths that differ.
func templateChanges(before, after *unstructured.Unstructured) []string {
	b, _, _ := unstructured.NestedMap(before.Object, "spec", "template")
	a, _, _ := unstructured.NestedMap(after.Object, "spec", "template")
	out := []string{}
	for _, p := range ChangedPaths(b, a) {
		out = append(out, "spec.template."+p)
	}
	return out
}
