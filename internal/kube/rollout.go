package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
)

// Workload kinds that roll out, as rollout_status names them.
const (
	KindDeployment  = "deployment"
	KindStatefulSet = "statefulset"
	KindDaemonSet   = "daemonset"
)

var workloadGVR = map[string]schema.GroupVersionResource{
	KindDeployment:  {Group: "apps", Version: "v1", Resource: "deployments"},
	KindStatefulSet: {Group: "apps", Version: "v1", Resource: "statefulsets"},
	KindDaemonSet:   {Group: "apps", Version: "v1", Resource: "daemonsets"},
}

var workloadGK = map[string]schema.GroupKind{
	KindDeployment:  {Group: "apps", Kind: "Deployment"},
	KindStatefulSet: {Group: "apps", Kind: "StatefulSet"},
	KindDaemonSet:   {Group: "apps", Kind: "DaemonSet"},
}

// WorkloadKind maps an apps/v1 Kind ("Deployment") to its rollout kind, or "".
func WorkloadKind(gk schema.GroupKind) string {
	for k, v := range workloadGK {
		if v == gk {
			return k
		}
	}
	return ""
}

// Rollout is the rollout state of one workload, judged as `kubectl rollout
// status` judges it (rolloutLine).
type Rollout struct {
	Kind               string   `json:"kind"`
	Name               string   `json:"name"`
	Namespace          string   `json:"namespace"`
	Generation         int64    `json:"generation"`
	ObservedGeneration int64    `json:"observed_generation"`
	Desired            int64    `json:"desired"`
	Updated            int64    `json:"updated"`
	Ready              int64    `json:"ready"`
	Available          int64    `json:"available"`
	Done               bool     `json:"done"`
	Message            string   `json:"message"`           // kubectl rollout status's line
	Reasons            []string `json:"reasons,omitempty"` // why it is not done
	TimedOut           bool     `json:"timed_out,omitempty"`
	// DeadlineExceeded: the rollout cannot finish without a change; waiting stops.
	DeadlineExceeded bool `json:"progress_deadline_exceeded,omitempty"`
}

// Failed reports a rollout that failed or did not finish within the wait,
// as kubectl rollout status exits 1 for both.
func (r Rollout) Failed() bool { return r.DeadlineExceeded || r.TimedOut }

// Summary is one line: kind/name, counts, and done or why not.
func (r Rollout) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s in %s: ", r.Kind, r.Name, r.Namespace)
	if r.Done {
		fmt.Fprintf(&b, "rolled out (%d/%d updated, %d ready, %d available)", r.Updated, r.Desired, r.Ready, r.Available)
	} else {
		state := "in progress"
		if r.TimedOut {
			state = "NOT done when the wait timed out"
		} else if r.DeadlineExceeded {
			state = "FAILED"
		}
		fmt.Fprintf(&b, "%s (%d/%d updated, %d ready, %d available)", state, r.Updated, r.Desired, r.Ready, r.Available)
	}
	if r.Message != "" && !r.Done {
		b.WriteString("; " + strings.TrimSpace(r.Message))
	}
	for _, why := range r.Reasons {
		b.WriteString("\n  - " + why)
	}
	return b.String()
}

// CheckWorkloadKind refuses a kind rollout_status does not know.
func CheckWorkloadKind(kind string) error {
	if _, ok := workloadGVR[kind]; !ok {
		return fmt.Errorf("kind %q is not one of deployment, statefulset, daemonset", kind)
	}
	return nil
}

func (c *Cluster) getWorkload(ctx context.Context, kind, ns, name string) (*unstructured.Unstructured, error) {
	obj, err := c.Dynamic.Resource(workloadGVR[kind]).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, c.Explain(err, "get", workloadGVR[kind].Resource+"/"+name, ns)
	}
	return obj, nil
}

