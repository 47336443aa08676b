// Package kubectx is the kube server's contract with the others: its
// gather_context result, one exported type that the server returns and the
// rules expert reads. A renamed field is a compile error on both sides, not
// a silent empty value. It imports only the kube server's own domain, so
// linking it costs no other server's dependencies.
package kubectx

import (
	"github.com/opsmcp/opsmcp/internal/contract/driftctx"

	"fmt"
	"strings"

	"github.com/opsmcp/opsmcp/internal/kube"
)

// UnhealthyWorkload is a workload whose replicas are not all updated and available.
type UnhealthyWorkload struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Desired   int32  `json:"desired"`
	Available int32  `json:"available"`
	Updated   int32  `json:"updated"`
}

// NotReadyPod is a pod that is not ready, with why.
type NotReadyPod struct {
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Status    string   `json:"status"`
	Reasons   []string `json:"reasons,omitempty"`
}

// KubeContext is the kube server's gather_context result.
type KubeContext struct {
	Context string `json:"context"`
	Server  string `json:"server"`
	// Drift is the latest drift check of each Kubernetes target
	// (detect_drift, scheduled or by opsmcp drift).
	Drift          []driftctx.Brief    `json:"drift,omitempty"`
	ServerVersion  string              `json:"server_version"`
	Namespaces     []string            `json:"namespaces"` // the allowlist; empty = all
	Unhealthy      []UnhealthyWorkload `json:"unhealthy_workloads"`
	NotReadyPods   []NotReadyPod       `json:"not_ready_pods"`
	NotReadyCount  int                 `json:"not_ready_count"`
	RecentWarnings []WarningEvent      `json:"recent_warnings"`
	// CrashLogs are the last lines of crash-looping containers (their
	// previous instance's, where it has one).
	CrashLogs []CrashLog `json:"crash_logs,omitempty"`
	// FailingReleases are Helm releases whose latest revision failed or
	// is stuck pending; HelmNote says why releases could not be read.
	FailingReleases []FailingRelease `json:"failing_releases,omitempty"`
	HelmNote        string           `json:"helm_note,omitempty"`
}

// FailingRelease is a Helm release that is not deployed.
type FailingRelease struct {
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	Revision    int    `json:"revision"`
	Status      string `json:"status"`
	Chart       string `json:"chart"`
	Description string `json:"description,omitempty"`
}

// CrashLog is the end of a crash-looping container's log.
type CrashLog struct {
	Namespace string   `json:"namespace"`
	Pod       string   `json:"pod"`
	Container string   `json:"container"`
	Lines     []string `json:"lines"`
}

// WarningEvent is a recent warning with where it happened.
type WarningEvent struct {
	Namespace string `json:"namespace"`
	kube.EventSummary
}

func (r KubeContext) SummaryText() string {
	var b strings.Builder
	where := "all namespaces"
	if len(r.Namespaces) > 0 {
		where = "namespaces " + strings.Join(r.Namespaces, ", ")
	}
	fmt.Fprintf(&b, "Context %s (%s, Kubernetes %s), %s: %d unhealthy workloads, %d pods not ready, %d warnings in the last hour.",
		r.Context, r.Server, r.ServerVersion, where, len(r.Unhealthy), r.NotReadyCount, len(r.RecentWarnings))
	for _, w := range r.Unhealthy {
		fmt.Fprintf(&b, "\n  %s %s/%s: %d/%d available, %d updated", w.Kind, w.Namespace, w.Name, w.Available, w.Desired, w.Updated)
	}
	for _, p := range r.NotReadyPods {
		fmt.Fprintf(&b, "\n  pod %s/%s %s", p.Namespace, p.Name, p.Status)
	}
	for _, e := range r.RecentWarnings {
		fmt.Fprintf(&b, "\n  warning %s %s/%s %s ago: %s", e.Reason, e.Namespace, e.Object, e.LastSeen, e.Message)
	}
	for _, f := range r.FailingReleases {
		fmt.Fprintf(&b, "\n  helm release %s/%s revision %d %s (%s): %s", f.Namespace, f.Name, f.Revision, f.Status, f.Chart, f.Description)
	}
	for _, l := range r.CrashLogs {
		fmt.Fprintf(&b, "\n  last lines of crash-looping %s/%s container %s:", l.Namespace, l.Pod, l.Container)
		for _, line := range l.Lines {
			b.WriteString("\n    " + line)
		}
	}
	return b.String()
}
