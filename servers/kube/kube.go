// Package kube is the opsmcp-kube server: pods, deployments, rollouts and
// events of the allowed contexts and namespaces, and scaling.
package kube

import (
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// Name is the server's name in the CLI, .mcp.json and memory entries.
const Name = "kube"

// New returns the kube server.
func New() *mcpkit.Server {
	return &mcpkit.Server{
		Name: Name,
		Instructions: "Kubernetes inspection and scaling within the contexts and namespaces opsmcp.yaml allows. " +
			"get_pods, get_logs, list_resources, get_resource, get_nodes, top_pods, top_nodes, list_deployments and get_events read; rollout_status judges a rollout like kubectl and can wait; " +
			"scale_deployment, rollout_restart and rollout_undo change workloads (mode apply; dry run in mode plan). " +
			"helm_list, helm_status, helm_history and helm_values read releases; helm_upgrade and helm_rollback change them. Secret data is never returned. " +
			"Prompts: diagnose-rollout, incident-summary. " + mcpkit.SafeWorkflow,
		Tools: []mcpkit.Tool{getPods, getLogs, listResources, getResource, getNodes, topPods, topNodes, listDeployments, getEvents, rolloutStatus, scaleDeployment, rolloutRestart, rolloutUndo,
			helmList, helmStatus, helmHistory, helmValues, helmUpgrade, helmRollback, gatherContext},
		Prompts: []mcpkit.Prompt{diagnoseRolloutPrompt, incidentSummaryPrompt},
		Ready:   []mcpkit.ReadyCheck{{Name: "kubernetes", Check: kube.Ready}},
	}
}

// connect opens the call's context and resolves its namespace.
func connect(c *mcpkit.Call, context, namespace string) (*kube.Cluster, string, error) {
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, context)
	if err != nil {
		return nil, "", err
	}
	ns, err := cl.ResolveNamespace(namespace)
	if err != nil {
		return nil, "", err
	}
	return cl, ns, nil
}

// scope is the cache scope of a read or change in one namespace.
func scope(context, namespace string) string { return "kube:" + context + "/" + namespace }
