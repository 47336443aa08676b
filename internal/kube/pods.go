package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodSummary is one pod as get_pods reports it: what `kubectl get pods -o
// wide` shows, plus why containers are not ready. Never env or volumes.
type PodSummary struct {
	Name     string   `json:"name"`
	Phase    string   `json:"phase"`
	Ready    string   `json:"ready"` // "x/y" containers ready
	Restarts int32    `json:"restarts"`
	Age      string   `json:"age"`
	Node     string   `json:"node,omitempty"`
	Reasons  []string `json:"reasons,omitempty"` // why not ready: waiting/terminated reasons, unschedulable
	ready    bool
	ns       string
	// crashLooping are the containers waiting in CrashLoopBackOff.
	crashLooping []string
}

// CrashLooping names the containers waiting in CrashLoopBackOff.
func (p PodSummary) CrashLooping() []string { return p.crashLooping }

// Namespace is the pod's namespace (not serialized: get_pods lists one).
func (p PodSummary) Namespace() string { return p.ns }

// IsReady reports whether every container is ready and the pod runs (or
// has completed).
func (p PodSummary) IsReady() bool { return p.ready }

// Status is kubectl's STATUS column: the first reason, else the phase.
func (p PodSummary) Status() string {
	if len(p.Reasons) > 0 {
		r, _, _ := strings.Cut(p.Reasons[0], ":")
		return r
	}
	return p.Phase
}

// SummarizePod reduces a pod to its summary.
func SummarizePod(p *corev1.Pod, now time.Time) PodSummary {
	s := PodSummary{ns: p.Namespace, Name: p.Name, Phase: string(p.Status.Phase), Age: Age(p.CreationTimestamp.Time, now), Node: p.Spec.NodeName}
	total := len(p.Spec.Containers)
	ready := 0
	for _, cs := range p.Status.ContainerStatuses {
		s.Restarts += cs.RestartCount
		if cs.Ready {
			ready++
			continue
		}
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			s.Reasons = append(s.Reasons, reason(cs.Name, cs.State.Waiting.Reason, cs.State.Waiting.Message))
			if cs.State.Waiting.Reason == "CrashLoopBackOff" {
				s.crashLooping = append(s.crashLooping, cs.Name)
			}
		case cs.State.Terminated != nil:
			s.Reasons = append(s.Reasons, reason(cs.Name, orDefault(cs.State.Terminated.Reason, "Terminated"), cs.State.Terminated.Message))
		}
	}
	for _, cs := range p.Status.InitContainerStatuses {
		s.Restarts += cs.RestartCount
		if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "PodInitializing" {
			s.Reasons = append(s.Reasons, reason("init:"+cs.Name, w.Reason, w.Message))
		}
	}
	s.Ready = fmt.Sprintf("%d/%d", ready, total)
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			s.Reasons = append(s.Reasons, strings.TrimSuffix(orDefault(c.Reason, "NotScheduled")+": "+c.Message, ": "))
		}
	}
	if p.DeletionTimestamp != nil {
		s.Reasons = append([]string{"Terminating"}, s.Reasons...)
	} else if p.Status.Reason != "" {
		s.Reasons = append([]string{strings.TrimSuffix(p.Status.Reason+": "+p.Status.Message, ": ")}, s.Reasons...)
	}
	s.ready = p.DeletionTimestamp == nil && (p.Status.Phase == corev1.PodSucceeded || (p.Status.Phase == corev1.PodRunning && ready == total))
	return s
}

func reason(container, r, msg string) string {
	if msg == "" {
		return fmt.Sprintf("%s: container %s", r, container)
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return fmt.Sprintf("%s: container %s: %s", r, container, msg)
}

// PodPage is one listing of pods.
type PodPage struct {
	Pods     []PodSummary
	Continue string // set when limit cut the listing short
}

// pageSize is the chunk size of listings: large enough for two round trips
// on 1,000 pods, small enough to bound the apiserver's response.
const pageSize = 500

// ListPods lists the pods of namespace ns, following continue tokens in
// pages; with limit > 0 it stops there and returns the token to go on.
func (c *Cluster) ListPods(ctx context.Context, ns string, opts metav1.ListOptions, limit int64) (PodPage, error) {
	var page PodPage
	now := time.Now()
	for {
		opts.Limit = pageSize
		if limit > 0 {
			opts.Limit = min(pageSize, limit-int64(len(page.Pods)))
		}
		list, err := c.Core.Pods(ns).List(ctx, opts)
		if err != nil {
			return page, c.Explain(err, "list", "pods", ns)
		}
		if page.Pods == nil {
			n := len(list.Items)
			if r := list.RemainingItemCount; r != nil && limit == 0 {
				n += int(*r)
			}
			page.Pods = make([]PodSummary, 0, n)
		}
		for i := range list.Items {
			page.Pods = append(page.Pods, SummarizePod(&list.Items[i], now))
		}
		opts.Continue = list.Continue
		if opts.Continue == "" {
			return page, nil
		}
		if limit > 0 && int64(len(page.Pods)) >= limit {
			page.Continue = opts.Continue
			return page, nil
		}
	}
}
