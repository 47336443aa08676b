package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/cloud"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// EstimateCostsInput is the input of estimate_costs.
type EstimateCostsInput struct {
	Infrastructure      json.RawMessage `json:"infrastructure" desc:"path, plan_id or {resources:[]}"`
	DurationHours       int             `json:"duration_hours,omitempty" default:"730" minimum:"1"`
	IncludeDataTransfer bool            `json:"include_data_transfer,omitempty" default:"true"`
	Usage               json.RawMessage `json:"usage,omitempty" desc:"{address:{key:n}} or YAML path"`
	Currency            string          `json:"currency,omitempty" enum:"USD"`
}

// EstimateCostsResult is the result of estimate_costs.
type EstimateCostsResult struct {
	// Input is what was estimated: plan, workspace, kubernetes or inline.
	Input string `json:"input"`
	cost.Estimate
}

func (r EstimateCostsResult) SummaryText() string {
	return cost.Summary(&r.Estimate) + "\n" + strings.TrimSpace(cost.Footnotes(&r.Estimate))
}

// AppendJSON is json.Marshal's encoding of the result in a buffer sized
// once: a large estimate is many megabytes (redact.JSONAppender).
func (r EstimateCostsResult) AppendJSON(b []byte) ([]byte, error) {
	resources := r.Resources
	r.Resources = nil // r is a copy
	return cost.AppendJSON(b, r, resources)
}

var estimateCosts = mcpkit.NewTool(mcpkit.Def{
	Name:        "estimate_costs",
	Toolset:     "cost",
	Description: "Estimate cost line by line: price, quantity, source.",
	// Open world: with AWS credentials, what the catalog lacks is looked up
	// in the AWS Price List.
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes},
	Timeout:     5 * time.Minute,
	Heavy:       true,
}, func(ctx context.Context, c *mcpkit.Call, in EstimateCostsInput) (EstimateCostsResult, error) {
	if in.Currency != "" && in.Currency != "USD" {
		return EstimateCostsResult{}, fmt.Errorf("currency %q: prices are in USD only", in.Currency)
	}
	files := c.Files()
	opts, err := CostOptions(files, c.Runtime.Config.Cost)
	if err != nil {
		return EstimateCostsResult{}, err
	}
	opts.Live = liveLookup(ctx, c.Runtime.Config)
	opts.DurationHours, opts.IncludeDataTransfer = in.DurationHours, in.IncludeDataTransfer
	if len(in.Usage) > 0 && string(in.Usage) != "null" {
		if opts.Usage, err = parseUsageArg(files, in.Usage); err != nil {
			return EstimateCostsResult{}, err
		}
	}
	input, err := loadInfrastructure(ctx, c, in.Infrastructure)
	if err != nil {
		return EstimateCostsResult{}, err
	}
	est, err := input.Estimate(opts)
	if err != nil {
		return EstimateCostsResult{}, err
	}
	return EstimateCostsResult{Input: input.Kind, Estimate: *est}, nil
})

// liveLookup prices what the catalog lacks from the clouds whose
// credentials the environment names (or whose price API an emulator
// endpoint stands in for); nil when none.
func liveLookup(ctx context.Context, cfg *config.Config) cost.PriceLookup {
	l := &cloud.LiveLookup{Cache: cfg.Cost.PriceCache, Ctx: ctx}
	if cloud.HasAWSCredentials() {
		l.AWS = &cloud.AWS{Policy: cfg.Cloud.AWS}
	}
	if cloud.HasGCPCredentials() || cfg.Cloud.GCP.Endpoints["billing"] != "" {
		l.GCP = &cloud.GCP{Projects: cfg.Cloud.GCP.Projects, Endpoints: cfg.Cloud.GCP.Endpoints}
	}
	if l.AWS == nil && l.GCP == nil {
		return nil
	}
	return l
}

