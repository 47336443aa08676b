package kube

// MCP prompts of the kube server: diagnose-rollout and incident-summary,
// gathered through the server's own read tools and the shared memory.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// section is one part of a prompt: a heading and what a read tool said
// (or why it could not say it: a prompt is still useful without it).
func section(ctx context.Context, c *mcpkit.Call, b *strings.Builder, heading, tool string, args map[string]any) {
	fmt.Fprintf(b, "\n## %s\n", heading)
	out := c.CallTool(ctx, tool, args)
	if out.IsError {
		fmt.Fprintf(b, "(%s failed: %s)\n", tool, out.Text)
		return
	}
	b.WriteString(strings.TrimSpace(out.Text) + "\n")
}

var diagnoseRolloutPrompt = mcpkit.Prompt{
	Name: "diagnose-rollout", Title: "Diagnose a rollout", Toolset: "kubernetes",
	Description: "Why a workload is not rolling out: its rollout status, events, recent logs, and the recent changes to it from memory and the audit log.",
	Args: []mcpkit.PromptArg{
		{Name: "workload", Description: "deployment/web, statefulset/db or daemonset/agent (a bare name is a deployment)", Required: true},
		{Name: "namespace", Description: "default: the context's"},
	},
	Render: func(ctx context.Context, c *mcpkit.Call, args map[string]string) (string, error) {
		kind, name, ok := strings.Cut(strings.TrimSpace(args["workload"]), "/")
		if !ok {
			kind, name = "deployment", kind
		}
		kind = strings.ToLower(kind)
		if !slices.Contains([]string{"deployment", "statefulset", "daemonset"}, kind) || name == "" {
			return "", &mcpkit.ArgError{Err: fmt.Errorf("workload %q: give deployment/NAME, statefulset/NAME or daemonset/NAME", args["workload"])}
		}
		ns := args["namespace"]
		var b strings.Builder
		fmt.Fprintf(&b, "Diagnose why %s/%s%s is not healthy, from what the cluster and opsmcp's memory say below. "+
			"Name the most likely cause with the evidence for it, then what would fix it; change nothing until the person agrees "+
			"(a rollout_undo or helm_rollback dry run shows what a rollback would do).\n", kind, name, inNamespace(ns))
		section(ctx, c, &b, "Rollout status", "rollout_status", map[string]any{"kind": kind, "name": name, "namespace": ns})
		section(ctx, c, &b, "Events (warnings first)", "get_events", map[string]any{"namespace": ns, "object": name, "limit": 30})
		section(ctx, c, &b, "Recent logs", "get_logs", map[string]any{"name": kind + "/" + name, "namespace": ns, "tail_lines": 50, "max_bytes": 16384})
		fmt.Fprintf(&b, "\n## Recent changes\n%s", recentChanges(ctx, c, ns, name, time.Now().Add(-7*24*time.Hour), 10))
		return b.String(), nil
	},
}

var incidentSummaryPrompt = mcpkit.Prompt{
	Name: "incident-summary", Title: "Summarise an incident", Toolset: "kubernetes",
	Description: "What changed in a namespace over the last hours (applies, Helm, scaling, rollbacks from memory and the audit log), its warnings and unhealthy workloads.",
	Args: []mcpkit.PromptArg{
		{Name: "namespace", Description: "the namespace the incident is in", Required: true},
		{Name: "hours", Description: "how far back to look (default 3)"},
	},
	Render: func(ctx context.Context, c *mcpkit.Call, args map[string]string) (string, error) {
		ns := strings.TrimSpace(args["namespace"])
		hours := 3
		if h := strings.TrimSpace(args["hours"]); h != "" {
			n, err := strconv.Atoi(h)
			if err != nil || n < 1 || n > 24*14 {
				return "", &mcpkit.ArgError{Err: fmt.Errorf("hours %q: a whole number from 1 to 336", h)}
			}
			hours = n
		}
		since := time.Now().Add(-time.Duration(hours) * time.Hour)
		var b strings.Builder
		fmt.Fprintf(&b, "Summarise the incident in namespace %s over the last %d hours for the people handling it: a timeline of what changed, "+
			"what is unhealthy now, and the likely link between the two. Say what is known and what is only suspected.\n", ns, hours)
		fmt.Fprintf(&b, "\n## Changes since %s\n%s", since.UTC().Format(time.RFC3339), recentChanges(ctx, c, ns, "", since, 50))
		section(ctx, c, &b, "Warnings", "get_events", map[string]any{"namespace": ns, "warnings_only": true, "limit": 50})
		section(ctx, c, &b, "Workloads", "list_deployments", map[string]any{"namespace": ns})
		return b.String(), nil
	},
}

func inNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return " in namespace " + ns
}

// maxAuditScan bounds how far back in the audit log a prompt reads.
const maxAuditScan = 10000

// changeTools are the tools whose audit records are changes to a cluster.
var changeTools = []string{"deploy_kubernetes", "scale_deployment", "rollout_restart", "rollout_undo", "helm_upgrade", "helm_rollback"}

// recentChanges lists the changes since a time that touched a namespace
// (and a workload, when named): every change call in the audit log, with
// who made it and how it ended, newest first, at most limit; then what
// memory recorded of applies and releases there.
func recentChanges(ctx context.Context, c *mcpkit.Call, ns, workload string, since time.Time, limit int) string {
	var b strings.Builder
	n := 0
	recs, err := c.Runtime.Memory.ListAudit(ctx, maxAuditScan)
	if err != nil {
		return fmt.Sprintf("(the audit log could not be read: %v)\n", err)
	}
	for _, a := range recs { // newest first
		if n == limit || a.Time.Before(since) {
			break
		}
		if !slices.Contains(changeTools, a.Tool) || !mentions(a.Args, ns, workload) {
			continue
		}
		outcome := a.Outcome
		if len(outcome) > 200 {
			outcome = outcome[:200] + "…"
		}
		fmt.Fprintf(&b, "- %s %s by %s (%s): %s\n", a.Time.UTC().Format(time.RFC3339), a.Tool, a.Principal, outcome, compactArgs(a.Args))
		n++
	}
	page, err := c.Runtime.Memory.List(ctx, memory.Filter{Kind: memory.KindOperation, Tags: []string{"kubernetes"}, Since: since, Limit: limit})
	if err == nil {
		for _, e := range page.Entries {
			if !c.Runtime.Config.ScopeVisible(e.Scope) || !mentions(e.Data, ns, workload) {
				continue
			}
			fmt.Fprintf(&b, "- %s memory #%d %s: %s\n", e.CreatedAt.UTC().Format(time.RFC3339), e.ID, e.Key, summarizeOperation(e.Data))
			n++
		}
	}
	if n == 0 {
		return "No change through opsmcp is on record for it in that time (changes made another way show only in the events).\n"
	}
	return b.String()
}

// mentions reports whether a JSON record names the namespace (and the
// workload) as a value: "namespace": "prod", "name": "web".
func mentions(doc json.RawMessage, ns, workload string) bool {
	has := func(v string) bool { return v == "" || strings.Contains(string(doc), strconv.Quote(v)) }
	return has(ns) && has(workload)
}

// compactArgs is a record's arguments on one line, short.
func compactArgs(args json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(args, &m) != nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"namespace", "name", "kind", "release", "chart", "version", "replicas", "to_revision", "revision", "dry_run"} {
		if v, ok := m[k]; ok && v != "" {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, " ")
}

// summarizeOperation is what a recorded apply or release did, on a line.
func summarizeOperation(data json.RawMessage) string {
	var op struct {
		Objects   []struct{ Kind, Name, Namespace, Action string }
		RolledOut *bool  `json:"rolled_out"`
		Applied   *bool  `json:"applied"`
		Error     string `json:"error"`
		Release   struct {
			Name, Chart, Status string
			Revision            int
		}
	}
	if json.Unmarshal(data, &op) != nil {
		return ""
	}
	if op.Release.Name != "" {
		return fmt.Sprintf("release %s revision %d (%s) %s", op.Release.Name, op.Release.Revision, op.Release.Chart, op.Release.Status)
	}
	var objs []string
	for i, o := range op.Objects {
		if i == 8 {
			objs = append(objs, fmt.Sprintf("and %d more", len(op.Objects)-8))
			break
		}
		objs = append(objs, strings.TrimSpace(fmt.Sprintf("%s %s/%s", o.Action, strings.ToLower(o.Kind), o.Name)))
	}
	s := "applied " + strings.Join(objs, ", ")
	if op.Error != "" {
		s += "; failed: " + op.Error
	}
	return s
}
