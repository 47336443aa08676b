package cli

import (
	"context"
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
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpclient"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

func newDemoCmd(g *globals) *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Validate, price, plan, confirm and apply the bundled demo in a temporary copy, offline, then consult the rules expert",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tmp, err := os.MkdirTemp("", "opsmcp-demo-")
			if err != nil {
				return failErr("%v", err)
			}
			if !keep {
				defer os.RemoveAll(tmp)
			}
			if err := runDemo(cmd.Context(), g, tmp); err != nil {
				return err
			}
			if keep {
				fmt.Fprintf(g.Stdout, "\nKept %s\n", tmp)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary directory")
	return cmd
}

// runDemo is the product on embedded defaults, offline: what a session
// with an agent does, each step a real call through the gate.
func runDemo(ctx context.Context, g *globals, tmp string) error {
	if err := copyDemo(tmp); err != nil {
		return failErr("%v", err)
	}
	ws, extras := filepath.Join(tmp, "infra"), filepath.Join(tmp, "demo")
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.Memory = filepath.Join(tmp, "state", "memory.db")
	cfg.Terraform.Workspaces = []string{ws}
	cfg.ReadPaths = []string{tmp}
	cfg.Gate.Policies = []string{filepath.Join(extras, "policies")}
	store, err := memory.Open(ctx, cfg.Memory)
	if err != nil {
		return failErr("%v", err)
	}
	defer store.Close()
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(g.Stderr, slog.LevelWarn)), Principal: "demo"}
	h := mcpkit.NewHost(deploy.New(), rt)
	out := g.Stdout
	progress := terminalProgress(g.Stderr)
	n := 0
	step := func(title string) { n++; fmt.Fprintf(out, "\n%d. %s\n", n, title) }
	call := func(tool string, args map[string]any) (*mcpkit.Outcome, error) {
		o := h.Call(ctx, tool, mustJSON(args), progress)
		if o.IsError {
			return o, failErr("%s: %s", tool, o.Text)
		}
		fmt.Fprintln(out, indent(o.Text))
		return o, nil
	}

	// Applies go through an MCP client that cannot ask the person (no
	// elicitation), as many cannot: the gate holds them for the terminal.
	// The same client gathers the deploy server's context for the consult.
	agent := mcpclient.NewPool([]mcpclient.ServerSpec{{Name: deploy.Name, InProcess: h.MCPServer}})
	defer agent.Close()
	applyAsAgent := func(args map[string]any) (string, bool, error) {
		text, isError, err := agent.CallText(ctx, deploy.Name, "apply_terraform", args)
		if err != nil {
			return "", false, failErr("apply_terraform: %v", err)
		}
		return text, isError, nil
	}

	fmt.Fprintf(out, "opsmcp demo — offline, in %s (mode apply; a person confirms each change; policies %s)\n", tmp, cfg.Gate.Policies[0])
	step("validate_deployment: the service's manifests and Dockerfile, as a team might first write them")
	for _, path := range []string{filepath.Join(extras, "k8s"), filepath.Join(extras, "Dockerfile")} {
		o := h.Call(ctx, "validate_deployment", mustJSON(map[string]any{"config_path": path}), progress)
		if o.Structured == nil {
			return failErr("validate_deployment: %s", o.Text)
		}
		fmt.Fprintln(out, indent(o.Text))
	}
	step("estimate_costs: what the service would cost on AWS, from its Terraform alone")
	if _, err := call("estimate_costs", map[string]any{"infrastructure": filepath.Join(extras, "aws")}); err != nil {
		return err
	}
	step("apply_terraform without plan_id: a plan, with the policies' verdicts; nothing applied")
	p, err := call("apply_terraform", map[string]any{"workspace": ws})
	if err != nil {
		return err
	}
	var plan struct {
		PlanID string `json:"plan_id"`
	}
	if err := p.Decode(&plan); err != nil {
		return failErr("plan result: %v", err)
	}
	apply := map[string]any{"workspace": ws, "plan_id": plan.PlanID, "auto_approve": true}
	step("apply_terraform with that plan_id, from an agent whose client cannot ask the person: the gate holds it")
	text, held, err := applyAsAgent(apply)
	if err != nil {
		return err
	}
	if !held {
		return failErr("the gate let plan %s through unconfirmed", plan.PlanID)
	}
	fmt.Fprintln(out, indent("held: "+text))
	step("opsmcp approve " + plan.PlanID[:14] + "…: the person sees the change and confirms it")
	reviewer := *g
	reviewer.Stderr = out // the question is part of what the demo shows
	if err := decideLocal(ctx, &reviewer, strings.NewReader("y\n"), &reviewOptions{planID: plan.PlanID, decision: gate.Confirmed}, cfg, store); err != nil {
		return err
	}
	fmt.Fprintln(out, "   (answered y)")
	step("the agent's apply_terraform again: confirmed, applied")
	if text, failed, err := applyAsAgent(apply); err != nil || failed {
		return failErr("apply: %v %s", err, text)
	} else {
		fmt.Fprintln(out, indent(text))
	}
	step("the same plan_id again: refused")
	again := h.Call(ctx, "apply_terraform", mustJSON(apply), progress)
	if !again.IsError {
		return failErr("a second apply of plan %s was not refused", plan.PlanID)
	}
	fmt.Fprintln(out, indent("refused: "+again.Text))
	step("apply_terraform with replicas=3: a policy warns; the plan waits for review")
	if _, err := call("apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"replicas": 3}}); err != nil {
		return err
	}
	step("gather_context")
	if _, err := call("gather_context", nil); err != nil {
		return err
	}
	step("what memory and the audit log hold")
	if err := showMemory(ctx, g, store); err != nil {
		return err
	}
	// The deploy server only: the demo runs on embedded defaults and must
	// not read whatever cluster or cloud this machine can reach.
	step("consult: the rules expert, from the deploy server's live context (in-process) and memory")
	orc := &experts.Orchestrator{Pool: agent, Memory: store, Rules: experts.RulesOptions{CostIncrease: config.DefaultCostIncreaseThreshold}}
	res, err := orc.Consult(ctx, experts.ConsultRequest{Question: "Is it safe to apply the next change to the demo workspace?",
		Scope: map[string]string{"workspace": ws}})
	if err != nil {
		return failErr("consult: %v", err)
	}
	fmt.Fprintln(out, indent(experts.Report(res)))
	return nil
}

