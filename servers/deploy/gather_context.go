package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/deployctx"
	"github.com/opsmcp/opsmcp/internal/contract/driftctx"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// GatherContextInput is the input of gather_context.
type GatherContextInput struct {
	Workspace  string `json:"workspace,omitempty"`
	ConfigPath string `json:"config_path,omitempty"`
}

// HeavyCall: validating config_path is as heavy as validate_deployment.
func (in GatherContextInput) HeavyCall() bool { return in.ConfigPath != "" }

// CacheScope is the workspace asked about, or "" for all of them.
func (in GatherContextInput) CacheScope() string { return terraform.CanonicalPath(in.Workspace) }

// The deploy server's gather_context contract (internal/contract), by the
// names its code uses.
type (
	GatherContextResult = deployctx.DeployContext
	PlanInfo            = deployctx.PlanInfo
	ApplyInfo           = deployctx.ApplyInfo
	WorkspaceInfo       = deployctx.WorkspaceInfo
	ValidationBrief     = deployctx.ValidationBrief
)

const maxBriefFindings = 10

func briefOf(path string, rep *validate.Report) *ValidationBrief {
	b := &ValidationBrief{ConfigPath: path, Valid: rep.Valid, Errors: rep.Errors, Warnings: rep.Warnings, Findings: []validate.Finding{}}
	for _, f := range rep.Findings {
		if f.Severity == validate.SeverityError && len(b.Findings) < maxBriefFindings {
			b.Findings = append(b.Findings, f)
		}
	}
	return b
}

var gatherContext = mcpkit.NewTool(mcpkit.Def{
	Name:        "gather_context",
	Toolset:     "context",
	Description: "Workspaces' last plan and apply, pending plans, config_path's validation.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     30 * time.Second,
	// Short: other processes (the CLI, other servers) change memory too.
	CacheTTL: 5 * time.Second,
}, func(ctx context.Context, c *mcpkit.Call, in GatherContextInput) (GatherContextResult, error) {
	in.Workspace = in.CacheScope()
	res := GatherContextResult{Mode: string(c.Mode), Workspaces: []WorkspaceInfo{}, PendingPlans: []PlanInfo{}}
	store := c.Runtime.Memory
	byPath := map[string]*WorkspaceInfo{}
	get := func(p string) *WorkspaceInfo {
		if w, ok := byPath[p]; ok {
			return w
		}
		w := &WorkspaceInfo{Path: p}
		byPath[p] = w
		return w
	}
	if in.Workspace == "" {
		for _, root := range c.Runtime.Config.Terraform.Workspaces {
			get(root)
		}
	}
	visible := c.Runtime.Config.ScopeVisible
	plans, err := store.ListPlans(ctx, memory.PlanFilter{Workspace: in.Workspace})
	if err != nil {
		return res, err
	}
	plans = slices.DeleteFunc(plans, func(p memory.Plan) bool { return !visible(p.Workspace) })
	if in.ConfigPath != "" {
		rep, err := validate.Run(ctx, []string{in.ConfigPath}, validateOptions(c, validate.Options{Type: "auto", Strict: true}))
		if err != nil {
			return res, fmt.Errorf("config_path: %w", err)
		}
		res.Validation = briefOf(in.ConfigPath, rep)
	}
	now := time.Now()
	for _, p := range plans { // newest first
		info := planInfo(p)
		w := get(p.Workspace)
		if w.LastPlan == nil {
			w.LastPlan = &info
		}
		if p.UsedAt == nil && now.Before(p.ExpiresAt) {
			res.PendingPlans = append(res.PendingPlans, info)
		}
	}
	ops, err := store.List(ctx, memory.Filter{Server: Name, Kind: memory.KindOperation, Scope: in.Workspace, Tags: []string{"terraform"}, Limit: 500})
	if err != nil {
		return res, err
	}
	for _, e := range ops.Entries { // newest first
		if !visible(e.Scope) {
			continue
		}
		w := get(e.Scope)
		if w.LastApply != nil {
			continue
		}
		var op struct {
			Applied bool   `json:"applied"`
			Error   string `json:"error"`
		}
		_ = json.Unmarshal(e.Data, &op)
		w.LastApply = &ApplyInfo{PlanID: e.Key, At: e.CreatedAt, Applied: op.Applied, Error: op.Error}
	}
	if res.Drift, err = driftctx.Latest(ctx, store, "", in.Workspace, visible); err != nil {
		return res, err
	}
	for _, w := range byPath {
		res.Workspaces = append(res.Workspaces, *w)
	}
	sort.Slice(res.Workspaces, func(i, j int) bool { return res.Workspaces[i].Path < res.Workspaces[j].Path })
	return res, nil
})

func planInfo(p memory.Plan) PlanInfo {
	info := PlanInfo{PlanID: p.ID, Workspace: p.Workspace, CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt, Destroy: p.Destroy}
	_ = json.Unmarshal(p.Summary, &info.Summary)
	var rec planRecordSummary
	if json.Unmarshal(p.Summary, &rec) == nil {
		info.MonthlyCostChange = rec.MonthlyCostChange
	}
	return info
}