// RolloutStatus reads a workload once and judges its rollout; when not
// done it says why (pod states and recent warning events).
func (c *Cluster) RolloutStatus(ctx context.Context, kind, ns, name string) (Rollout, error) {
	if err := CheckWorkloadKind(kind); err != nil {
		return Rollout{}, err
	}
	obj, err := c.getWorkload(ctx, kind, ns, name)
	if err != nil {
		return Rollout{}, err
	}
	r, err := judge(kind, obj)
	if err == nil && !r.Done {
		r.Reasons = append(r.Reasons, c.diagnose(ctx, obj)...)
	}
	return r, err
}

// WaitRollout watches (never polls) a workload until its rollout is done,
// fails, the timeout passes, or ctx ends; progress sees every change.
func (c *Cluster) WaitRollout(ctx context.Context, kind, ns, name string, timeout time.Duration, progress func(Rollout)) (Rollout, error) {
	if err := CheckWorkloadKind(kind); err != nil {
		return Rollout{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last Rollout
	var lastObj *unstructured.Unstructured
	finish := func() (Rollout, error) {
		if ctx.Err() != nil {
			return last, fmt.Errorf("waiting for %s/%s rollout: %w", kind, name, context.Cause(ctx))
		}
		last.TimedOut = !last.Done && !last.DeadlineExceeded
		if !last.Done && lastObj != nil {
			// The wait's own deadline passed; diagnosing gets a little time of its own.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			last.Reasons = append(last.Reasons, c.diagnose(dctx, lastObj)...)
		}
		return last, nil
	}
	for {
		obj, err := c.getWorkload(wctx, kind, ns, name)
		if err != nil {
			if wctx.Err() != nil && lastObj != nil {
				return finish()
			}
			return last, err
		}
		if last, err = judge(kind, obj); err != nil {
			return last, err
		}
		lastObj = obj
		if progress != nil {
			progress(last)
		}
		if last.Done || last.DeadlineExceeded {
			return finish()
		}
		w, err := c.Dynamic.Resource(workloadGVR[kind]).Namespace(ns).Watch(wctx, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String(), ResourceVersion: obj.GetResourceVersion(),
		})
		if err != nil {
			if wctx.Err() != nil {
				return finish()
			}
			return last, c.Explain(err, "watch", workloadGVR[kind].Resource+"/"+name, ns)
		}
		done, err := c.consume(wctx, w, kind, &last, &lastObj, progress)
		w.Stop()
		if err != nil {
			return last, err
		}
		if done || wctx.Err() != nil {
			return finish()
		}
		// The watch closed (server timeout or restart): read again and re-watch.
	}
}

// consume reads watch events until the rollout ends or the watch closes.
func (c *Cluster) consume(ctx context.Context, w watch.Interface, kind string, last *Rollout, lastObj **unstructured.Unstructured, progress func(Rollout)) (bool, error) {
	for {
		select {
		case <-ctx.Done():
			return false, nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return false, nil
			}
			switch ev.Type {
			case watch.Deleted:
				return false, fmt.Errorf("%s/%s was deleted while waiting for its rollout", kind, last.Name)
			case watch.Error:
				return false, nil // e.g. resource version too old: re-list
			case watch.Added, watch.Modified:
				obj, ok := ev.Object.(*unstructured.Unstructured)
				if !ok {
					continue
				}
				r, err := judge(kind, obj)
				if err != nil {
					return false, err
				}
				*last, *lastObj = r, obj
				if progress != nil {
					progress(r)
				}
				if r.Done || r.DeadlineExceeded {
					return true, nil
				}
			}
		}
	}
}