// copyDemo lays the bundled files out in tmp: the workspace as infra/, the
// rest as demo/.
func copyDemo(tmp string) error {
	for src, dst := range map[string]string{"testdata/workspaces/demo": "infra", "testdata/demo": "demo"} {
		sub, err := fs.Sub(opsmcp.DemoFiles, src)
		if err == nil {
			err = os.CopyFS(filepath.Join(tmp, dst), sub)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func showMemory(ctx context.Context, g *globals, store memory.Store) error {
	page, err := store.List(ctx, memory.Filter{})
	if err != nil {
		return failErr("%v", err)
	}
	audit, err := store.ListAudit(ctx, 0)
	if err != nil {
		return failErr("%v", err)
	}
	entries := page.Entries
	fmt.Fprintf(g.Stdout, "   memory holds %d entries and %d audit records:\n", len(entries), len(audit))
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		data := string(e.Data)
		if len(data) > 160 {
			data = data[:160] + "…"
		}
		fmt.Fprintf(g.Stdout, "   %s %-9s %s %s\n", e.CreatedAt.Format("15:04:05"), e.Kind, shortKey(e.Key), data)
	}
	for i := len(audit) - 1; i >= 0; i-- {
		r := audit[i]
		fmt.Fprintf(g.Stdout, "   audit #%d %s/%s by %s: %s (chain %s…)\n", r.Seq, r.Server, r.Tool, r.Principal, firstLine(r.Outcome), r.Hash[:12])
	}
	return nil
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
