package kube

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// HelmUpgradeInput is the input of helm_upgrade.
type HelmUpgradeInput struct {
	Release        string         `json:"release" maxLength:"53"`
	Chart          string         `json:"chart" maxLength:"4096" desc:"chart dir, .tgz, or a chart name with repo"`
	Repo           string         `json:"repo,omitempty" maxLength:"2048" desc:"repository URL"`
	Version        string         `json:"version,omitempty" maxLength:"128"`
	Values         map[string]any `json:"values,omitempty"`
	ValuesFiles    []string       `json:"values_files,omitempty"`
	Namespace      string         `json:"namespace,omitempty" desc:"default: the context's"`
	DryRun         bool           `json:"dry_run,omitempty"`
	Wait           bool           `json:"wait,omitempty" default:"true"`
	TimeoutSeconds int            `json:"timeout_seconds,omitempty" default:"300" minimum:"1" maximum:"3600"`
	Context        string         `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace changed.
func (in HelmUpgradeInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// Effect: a dry run changes nothing.
func (in HelmUpgradeInput) Effect() mcpkit.Effect { return rolloutEffect(in.DryRun) }

// PlanForm is the dry run the gate runs in a mode that allows no change.
func (in HelmUpgradeInput) PlanForm() any {
	in.DryRun = true
	return in
}

// CallTimeout leaves the wait's own deadline room to report its result.
func (in HelmUpgradeInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds)*time.Second + 30*time.Second
}

// Change describes the upgrade (its dry run) for the person confirming
// it (mcpkit.Changer).
func (in HelmUpgradeInput) Change(ctx context.Context, c *mcpkit.Call) (*gate.Change, error) {
	dry := in
	dry.DryRun = true
	res, err := runUpgrade(ctx, c, dry)
	if err != nil {
		return nil, err
	}
	return &gate.Change{Tool: "helm_upgrade", Scope: "namespace " + res.Namespace + " (context " + res.Context + ")", Proposer: c.Principal, Detail: res.SummaryText()}, nil
}

// HelmUpgradeResult is the result of helm_upgrade.
type HelmUpgradeResult struct {
	Context   string `json:"context"`
	Namespace string `json:"namespace"`
	DryRun    bool   `json:"dry_run"`
	helm.UpgradeResult
}

// Failed: the release did not deploy.
func (r HelmUpgradeResult) Failed() bool { return !r.DryRun && r.Release.Status != "deployed" }

func (r HelmUpgradeResult) SummaryText() string {
	var b strings.Builder
	verb := "upgraded"
	if r.Installed {
		verb = "installed"
	}
	if r.DryRun {
		verb = "would be " + verb + " (server dry run: nothing changed)"
	}
	fmt.Fprintf(&b, "release %s in %s (context %s) %s: chart %s, revision %d, %s", r.Release.Name, r.Namespace, r.Context, verb, r.Release.Chart, r.Release.Revision, r.Release.Status)
	if r.Release.Description != "" && !r.DryRun {
		b.WriteString("\n" + r.Release.Description)
	}
	for _, o := range r.Objects {
		fmt.Fprintf(&b, "\n  %s %s", o.Ref(), o.Action)
		if len(o.Changed) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(o.Changed, ", "))
		}
	}
	return b.String()
}

var helmUpgrade = mcpkit.NewTool(mcpkit.Def{
	Name:        "helm_upgrade",
	Toolset:     "helm",
	Title:       "Install or upgrade a Helm release",
	Description: "helm upgrade --install from a chart dir, .tgz or repo; waits for readiness. Dry run: per-object diff.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.No, OpenWorld: mcpkit.Yes},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in HelmUpgradeInput) (HelmUpgradeResult, error) {
	res, err := runUpgrade(ctx, c, in)
	if !in.DryRun && res.Release.Name != "" {
		rememberRelease(c, res.Context, res.Namespace, res.Release, err)
	}
	return res, err
})

func runUpgrade(ctx context.Context, c *mcpkit.Call, in HelmUpgradeInput) (HelmUpgradeResult, error) {
	h, cl, ns, err := helmClient(c, in.Context, in.Namespace)
	if err != nil {
		return HelmUpgradeResult{}, err
	}
	up, err := h.Upgrade(ctx, helm.UpgradeRequest{Release: in.Release, Chart: in.Chart, Repo: in.Repo, Version: in.Version,
		Values: in.Values, ValuesFiles: in.ValuesFiles, Files: c.Files(), DryRun: in.DryRun, Wait: in.Wait,
		Timeout: time.Duration(in.TimeoutSeconds) * time.Second, CacheDir: filepath.Join(config.CacheDir(), "helm")})
	res := HelmUpgradeResult{Context: cl.Context, Namespace: ns, DryRun: in.DryRun}
	if up != nil {
		c.Secrets.Add(up.Secrets...)
		res.UpgradeResult = *up
	}
	return res, err
}

// rememberRelease records a release change in memory, as deploys are.
func rememberRelease(c *mcpkit.Call, kubeContext, ns string, rel helm.Release, failure error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	op := map[string]any{"context": kubeContext, "namespace": ns, "release": rel, "applied": failure == nil}
	if failure != nil {
		op["error"] = failure.Error()
	}
	if err := c.Remember(ctx, memory.KindOperation, "kube:"+kubeContext, "helm/"+ns+"/"+rel.Name+"/"+fmt.Sprint(rel.Revision), op, "kubernetes", "helm"); err != nil {
		c.Log().Warn("helm release change not recorded in memory", "error", err.Error())
	}
}