// judge applies kubectl's status viewer to the object.
func judge(kind string, obj *unstructured.Unstructured) (Rollout, error) {
	r := Rollout{Kind: kind, Name: obj.GetName(), Namespace: obj.GetNamespace(), Generation: obj.GetGeneration()}
	r.ObservedGeneration, _, _ = unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	num := func(path ...string) int64 {
		v, _, _ := unstructured.NestedInt64(obj.Object, path...)
		return v
	}
	if kind == KindDaemonSet {
		r.Desired, r.Updated = num("status", "desiredNumberScheduled"), num("status", "updatedNumberScheduled")
		r.Ready, r.Available = num("status", "numberReady"), num("status", "numberAvailable")
	} else {
		r.Desired = 1
		if v, found, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); found {
			r.Desired = v
		}
		r.Updated, r.Ready, r.Available = num("status", "updatedReplicas"), num("status", "readyReplicas"), num("status", "availableReplicas")
	}
	msg, done, deadline, err := rolloutLine(kind, obj)
	if deadline {
		r.DeadlineExceeded = true
		r.Reasons = append(r.Reasons, "ProgressDeadlineExceeded: "+msg)
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.Done, r.Message = done, strings.TrimSpace(msg)
	// kubectl calls a scale-down done once observed, while the surplus pods
	// still count; opsmcp waits until the replicas match.
	if replicas, found, _ := unstructured.NestedInt64(obj.Object, "status", "replicas"); done && kind != KindDaemonSet && found && replicas != r.Desired {
		r.Done = false
		r.Message = fmt.Sprintf("Waiting for %s %q to scale: %d replicas of %d desired remain", kind, r.Name, replicas, r.Desired)
	}
	return r, nil
}

// rolloutLine is kubectl rollout status's judgement of a workload (its
// status viewers, k8s.io/kubectl/pkg/polymorphichelpers; TestRolloutLine
// holds the two to the same answers): the line kubectl prints, whether the
// rollout is done, and whether a Deployment is past its progress deadline.
// kubectl's package is not linked for it: it brings in some 160 packages
// (kustomize, printers) and doubles the size of every opsmcp binary.
func rolloutLine(kind string, obj *unstructured.Unstructured) (line string, done, deadline bool, err error) {
	from := func(into any) error {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into); err != nil {
			return fmt.Errorf("reading %s %q: %v", kind, obj.GetName(), err)
		}
		return nil
	}
	switch kind {
	case KindDeployment:
		var d appsv1.Deployment
		if err := from(&d); err != nil {
			return "", false, false, err
		}
		st := d.Status
		if d.Generation > st.ObservedGeneration {
			return "Waiting for deployment spec update to be observed...", false, false, nil
		}
		for _, c := range st.Conditions {
			if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
				return fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name), false, true, nil
			}
		}
		switch {
		case d.Spec.Replicas != nil && st.UpdatedReplicas < *d.Spec.Replicas:
			return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...", d.Name, st.UpdatedReplicas, *d.Spec.Replicas), false, false, nil
		case st.Replicas > st.UpdatedReplicas:
			return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...", d.Name, st.Replicas-st.UpdatedReplicas), false, false, nil
		case st.AvailableReplicas < st.UpdatedReplicas:
			return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...", d.Name, st.AvailableReplicas, st.UpdatedReplicas), false, false, nil
		}
		return fmt.Sprintf("deployment %q successfully rolled out", d.Name), true, false, nil
	case KindDaemonSet:
		var ds appsv1.DaemonSet
		if err := from(&ds); err != nil {
			return "", false, false, err
		}
		if ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
			return "", false, false, fmt.Errorf("rollout status is only available for RollingUpdate strategy type")
		}
		st := ds.Status
		switch {
		case ds.Generation > st.ObservedGeneration:
			return "Waiting for daemon set spec update to be observed...", false, false, nil
		case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
			return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...", ds.Name, st.UpdatedNumberScheduled, st.DesiredNumberScheduled), false, false, nil
		case st.NumberAvailable < st.DesiredNumberScheduled:
			return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...", ds.Name, st.NumberAvailable, st.DesiredNumberScheduled), false, false, nil
		}
		return fmt.Sprintf("daemon set %q successfully rolled out", ds.Name), true, false, nil
	case KindStatefulSet:
		var ss appsv1.StatefulSet
		if err := from(&ss); err != nil {
			return "", false, false, err
		}
		spec, st := ss.Spec, ss.Status
		if spec.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
			return "", false, false, fmt.Errorf("rollout status is only available for RollingUpdate strategy type")
		}
		if st.ObservedGeneration == 0 || ss.Generation > st.ObservedGeneration {
			return "Waiting for statefulset spec update to be observed...", false, false, nil
		}
		if spec.Replicas != nil && st.ReadyReplicas < *spec.Replicas {
			return fmt.Sprintf("Waiting for %d pods to be ready...", *spec.Replicas-st.ReadyReplicas), false, false, nil
		}
		if ru := spec.UpdateStrategy.RollingUpdate; ru != nil {
			// A partition holds pods below it back: done once those above it are updated.
			if spec.Replicas != nil && ru.Partition != nil && st.UpdatedReplicas < *spec.Replicas-*ru.Partition {
				return fmt.Sprintf("Waiting for partitioned roll out to finish: %d out of %d new pods have been updated...", st.UpdatedReplicas, *spec.Replicas-*ru.Partition), false, false, nil
			}
			return fmt.Sprintf("partitioned roll out complete: %d new pods have been updated...", st.UpdatedReplicas), true, false, nil
		}
		if st.UpdateRevision != st.CurrentRevision {
			return fmt.Sprintf("waiting for statefulset rolling update to complete %d pods at revision %s...", st.UpdatedReplicas, st.UpdateRevision), false, false, nil
		}
		return fmt.Sprintf("statefulset rolling update complete %d pods at revision %s...", st.CurrentReplicas, st.CurrentRevision), true, false, nil
	}
	return "", false, false, CheckWorkloadKind(kind)
}

