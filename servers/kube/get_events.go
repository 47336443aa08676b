package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GetEventsInput is the input of get_events.
type GetEventsInput struct {
	Namespace    string `json:"namespace,omitempty" desc:"default: the context's"`
	Object       string `json:"object,omitempty" desc:"only events of this object: Kind/name (Pod/web-1) or name"`
	WarningsOnly bool   `json:"warnings_only,omitempty"`
	Limit        int    `json:"limit,omitempty" default:"50" minimum:"1"`
	Context      string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in GetEventsInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// GetEventsResult is the result of get_events.
type GetEventsResult struct {
	Context   string              `json:"context"`
	Namespace string              `json:"namespace"`
	Warnings  int                 `json:"warnings"`
	Events    []kube.EventSummary `json:"events"`
}

func (r GetEventsResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d events in %s (context %s), %d warnings", len(r.Events), r.Namespace, r.Context, r.Warnings)
	for _, e := range r.Events {
		fmt.Fprintf(&b, "\n%s %s %s %s ago", e.Type, e.Reason, e.Object, e.LastSeen)
		if e.Count > 1 {
			fmt.Fprintf(&b, " (x%d)", e.Count)
		}
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

var getEvents = mcpkit.NewTool(mcpkit.Def{
	Name:        "get_events",
	Toolset:     "kubernetes",
	Title:       "Get events",
	Description: "Events of a namespace, warnings first then newest; optionally of one object.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in GetEventsInput) (GetEventsResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return GetEventsResult{}, err
	}
	f := kube.EventFilter{WarningsOnly: in.WarningsOnly, Limit: in.Limit}
	if kind, name, ok := strings.Cut(in.Object, "/"); ok {
		if kind == "" || name == "" {
			return GetEventsResult{}, fmt.Errorf("object %q: want Kind/name, such as Pod/web-1, or a name", in.Object)
		}
		if f.Kind, err = cl.KindOf(kind); err != nil {
			return GetEventsResult{}, err
		}
		f.Name = name
	} else {
		f.Name = in.Object
	}
	events, err := cl.Events(ctx, ns, f)
	if err != nil {
		return GetEventsResult{}, err
	}
	res := GetEventsResult{Context: cl.Context, Namespace: ns, Events: events}
	for _, e := range events {
		if e.Type == "Warning" {
			res.Warnings++
		}
	}
	return res, nil
})
