// Package deploy is the opsmcp-deploy server: Terraform plan and apply,
// Kubernetes server-side apply, configuration validation, and the context other servers and the
// orchestrator gather from it.
package deploy

import (
	"path/filepath"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
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
			"checks configuration; gather_context summarises workspaces, plans and applies.",
		Tools: []mcpkit.Tool{applyTerraform, deployKubernetes, validateDeployment, estimateCosts, gatherContext},
	}
}

func plansDir(c *mcpkit.Call) string { return filepath.Join(c.Runtime.Memory.Dir(), "plans") }
func locksDir(c *mcpkit.Call) string { return filepath.Join(c.Runtime.Memory.Dir(), "locks") }