// maxReasons bounds how many pod problems and events a diagnosis lists.
const maxReasons = 8

// diagnose says why a workload is not rolled out: the problems of its
// pods, then its recent warning events (its own, its ReplicaSets', its pods').
func (c *Cluster) diagnose(ctx context.Context, obj *unstructured.Unstructured) []string {
	var out []string
	ns, name := obj.GetNamespace(), obj.GetName()
	sel, found, _ := unstructured.NestedMap(obj.Object, "spec", "selector")
	pods := map[string]bool{}
	if found {
		var ls metav1.LabelSelector
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(sel, &ls); err == nil {
			if s, err := metav1.LabelSelectorAsSelector(&ls); err == nil {
				list, err := c.Core.Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: s.String(), Limit: pageSize})
				if err != nil {
					out = append(out, c.Explain(err, "list", "pods", ns).Error())
				} else {
					now := time.Now()
					seen := map[string]bool{}
					for i := range list.Items {
						p := SummarizePod(&list.Items[i], now)
						pods[p.Name] = true
						if p.IsReady() {
							continue
						}
						for _, why := range p.Reasons {
							// Many replicas share one cause: say it once, with a count.
							if !seen[why] {
								seen[why] = true
								out = append(out, fmt.Sprintf("pod %s: %s", p.Name, why))
							}
						}
					}
				}
			}
		}
	}
	if len(out) > maxReasons {
		out = out[:maxReasons]
	}
	events, err := c.Events(ctx, ns, EventFilter{WarningsOnly: true})
	if err != nil {
		return append(out, err.Error())
	}
	seen := map[string]bool{}
	n := 0
	for _, e := range events { // newest first
		kind, obj, _ := strings.Cut(e.Object, "/")
		if obj != name && !pods[obj] && (kind != "ReplicaSet" || !strings.HasPrefix(obj, name+"-")) {
			continue
		}
		// Replicas repeat one cause; say it once.
		if seen[e.Reason+e.Message] {
			continue
		}
		seen[e.Reason+e.Message] = true
		out = append(out, fmt.Sprintf("event %s on %s: %s", e.Reason, e.Object, e.Message))
		if n++; n == 5 {
			break
		}
	}
	return out
}

// eventTime is when an event last happened, whichever field carries it.
func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	case e.Series != nil:
		return e.Series.LastObservedTime.Time
	}
	return e.CreationTimestamp.Time
}
