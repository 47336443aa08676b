package kube

import (
	"github.com/opsmcp/opsmcp/internal/contract/driftctx"

	"context"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/contract/kubectx"
	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GatherContextInput is the input of gather_context.
type GatherContextInput struct {
	Context string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope: gather_context reads every allowed namespace.
func (in GatherContextInput) CacheScope() string { return "" }

// The kube server's gather_context contract (internal/contract).
type (
	KubeContext       = kubectx.KubeContext
	UnhealthyWorkload = kubectx.UnhealthyWorkload
	NotReadyPod       = kubectx.NotReadyPod
	WarningEvent      = kubectx.WarningEvent
	CrashLog          = kubectx.CrashLog
	FailingRelease    = kubectx.FailingRelease
)

// Bounds on what gather_context lists (counts stay exact).
const (
	maxNotReadyPods   = 20
	maxRecentWarnings = 20
	maxCrashLogs      = 5  // containers
	crashLogLines     = 10 // lines of each
)

var gatherContext = mcpkit.NewTool(mcpkit.Def{
	Name:        "gather_context",
	Toolset:     "context",
	Description: "Unhealthy workloads, not-ready pods and the last hour's warnings in the allowed namespaces.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     30 * time.Second,
	CacheTTL:    5 * time.Second,
}, func(ctx context.Context, c *mcpkit.Call, in GatherContextInput) (KubeContext, error) {
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, in.Context)
	if err != nil {
		return KubeContext{}, err
	}
	res := KubeContext{Context: cl.Context, Server: cl.Server, Namespaces: cl.Namespaces(),
		Unhealthy: []UnhealthyWorkload{}, NotReadyPods: []NotReadyPod{}, RecentWarnings: []WarningEvent{}}
	if res.Namespaces == nil {
		res.Namespaces = []string{}
	}
	if c.Runtime.Memory != nil {
		if res.Drift, err = driftctx.Latest(ctx, c.Runtime.Memory, "kubernetes", "", nil); err != nil {
			return res, err
		}
	}
	scan := res.Namespaces
	if len(scan) == 0 {
		scan = []string{metav1.NamespaceAll}
	}
	if res.ServerVersion, err = cl.ServerVersion(ctx); err != nil {
		return res, err
	}
	type nsResult struct {
		unhealthy []UnhealthyWorkload
		pods      []NotReadyPod
		crashing  []CrashLog // pod and container; lines read after
		notReady  int
		warnings  []WarningEvent
	}
	results := make([]nsResult, len(scan))
	g, gctx := errgroup.WithContext(ctx)
	for i, ns := range scan {
		g.Go(func() error {
			r := &results[i]
			deps, err := cl.Apps.Deployments(ns).List(gctx, metav1.ListOptions{})
			if err != nil {
				return cl.Explain(err, "list", "deployments", ns)
			}
			for _, d := range deps.Items {
				s := summarizeDeployment(&d, time.Now())
				if !s.Healthy {
					r.unhealthy = append(r.unhealthy, UnhealthyWorkload{Kind: "Deployment", Namespace: d.Namespace, Name: d.Name, Desired: s.Desired, Available: s.Available, Updated: s.Updated})
				}
			}
			sts, err := cl.Apps.StatefulSets(ns).List(gctx, metav1.ListOptions{})
			if err != nil {
				return cl.Explain(err, "list", "statefulsets", ns)
			}
			for _, s := range sts.Items {
				want := int32(1)
				if s.Spec.Replicas != nil {
					want = *s.Spec.Replicas
				}
				if s.Status.AvailableReplicas < want || s.Status.UpdatedReplicas < want {
					r.unhealthy = append(r.unhealthy, UnhealthyWorkload{Kind: "StatefulSet", Namespace: s.Namespace, Name: s.Name, Desired: want, Available: s.Status.AvailableReplicas, Updated: s.Status.UpdatedReplicas})
				}
			}
			dss, err := cl.Apps.DaemonSets(ns).List(gctx, metav1.ListOptions{})
			if err != nil {
				return cl.Explain(err, "list", "daemonsets", ns)
			}
			for _, d := range dss.Items {
				st := d.Status
				if st.NumberAvailable < st.DesiredNumberScheduled || st.UpdatedNumberScheduled < st.DesiredNumberScheduled {
					r.unhealthy = append(r.unhealthy, UnhealthyWorkload{Kind: "DaemonSet", Namespace: d.Namespace, Name: d.Name, Desired: st.DesiredNumberScheduled, Available: st.NumberAvailable, Updated: st.UpdatedNumberScheduled})
				}
			}
			page, err := cl.ListPods(gctx, ns, metav1.ListOptions{FieldSelector: "status.phase!=Succeeded"}, 0)
			if err != nil {
				return err
			}
			for _, p := range page.Pods {
				if p.IsReady() {
					continue
				}
				r.notReady++
				r.pods = append(r.pods, NotReadyPod{Namespace: p.Namespace(), Name: p.Name, Status: p.Status(), Reasons: p.Reasons})
				for _, ct := range p.CrashLooping() {
					r.crashing = append(r.crashing, CrashLog{Namespace: p.Namespace(), Pod: p.Name, Container: ct})
				}
			}
			events, err := cl.Events(gctx, ns, kube.EventFilter{WarningsOnly: true, Since: time.Hour, Limit: maxRecentWarnings})
			if err != nil {
				return err
			}
			for _, e := range events {
				r.warnings = append(r.warnings, WarningEvent{Namespace: e.Namespace(), EventSummary: e})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	for _, r := range results {
		res.Unhealthy = append(res.Unhealthy, r.unhealthy...)
		res.NotReadyCount += r.notReady
		res.NotReadyPods = append(res.NotReadyPods, r.pods...)
		res.RecentWarnings = append(res.RecentWarnings, r.warnings...)
		res.CrashLogs = append(res.CrashLogs, r.crashing...)
	}
	res.CrashLogs = crashLogs(ctx, c, cl, res.CrashLogs[:min(len(res.CrashLogs), maxCrashLogs)])
	res.FailingReleases, res.HelmNote = failingReleases(cl, scan)
	res.NotReadyPods = res.NotReadyPods[:min(len(res.NotReadyPods), maxNotReadyPods)]
	res.RecentWarnings = res.RecentWarnings[:min(len(res.RecentWarnings), maxRecentWarnings)]
	return res, nil
})

// crashLogs reads the last lines of each crash-looping container: its
// previous instance's (the one that crashed), else the current one's; a
// log that cannot be read is left out. Secret values the pods reference
// are masked like get_logs masks them.
func crashLogs(ctx context.Context, c *mcpkit.Call, cl *kube.Cluster, crashing []CrashLog) []CrashLog {
	out := make([]CrashLog, len(crashing))
	g, gctx := errgroup.WithContext(ctx)
	for i, cr := range crashing {
		g.Go(func() error {
			for _, previous := range []bool{true, false} {
				logs, err := cl.LogsOf(gctx, kube.LogsRequest{Namespace: cr.Namespace, Target: cr.Pod, Container: cr.Container,
					Previous: previous, TailLines: crashLogLines, MaxBytes: 4096})
				if logs != nil {
					c.Secrets.Add(logs.Secrets...)
				}
				if err == nil && len(logs.Pods) == 1 && len(logs.Pods[0].Lines) > 0 {
					cr.Lines = logs.Pods[0].Lines
					out[i] = cr
					return nil
				}
			}
			return nil
		})
	}
	g.Wait()
	return slices.DeleteFunc(out, func(l CrashLog) bool { return l.Lines == nil })
}

// failingReleases are the Helm releases of the scanned namespaces whose
// latest revision is not deployed (failed, pending-*). A cluster where
// releases cannot be read (no RBAC on Secrets) is noted, not an error.
func failingReleases(cl *kube.Cluster, namespaces []string) ([]FailingRelease, string) {
	var out []FailingRelease
	for _, ns := range namespaces {
		h, err := helm.New(cl, ns)
		if err != nil {
			return out, err.Error()
		}
		rels, err := h.List("")
		if err != nil {
			return out, "Helm releases not read: " + err.Error()
		}
		for _, r := range rels {
			if r.Status != "deployed" && r.Status != "superseded" && r.Status != "uninstalled" {
				out = append(out, FailingRelease{Namespace: r.Namespace, Name: r.Name, Revision: r.Revision, Status: r.Status, Chart: r.Chart, Description: r.Description})
			}
		}
	}
	return out, ""
}
