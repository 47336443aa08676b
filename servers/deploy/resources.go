package deploy

// MCP resources of the deploy server: a saved plan, and the latest drift.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/driftctx"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

var planResource = mcpkit.Resource{
	URI: "opsmcp://plans/{plan_id}", Name: "Terraform plan", MIMEType: "text/plain", Toolset: "terraform",
	Description: "A saved plan as a person reviews it: changes, destroys, monthly cost change, policy verdicts, status and origin.",
	Read: func(ctx context.Context, c *mcpkit.Call, params map[string]string) (string, error) {
		p, err := visiblePlan(ctx, c, params["plan_id"])
		if err != nil {
			return "", err
		}
		return planText(p, time.Now()), nil
	},
}

var driftResource = mcpkit.Resource{
	URI: "opsmcp://drift/latest", Name: "Latest drift", MIMEType: "text/plain", Toolset: "terraform",
	Description: "The latest drift check of every Terraform workspace and Kubernetes target: in sync, drifted (what), or failed.",
	Listed: func(ctx context.Context, c *mcpkit.Call) bool {
		briefs, err := driftctx.Latest(ctx, c.Runtime.Memory, "", "", c.Runtime.Config.ScopeVisible)
		return err == nil && len(briefs) > 0
	},
	Read: func(ctx context.Context, c *mcpkit.Call, _ map[string]string) (string, error) {
		briefs, err := driftctx.Latest(ctx, c.Runtime.Memory, "", "", c.Runtime.Config.ScopeVisible)
		if err != nil {
			return "", err
		}
		if len(briefs) == 0 {
			return "", fmt.Errorf("no drift check has run yet (detect_drift, or opsmcp drift): %w", mcpkit.ErrNotFound)
		}
		return driftText(briefs), nil
	},
}

func driftText(briefs []driftctx.Brief) string {
	var b strings.Builder
	drifted := 0
	for _, br := range briefs {
		if br.Status == "drifted" {
			drifted++
		}
	}
	fmt.Fprintf(&b, "%d of %d targets drifted at their latest check.\n", drifted, len(briefs))
	for _, br := range briefs {
		fmt.Fprintf(&b, "\n%s %s: %s (checked %s)", br.Kind, br.Target, strings.ReplaceAll(br.Status, "_", " "), br.CheckedAt.Format(time.RFC3339))
		if len(br.Resources) > 0 {
			fmt.Fprintf(&b, "\n  %s", strings.Join(br.Resources, ", "))
			if br.Count > len(br.Resources) {
				fmt.Fprintf(&b, " and %d more", br.Count-len(br.Resources))
			}
		}
		if br.Reason != "" {
			fmt.Fprintf(&b, "\n  %s", br.Reason)
		}
	}
	return b.String()
}
