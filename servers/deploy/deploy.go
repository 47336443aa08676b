// Package deploy is the opsmcp-deploy server: Terraform plan and apply,
// Kubernetes server-side apply, configuration validation, and the context other servers and the
// orchestrator gather from it.
package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
			"checks configuration; gather_context summarises workspaces, plans and applies.",
		Tools: []mcpkit.Tool{applyTerraform, deployKubernetes, validateDeployment, estimateCosts, gatherContext},
		Ready: []mcpkit.ReadyCheck{
			{Name: "terraform", Check: func(ctx context.Context, cfg *config.Config) (bool, error) {
				_, err := terraform.Locate(ctx, cfg.Terraform.Binary)
				return true, err
			}},
			{Name: "kubernetes", Check: kube.Ready},
		},
	}
}

func plansDir(c *mcpkit.Call) string { return filepath.Join(c.Runtime.Memory.Dir(), "plans") }

// planHome names where this process keeps plan files: replicas sharing
// PostgreSQL share plan records, but a plan file stays on the replica
// that made it unless they share the state directory.
func planHome(c *mcpkit.Call) string {
	host, _ := os.Hostname()
	return host + ":" + plansDir(c)
}

// localPlanFile is where this process keeps a recorded plan's file. When
// another replica, not sharing this one's state directory, made the plan,
// the file is not here, and the error says so.
func localPlanFile(c *mcpkit.Call, p *memory.Plan) (string, error) {
	path := filepath.Join(plansDir(c), p.ID+".tfplan")
	if _, err := os.Stat(path); err == nil || p.MadeOn == "" || p.MadeOn == planHome(c) {
		return path, nil
	}
	return "", fmt.Errorf("plan %s was made on %s and its plan file is not on this replica (%s): plan files stay where they were made, so give the replicas one shared state directory (a ReadWriteMany volume at $XDG_STATE_HOME/opsmcp) or plan again here", shortID(p.ID), p.MadeOn, planHome(c))
}

func locksDir(c *mcpkit.Call) string { return filepath.Join(c.Runtime.Memory.Dir(), "locks") }
