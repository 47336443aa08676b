package experts

// MCP resources of the experts server, which owns the shared memory's
// tools: the recent audit log and one memory entry.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// recentAuditRecords is how many records opsmcp://audit/recent shows.
const recentAuditRecords = 50

var auditResource = mcpkit.Resource{
	URI: "opsmcp://audit/recent", Name: "Recent audit records", MIMEType: "text/plain", Toolset: "memory",
	Description: "The newest 50 audit records of every server: when, who, which tool, the outcome and what it made (arguments masked).",
	Read: func(ctx context.Context, c *mcpkit.Call, _ map[string]string) (string, error) {
		recs, err := c.Runtime.Memory.ListAudit(ctx, recentAuditRecords)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		shown := 0
		for _, a := range recs {
			if !auditVisible(c, a) {
				continue
			}
			shown++
			fmt.Fprintf(&b, "\n#%d %s %s %s/%s %dms: %s", a.Seq, a.Time.UTC().Format(time.RFC3339), a.Principal, a.Server, a.Tool, a.DurationMS, oneLine(a.Outcome, 300))
			if len(a.ResultIDs) > 0 {
				fmt.Fprintf(&b, " → %s", strings.Join(a.ResultIDs, ", "))
			}
			if args := strings.TrimSpace(string(a.Args)); args != "" && args != "{}" {
				fmt.Fprintf(&b, "\n  %s", oneLine(args, 500))
			}
		}
		return fmt.Sprintf("The newest %d audit records, newest first (`opsmcp memory verify-audit` checks the chain).\n", shown) + b.String(), nil
	},
}

var memoryResource = mcpkit.Resource{
	URI: "opsmcp://memory/{id}", Name: "Memory entry", MIMEType: "application/json", Toolset: "memory",
	Description: "One entry of the shared memory by id (recall lists them): kind, scope, key, tags, when, and its data (secrets masked when stored).",
	Read: func(ctx context.Context, c *mcpkit.Call, params map[string]string) (string, error) {
		id, err := strconv.ParseInt(params["id"], 10, 64)
		if err != nil || id < 1 {
			return "", &mcpkit.ArgError{Err: fmt.Errorf("memory id %q: a positive whole number (recall lists them)", params["id"])}
		}
		e, err := c.Runtime.Memory.Get(ctx, id)
		if errors.Is(err, memory.ErrNotFound) || (err == nil && !c.Runtime.Config.ScopeVisible(e.Scope)) {
			return "", fmt.Errorf("memory entry %d: %w", id, mcpkit.ErrNotFound)
		}
		if err != nil {
			return "", err
		}
		b, err := json.MarshalIndent(e, "", "  ")
		return string(b), err
	},
}

// auditVisible hides from a principal whose role narrows workspaces,
// namespaces or repos the records whose arguments name one outside them.
func auditVisible(c *mcpkit.Call, a memory.AuditRecord) bool {
	var args map[string]any
	if json.Unmarshal(a.Args, &args) != nil {
		return true
	}
	for _, k := range []string{"workspace", "namespace", "repo", "scope"} {
		if v, ok := args[k].(string); ok && v != "" && !c.Runtime.Config.ScopeVisible(v) {
			return false
		}
	}
	return true
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
