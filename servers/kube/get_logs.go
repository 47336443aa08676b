package kube

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GetLogsInput is the input of get_logs.
type GetLogsInput struct {
	Name         string `json:"name" desc:"pod, or kind/name (deployment/web)"`
	Namespace    string `json:"namespace,omitempty" desc:"default: the context's"`
	Container    string `json:"container,omitempty" `
	Previous     bool   `json:"previous,omitempty" `
	TailLines    int64  `json:"tail_lines,omitempty" default:"200" minimum:"1"`
	SinceSeconds int64  `json:"since_seconds,omitempty" minimum:"1"`
	Grep         string `json:"grep,omitempty" maxLength:"512" desc:"RE2"`
	MaxBytes     int    `json:"max_bytes,omitempty" default:"32768" minimum:"1024" maximum:"1048576"`
	Context      string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in GetLogsInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// GetLogsResult is the result of get_logs.
type GetLogsResult struct {
	Context   string `json:"context"`
	Namespace string `json:"namespace"`
	kube.Logs
}

// logPods is how many of a workload's pods get_logs reads, newest first.
const logPods = 10

func (r GetLogsResult) SummaryText() string {
	var b strings.Builder
	for i, p := range r.Pods {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "==> pod %s, container %s (namespace %s, context %s) <==\n", p.Pod, p.Container, r.Namespace, r.Context)
		if p.Error != "" {
			b.WriteString(p.Error + "\n")
			continue
		}
		if p.Cut > 0 {
			fmt.Fprintf(&b, "[%d older lines cut by max_bytes; raise it or narrow with tail_lines, since_seconds or grep]\n", p.Cut)
		}
		for _, l := range p.Lines {
			b.WriteString(l + "\n")
		}
		if p.Unmatched > 0 {
			fmt.Fprintf(&b, "[%d matching lines shown, %d others left out by grep]\n", len(p.Lines)+p.Cut, p.Unmatched)
		}
		if len(p.Lines) == 0 && p.Unmatched == 0 {
			b.WriteString("(no log lines)\n")
		}
	}
	if r.PodsOmitted > 0 {
		fmt.Fprintf(&b, "\n%d older pods not read (the newest %d are shown; name one pod to read it)\n", r.PodsOmitted, logPods)
	}
	if len(r.Unmasked) > 0 {
		fmt.Fprintf(&b, "\nSecrets %s could not be read, so their values are masked only where they look like credentials\n", strings.Join(r.Unmasked, ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

var getLogs = mcpkit.NewTool(mcpkit.Def{
	Name:        "get_logs",
	Toolset:     "kubernetes",
	Title:       "Get container logs",
	Description: "Logs of a pod or a workload's pods: tail, since, previous, grep; Secret values masked.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in GetLogsInput) (GetLogsResult, error) {
	var grep *regexp.Regexp
	if in.Grep != "" {
		var err error
		if grep, err = regexp.Compile(in.Grep); err != nil {
			return GetLogsResult{}, &mcpkit.ArgError{Err: fmt.Errorf("grep is not an RE2 expression: %v", err)}
		}
	}
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return GetLogsResult{}, err
	}
	logs, err := cl.LogsOf(ctx, kube.LogsRequest{Namespace: ns, Target: in.Name, Container: in.Container, Previous: in.Previous,
		TailLines: in.TailLines, SinceSeconds: in.SinceSeconds, Grep: grep, MaxBytes: in.MaxBytes, MaxPods: logPods})
	if logs != nil {
		// Masked in the result, the audit record and memory alike.
		c.Secrets.Add(logs.Secrets...)
	}
	if err != nil {
		return GetLogsResult{}, err
	}
	return GetLogsResult{Context: cl.Context, Namespace: ns, Logs: *logs}, nil
})
