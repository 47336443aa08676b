package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/experts"
	"github.com/opsmcp/opsmcp/internal/mcpclient"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

func newDemoCmd(g *globals) *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Plan and apply the bundled demo workspace in a temporary copy, show what memory holds, and consult the rules expert",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tmp, err := os.MkdirTemp("", "opsmcp-demo-")
			if err != nil {
				return failErr("%v", err)
			}
			if !keep {
				defer os.RemoveAll(tmp)
			}
			sub, _ := fs.Sub(opsmcp.DemoWorkspace, "testdata/workspaces/demo")
			ws := filepath.Join(tmp, "infra")
			if err := os.CopyFS(ws, sub); err != nil {
				return failErr("%v", err)
			}
			cfg := config.Default()
			cfg.Mode = config.ModeApply
			cfg.Memory = filepath.Join(tmp, "state", "memory.db")
			cfg.Terraform.Workspaces = []string{ws}
			store, err := memory.Open(ctx, cfg.Memory)
			if err != nil {
				return failErr("%v", err)
			}
			defer store.Close()
			rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(g.Stderr, slog.LevelWarn)), Principal: "demo"}
			h := mcpkit.NewHost(deploy.New(), rt)
			out := g.Stdout
			progress := terminalProgress(g.Stderr)

			fmt.Fprintf(out, "opsmcp demo — workspace %s (mode apply, memory %s)\n\n", ws, cfg.Memory)
			fmt.Fprintln(out, "1. validate_deployment")
			v := h.Call(ctx, "validate_deployment", mustJSON(map[string]any{"type": "terraform", "config_path": ws}), progress)
			if v.IsError {
				return failErr("validate_deployment: %s", v.Text)
			}
			fmt.Fprintln(out, indent(v.Text))

			fmt.Fprintln(out, "\n2. apply_terraform without plan_id: plan, nothing applied")
			p := h.Call(ctx, "apply_terraform", mustJSON(map[string]any{"workspace": ws}), progress)
			if p.IsError {
				return failErr("plan: %s", p.Text)
			}
			fmt.Fprintln(out, indent(p.Text))
			var plan struct {
				PlanID string `json:"plan_id"`
			}
			if err := p.Decode(&plan); err != nil {
				return failErr("plan result: %v", err)
			}
			planID := plan.PlanID

			fmt.Fprintln(out, "\n3. apply_terraform with that plan_id and auto_approve: true")
			a := h.Call(ctx, "apply_terraform", mustJSON(map[string]any{"workspace": ws, "plan_id": planID, "auto_approve": true}), progress)
			if a.IsError {
				return failErr("apply: %s", a.Text)
			}
			fmt.Fprintln(out, indent(a.Text))

			fmt.Fprintln(out, "\n4. the same plan_id again: refused")
			again := h.Call(ctx, "apply_terraform", mustJSON(map[string]any{"workspace": ws, "plan_id": planID, "auto_approve": true}), progress)
			if !again.IsError {
				return failErr("a second apply of plan %s was not refused", planID)
			}
			fmt.Fprintln(out, indent("refused: "+again.Text))

			fmt.Fprintln(out, "\n5. gather_context")
			c := h.Call(ctx, "gather_context", nil, progress)
			if c.IsError {
				return failErr("gather_context: %s", c.Text)
			}
			fmt.Fprintln(out, indent(c.Text))

			page, err := store.List(ctx, memory.Filter{})
			entries := page.Entries
			if err != nil {
				return failErr("%v", err)
			}
			audit, err := store.ListAudit(ctx, 0)
			if err != nil {
				return failErr("%v", err)
			}
			fmt.Fprintf(out, "\n6. memory now holds %d entries and %d audit records:\n", len(entries), len(audit))
			for i := len(entries) - 1; i >= 0; i-- {
				e := entries[i]
				fmt.Fprintf(out, "   %s %-9s %s %s\n", e.CreatedAt.Format("15:04:05"), e.Kind, shortKey(e.Key), string(e.Data))
			}
			for i := len(audit) - 1; i >= 0; i-- {
				r := audit[i]
				fmt.Fprintf(out, "   audit #%d %s/%s by %s: %s (chain %s…)\n", r.Seq, r.Server, r.Tool, r.Principal, firstLine(r.Outcome), r.Hash[:12])
			}
			fmt.Fprintln(out, "\n7. apply_terraform with replicas=3: a plan left waiting")
			p = h.Call(ctx, "apply_terraform", mustJSON(map[string]any{"workspace": ws, "variables": map[string]any{"replicas": 3}}), progress)
			if p.IsError {
				return failErr("plan: %s", p.Text)
			}
			fmt.Fprintln(out, indent(p.Text))

			// The deploy server only: the demo runs on embedded defaults and
			// must not read whatever cluster or cloud this machine can reach.
			fmt.Fprintln(out, "\n8. consult: the rules expert, from the deploy server's live context (in-process) and memory")
			pool := mcpclient.NewPool([]mcpclient.ServerSpec{{Name: deploy.Name, InProcess: h.MCPServer}})
			defer pool.Close()
			orc := &experts.Orchestrator{Pool: pool, Memory: store,
				Rules: experts.RulesOptions{CostIncrease: config.DefaultCostIncreaseThreshold}}
			res, err := orc.Consult(ctx, experts.ConsultRequest{Question: "Is it safe to apply the next change to the demo workspace?",
				Scope: map[string]string{"workspace": ws}})
			if err != nil {
				return failErr("consult: %v", err)
			}
			fmt.Fprintln(out, indent(experts.Report(res)))
			if keep {
				fmt.Fprintf(out, "\nKept %s\n", tmp)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary directory")
	return cmd
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func indent(s string) string { return "   " + strings.ReplaceAll(s, "\n", "\n   ") }

func shortKey(k string) string {
	if len(k) > 16 {
		return k[:16] + "…"
	}
	return k
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
