package kube

import (
	"context"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

// EventSummary is one event as get_events reports it.
type EventSummary struct {
	Type     string `json:"type"`
	Reason   string `json:"reason"`
	Object   string `json:"object"` // Kind/name
	Message  string `json:"message"`
	Count    int32  `json:"count"`
	LastSeen string `json:"last_seen"` // age
	at       time.Time
	ns       string
}

// Namespace is the event's namespace.
func (e EventSummary) Namespace() string { return e.ns }

// EventFilter narrows an event listing; empty fields match everything.
type EventFilter struct {
	Kind, Name   string
	WarningsOnly bool
	Since        time.Duration // only events newer than this; 0 = all
	Limit        int
}

// Events lists events of namespace ns ("" = all namespaces), warnings first,
// then newest first.
func (c *Cluster) Events(ctx context.Context, ns string, f EventFilter) ([]EventSummary, error) {
	set := fields.Set{}
	if f.Kind != "" {
		set["involvedObject.kind"] = f.Kind
	}
	if f.Name != "" {
		set["involvedObject.name"] = f.Name
	}
	if f.WarningsOnly {
		set["type"] = corev1.EventTypeWarning
	}
	list, err := c.Core.Events(ns).List(ctx, metav1.ListOptions{FieldSelector: fields.SelectorFromSet(set).String()})
	if err != nil {
		return nil, c.Explain(err, "list", "events", ns)
	}
	now := time.Now()
	out := make([]EventSummary, 0, len(list.Items))
	for _, e := range list.Items {
		at := eventTime(e)
		if f.Since > 0 && now.Sub(at) > f.Since {
			continue
		}
		count := e.Count
		if e.Series != nil {
			count = max(count, e.Series.Count)
		}
		out = append(out, EventSummary{Type: e.Type, Reason: e.Reason, Object: e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name,
			Message: strings.TrimSpace(e.Message), Count: max(count, 1), LastSeen: Age(at, now), at: at, ns: e.Namespace})
	}
	sort.SliceStable(out, func(i, j int) bool {
		wi, wj := out[i].Type == corev1.EventTypeWarning, out[j].Type == corev1.EventTypeWarning
		if wi != wj {
			return wi
		}
		return out[i].at.After(out[j].at)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
