// Package deploy is the opsmcp-deploy server: Terraform plan and apply,
// Kubernetes server-side apply, configuration validation, and the context other servers and the
// orchestrator gather from it.
package deploy

import (
	"context"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// Name is the server's name in the CLI, .mcp.json and memory entries.
const Name = "deploy"

// New returns the deploy server.
func New() *mcpkit.Server {
	return &mcpkit.Server{
		Name: Name,
		Instructions: "Terraform and deployment operations. Plan with apply_terraform (no plan_id), show the plan " +
			"to the user, then apply that exact plan with plan_id and auto_approve: true. deploy_kubernetes server-side " +
			"applies manifests (a dry run in mode plan) and waits for rollouts. validate_deployment " +
			"checks configuration; detect_drift finds changes made outside Terraform; gather_context summarises " +
			"workspaces, plans and applies. Prompts: review-plan, cost-of-change; resources: opsmcp://plans/{plan_id}, opsmcp://drift/latest. " +
			mcpkit.SafeWorkflow,
		Tools:     []mcpkit.Tool{applyTerraform, deployKubernetes, validateDeployment, estimateCosts, detectDrift, gatherContext, approvePlan, rejectPlan},
		Prompts:   []mcpkit.Prompt{reviewPlanPrompt, costOfChangePrompt},
		Resources: []mcpkit.Resource{planResource, driftResource},
		Ready: []mcpkit.ReadyCheck{
			{Name: "terraform", Check: func(ctx context.Context, cfg *config.Config) (bool, error) {
				_, err := terraform.Locate(ctx, cfg.Terraform.Binary)
				return true, err
			}},
			{Name: "kubernetes", Check: kube.Ready},
		},
	}
}

// plans is the call's plan store: records in memory, files and locks in
// terraform.plans_dir, else beside the memory store.
func plans(c *mcpkit.Call) *terraform.PlanStore { return PlanStore(c.Runtime.Config, c.Runtime.Memory) }

// PlanStore is the plan store of a configuration and its memory store
// (the CLI's opsmcp approve reads plans through it too).
func PlanStore(cfg *config.Config, mem memory.Store) *terraform.PlanStore {
	dir := cfg.Terraform.PlansDir
	if dir == "" {
		dir = mem.Dir()
	}
	return terraform.NewPlanStore(mem, dir, time.Duration(cfg.Terraform.PlanTTL))
}