// CostOptions turns the cost: section into estimate options: the live
// price cache over the embedded catalog, the usage file (read under files'
// rule), the region and how Kubernetes pods are priced.
func CostOptions(files *fsguard.Guard, cfg config.Cost) (cost.Options, error) {
	opts := cost.Options{DefaultRegion: cfg.Region, IncludeDataTransfer: true,
		Kubernetes: cost.KubePricing{Mode: cfg.Kubernetes.Pricing, NodeType: cfg.Kubernetes.NodeType, Nodes: cfg.Kubernetes.Nodes}}
	live, err := cost.LoadCache(cfg.PriceCache)
	if err != nil {
		return opts, fmt.Errorf("price cache: %w (delete it or run opsmcp prices refresh)", err)
	}
	opts.Catalog = live.Over(cost.Embedded())
	if cfg.UsageFile != "" {
		if opts.Usage, err = cost.UsageFile(files, cfg.UsageFile); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

func parseUsageArg(files *fsguard.Guard, raw json.RawMessage) (*cost.Usage, error) {
	var path string
	if json.Unmarshal(raw, &path) == nil {
		return cost.UsageFile(files, path)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("usage must be an object of resource addresses or the path of a usage file")
	}
	if ru, ok := m["resource_usage"].(map[string]any); ok {
		m = ru
	}
	return cost.UsageFrom(m)
}

// loadInfrastructure reads the infrastructure argument: an inline object,
// a plan_id of a plan apply_terraform saved, or a path (a binary plan is
// shown as JSON by terraform first).
func loadInfrastructure(ctx context.Context, c *mcpkit.Call, raw json.RawMessage) (*cost.Input, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("infrastructure is required: a path, a plan_id, or {\"resources\": [...]}")
	}
	if raw[0] == '{' {
		if terraform.IsPlanJSON(raw) {
			return cost.LoadPlanJSON(raw)
		}
		res, err := cost.ParseInline(raw)
		if err != nil {
			return nil, err
		}
		return &cost.Input{Kind: "inline", Planned: res}, nil
	}
	var ref string
	if err := json.Unmarshal(raw, &ref); err != nil || strings.TrimSpace(ref) == "" {
		return nil, errors.New("infrastructure must be a path, a plan_id, or {\"resources\": [...]}")
	}
	if strings.HasPrefix(ref, "p-") && !strings.ContainsRune(ref, filepath.Separator) {
		if _, _, err := c.Files().Resolve(ref); err != nil {
			return planByID(ctx, c, ref)
		}
	}
	in, err := cost.Load(c.Files(), ref, nil)
	if errors.Is(err, cost.ErrBinaryPlan) {
		return showPlanFile(ctx, c, ref)
	}
	return in, err
}

// showPlanFile shows a saved plan found at a path. Its directory is not
// ours (a pull request's checkout): terraform runs in a scratch copy with
// providers from the registry or terraform.provider_mirror, never from the
// directory's .terraform/ or terraform.d/.
func showPlanFile(ctx context.Context, c *mcpkit.Call, path string) (*cost.Input, error) {
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return nil, err
	}
	s, err := terraform.NewScratch(c.Files(), filepath.Dir(path), c.Runtime.Config.Terraform.ProviderMirror)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	run, err := terraform.NewScratchRunner(bin, s)
	if err != nil {
		return nil, err
	}
	if err := run.Init(ctx, false); err != nil {
		return nil, fmt.Errorf("reading the saved plan %s needs its providers (from the registry or terraform.provider_mirror): %s", path, s.Hide(err.Error()))
	}
	in, err := showPlan(ctx, run, filepath.Join(s.Dir, filepath.Base(path)))
	if err != nil {
		return nil, errors.New(s.Hide(err.Error()))
	}
	return in, nil
}

// planByID estimates a plan apply_terraform saved, as it would change things.
func planByID(ctx context.Context, c *mcpkit.Call, id string) (*cost.Input, error) {
	p, err := c.Runtime.Memory.GetPlan(ctx, id)
	if err == nil && !c.Runtime.Config.ScopeVisible(p.Workspace) {
		err = memory.ErrNotFound // another role's plan: as if there were none
	}
	if errors.Is(err, memory.ErrNotFound) {
		return nil, fmt.Errorf("plan %s does not exist (plans are kept until applied or expired); plan again with apply_terraform", terraform.ShortPlanID(id))
	}
	if err != nil {
		return nil, err
	}
	if p.UsedAt != nil {
		return nil, fmt.Errorf("plan %s was already applied", terraform.ShortPlanID(id))
	}
	file, err := plans(c).LocalFile(p)
	if err != nil {
		return nil, err
	}
	// Our own plan of an allowlisted workspace: shown there, with the
	// providers its plan was made with.
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return nil, err
	}
	run, err := terraform.NewRunner(bin, p.Workspace)
	if err != nil {
		return nil, err
	}
	return showPlan(ctx, run, file)
}

// showPlan turns a saved plan into JSON with `terraform show -json`.
func showPlan(ctx context.Context, run *terraform.Runner, planFile string) (*cost.Input, error) {
	plan, err := run.ShowPlan(ctx, planFile)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return nil, err
	}
	return cost.LoadPlanJSON(data)
}

// planRecordSummary is the summary a plan record keeps: the counts, and the
// monthly cost change estimated when it was planned (gather_context reports
// it without showing the plan again).
type planRecordSummary struct {
	PlanSummary
	MonthlyCostChange *cost.Cents `json:"monthly_cost_change,omitempty"`
	// Destroys are the addresses the plan destroys or replaces: what a
	// person confirming it must see.
	Destroys []string `json:"destroys,omitempty"`
	// Policy are gate.policies' verdicts when it was planned.
	Policy []policy.Verdict `json:"policy,omitempty"`
}

// planCostChange estimates what applying a plan adds to the monthly cost;
// nil when it cannot (the plan is recorded all the same).
func planCostChange(c *mcpkit.Call, plan *tfjson.Plan) *cost.Cents {
	opts, err := CostOptions(c.Files(), c.Runtime.Config.Cost)
	if err != nil {
		return nil
	}
	in := cost.LoadPlan(plan)
	est, err := in.Estimate(opts)
	if err != nil || est.DiffMonthlyCost == nil {
		c.Log().Debug("no cost estimate for the plan", "error", fmt.Sprint(err))
		return nil
	}
	return est.DiffMonthlyCost
}
