package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/opsmcp/opsmcp/internal/drift"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// DetectDriftInput is the input of detect_drift.
type DetectDriftInput struct {
	Workspaces []string `json:"workspaces,omitempty" desc:"Terraform workspaces"`
	Manifests  []string `json:"manifests,omitempty" desc:"Kubernetes manifest paths"`
	Context    string   `json:"context,omitempty"`
	Namespace  string   `json:"namespace,omitempty"`
}

// DetectDriftResult is the result of detect_drift.
type DetectDriftResult struct {
	drift.Report
}

func (r DetectDriftResult) SummaryText() string { return drift.Summary(&r.Report) }

// maxDriftWorkspaces bounds one call: each is a terraform refresh.
const maxDriftWorkspaces = 50

var detectDrift = mcpkit.NewTool(mcpkit.Def{
	Name:        "detect_drift",
	Toolset:     "terraform",
	Description: "What changed or was deleted outside opsmcp: Terraform (refresh-only) and Kubernetes (dry-run). Default: all.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes},
	Timeout:     30 * time.Minute,
	Heavy:       true,
}, func(ctx context.Context, c *mcpkit.Call, in DetectDriftInput) (DetectDriftResult, error) {
	if len(in.Workspaces) > maxDriftWorkspaces || len(in.Manifests) > maxDriftWorkspaces {
		return DetectDriftResult{}, fmt.Errorf("%d workspaces and %d manifest paths: at most %d of each a call", len(in.Workspaces), len(in.Manifests), maxDriftWorkspaces)
	}
	res := DetectDriftResult{Report: drift.Report{Targets: []drift.Target{}}}
	all := len(in.Workspaces) == 0 && len(in.Manifests) == 0
	if all || len(in.Workspaces) > 0 {
		if err := terraformDrift(ctx, c, in.Workspaces, &res.Report); err != nil {
			return res, err
		}
	}
	if all || len(in.Manifests) > 0 {
		if err := kubernetesDrift(ctx, c, in, &res.Report); err != nil {
			return res, err
		}
	}
	// Each check is kept (kind drift): gather_context, the team page and
	// the next run read the latest per target.
	for _, t := range res.Targets {
		e := &memory.Entry{Kind: memory.KindDrift, Scope: t.Target, Key: t.Status, Tags: []string{"drift", t.Kind}}
		if err := c.RememberEntry(ctx, e, t); err != nil {
			c.Log().Warn("drift check not recorded in memory", "target", t.Target, "error", err.Error())
		}
	}
	return res, nil
})

// terraformDrift checks the workspaces given, else every allowed one.
func terraformDrift(ctx context.Context, c *mcpkit.Call, workspaces []string, rep *drift.Report) error {
	applies, err := lastApplies(ctx, c)
	if err != nil {
		return err
	}
	if len(workspaces) == 0 {
		workspaces = driftWorkspaces(c, applies)
		if len(workspaces) == 0 {
			return nil
		}
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "opsmcp-drift-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	locks := plans(c).LocksDir
	for i, w := range workspaces {
		if p := progress(c); p != nil {
			p(float64(i), float64(len(workspaces)), "checking "+w)
		}
		t := checkWorkspace(ctx, c, bin, locks, w, scratch)
		t.LastApply = applies[t.Target]
		rep.Add(t)
	}
	return nil
}

// checkWorkspace checks one workspace under its lock, taken for reading:
// a plan or apply of it in progress means it is skipped, and said.
func checkWorkspace(ctx context.Context, c *mcpkit.Call, bin *terraform.Binary, locks, w, scratch string) drift.Target {
	ws, err := terraform.ResolveWorkspace(w, c.Runtime.Config.Terraform.Workspaces)
	if err != nil {
		return drift.Failed("terraform", w, err)
	}
	if !terraform.HasConfig(ws) {
		return drift.Failed("terraform", ws, fmt.Errorf("no Terraform configuration (*.tf files)"))
	}
	unlock, err := terraform.LockWorkspaceShared(locks, ws, "drift")
	if errors.Is(err, terraform.ErrLocked) {
		return drift.Failed("terraform", ws, fmt.Errorf("skipped: %w", err))
	}
	if err != nil {
		return drift.Failed("terraform", ws, err)
	}
	defer unlock()
	return drift.Terraform(ctx, bin, ws, scratch)
}

// lastApplies are the newest successful Terraform apply of each workspace
// opsmcp recorded, by workspace.
func lastApplies(ctx context.Context, c *mcpkit.Call) (map[string]*drift.Apply, error) {
	page, err := c.Runtime.Memory.List(ctx, memory.Filter{Server: Name, Kind: memory.KindOperation, Tags: []string{"terraform"}, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := map[string]*drift.Apply{}
	for _, e := range page.Entries { // newest first
		if _, seen := out[e.Scope]; seen || !c.Runtime.Config.ScopeVisible(e.Scope) {
			continue
		}
		var op struct {
			Applied bool   `json:"applied"`
			By      string `json:"by"`
		}
		if json.Unmarshal(e.Data, &op) != nil || !op.Applied {
			continue
		}
		out[e.Scope] = &drift.Apply{ID: e.Key, At: e.CreatedAt, By: op.By}
	}
	return out, nil
}

// driftWorkspaces are the allowed workspaces to check: each one in use
// under the configured roots, and each workspace opsmcp applied.
func driftWorkspaces(c *mcpkit.Call, applies map[string]*drift.Apply) []string {
	roots := c.Runtime.Config.Terraform.Workspaces
	out := terraform.FindWorkspaces(roots)
	for ws := range applies {
		if terraform.CheckAllowed(ws, roots) == nil {
			out = append(out, ws)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
