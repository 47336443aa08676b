package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpclient"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

type reviewOptions struct {
	planID, server, reason string
	yes                    bool
	decision               gate.Decision
}

// newReviewCmd is opsmcp approve and opsmcp reject: a person at a terminal
// decides on a saved plan. Locally, approve is the confirmation a client
// without elicitation cannot ask for; with --server it is a team member's
// review through approve_plan / reject_plan.
func newReviewCmd(g *globals, d gate.Decision) *cobra.Command {
	o := &reviewOptions{decision: d}
	verb := map[gate.Decision]string{gate.Approved: "approve", gate.Rejected: "reject"}[d]
	cmd := &cobra.Command{
		Use:   verb + " PLAN_ID",
		Short: map[gate.Decision]string{gate.Approved: "Show a saved plan and confirm it (y/N), here or on a team service (--server)", gate.Rejected: "Reject a saved plan, here or on a team service (--server)"}[d],
		Long: "Locally (no --server), shows the plan and asks y/N on the terminal; a yes is kept in memory, bound to the plan id,\n" +
			"and the model's next apply of that plan goes through. With --server URL (a deploy server's MCP endpoint, the\n" +
			"token in $OPSMCP_TOKEN) the decision is your principal's review through approve_plan or reject_plan.\n" +
			"Exit 0 when the decision is recorded, 1 when it is not (a no, or a refusal), 2 on a usage error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.planID = args[0]
			if o.server != "" {
				return reviewRemote(cmd.Context(), g, cmd.InOrStdin(), o)
			}
			return reviewLocal(cmd.Context(), g, cmd.InOrStdin(), o)
		},
	}
	cmd.Flags().StringVar(&o.server, "server", "", "the team service's deploy MCP endpoint (https://host/deploy/mcp); token from $OPSMCP_TOKEN")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why, kept with the decision")
	cmd.Flags().BoolVar(&o.yes, "yes", false, "decide without asking (after reviewing the plan elsewhere)")
	return cmd
}

// ask shows the question and reads y or n; anything but yes is no.
func ask(g *globals, in io.Reader, question string) bool {
	fmt.Fprint(g.Stderr, question+" [y/N] ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

func reviewLocal(ctx context.Context, g *globals, in io.Reader, o *reviewOptions) error {
	return withStore(ctx, g, func(cfg *config.Config, mem memory.Store) error { return decideLocal(ctx, g, in, o, cfg, mem) })
}

func decideLocal(ctx context.Context, g *globals, in io.Reader, o *reviewOptions, cfg *config.Config, mem memory.Store) error {
	ch, scope, expires, err := terminalChange(ctx, cfg, mem, o.planID)
	if err != nil {
		return failErr("%v", err)
	}
	fmt.Fprintln(g.Stdout, ch.Text())
	who := localPrincipal()
	d := gate.Approval{ChangeID: ch.ID, Principal: who, Decision: gate.Confirmed, How: gate.ViaTerminal, Reason: o.reason}
	question := "Apply this change?"
	if o.decision == gate.Rejected {
		d.Decision, question = gate.Rejected, "Reject this change?"
	}
	if !o.yes && !ask(g, in, question) {
		auditTerminal(ctx, mem, who, ch, "declined")
		return failErr("not %s: nothing was recorded", map[gate.Decision]string{gate.Confirmed: "confirmed", gate.Rejected: "rejected"}[d.Decision])
	}
	if err := gate.Record(ctx, mem, scope, d); err != nil {
		return failErr("%v", err)
	}
	auditTerminal(ctx, mem, who, ch, map[gate.Decision]string{gate.Confirmed: "accepted", gate.Rejected: "rejected"}[d.Decision])
	id := terraform.ShortPlanID(ch.ID)
	switch {
	case d.Decision == gate.Rejected:
		fmt.Fprintf(g.Stdout, "Rejected %s: it cannot be applied.\n", id)
	case ch.Saved:
		fmt.Fprintf(g.Stdout, "Confirmed plan %s: the next apply_terraform call with plan_id %s applies it (before %s).\n", id, ch.ID, expires.Format(time.RFC3339))
	default:
		fmt.Fprintf(g.Stdout, "Confirmed change %s: the next %s call with the same arguments makes it (before %s).\n", id, ch.Tool, expires.Format(time.RFC3339))
	}
	return nil
}

// terminalChange is what opsmcp approve shows and binds to: a saved plan,
// else a proposed change.
func terminalChange(ctx context.Context, cfg *config.Config, mem memory.Store, id string) (*gate.Change, string, time.Time, error) {
	p, err := deploy.PlanStore(cfg, mem).Get(ctx, id)
	var missing *terraform.PlanNotFoundError
	if errors.As(err, &missing) {
		prop, perr := gate.GetProposal(ctx, mem, id)
		if perr != nil || !time.Now().Before(prop.ExpiresAt) {
			return nil, "", time.Time{}, err
		}
		return &prop.Change, prop.Change.Scope, prop.ExpiresAt, nil
	}
	if err == nil {
		err = deploy.Reviewable(p, time.Now())
	}
	if err != nil {
		return nil, "", time.Time{}, err
	}
	return deploy.PlanChange(p), p.Workspace, p.ExpiresAt, nil
}

// localPrincipal names the person at this terminal.
func localPrincipal() string {
	if u := os.Getenv("USER"); u != "" {
		return "local:" + u
	}
	return "local"
}

// auditTerminal records a terminal decision in the audit log like the
// gate records the ones it asks for.
func auditTerminal(ctx context.Context, mem memory.Store, who string, ch *gate.Change, outcome string) {
	args, _ := json.Marshal(map[string]string{"tool": ch.Tool, "change_id": ch.ID, "scope": ch.Scope, "via": gate.ViaTerminal})
	_ = mem.AppendAudit(ctx, &memory.AuditRecord{Principal: who, Server: deploy.Name, Tool: "gate/confirm", Args: args, Outcome: outcome, ResultIDs: []string{ch.ID}})
}

func reviewRemote(ctx context.Context, g *globals, in io.Reader, o *reviewOptions) error {
	token := os.Getenv("OPSMCP_TOKEN")
	if token == "" {
		return usageErr("--server needs your token in $OPSMCP_TOKEN")
	}
	pool := mcpclient.NewPool([]mcpclient.ServerSpec{{Name: deploy.Name, URL: o.server, Headers: map[string]string{"Authorization": "Bearer " + token}}})
	defer pool.Close()
	if !o.yes {
		gathered, isErr, err := pool.CallText(ctx, deploy.Name, "gather_context", map[string]any{})
		if err != nil || isErr {
			return failErr("reading the pending plans from %s: %v%s", o.server, err, gathered)
		}
		if !strings.Contains(gathered, terraform.ShortPlanID(o.planID)) && !strings.Contains(gathered, o.planID) {
			fmt.Fprintf(g.Stderr, "plan %s is not among the pending plans %s shows you\n", o.planID, o.server)
		}
		fmt.Fprintln(g.Stdout, gathered)
		if !ask(g, in, map[gate.Decision]string{gate.Approved: "Approve", gate.Rejected: "Reject"}[o.decision]+" plan "+o.planID+"?") {
			return failErr("nothing was recorded")
		}
	}
	tool := map[gate.Decision]string{gate.Approved: "approve_plan", gate.Rejected: "reject_plan"}[o.decision]
	out, isErr, err := pool.CallText(ctx, deploy.Name, tool, map[string]any{"plan_id": o.planID, "reason": o.reason})
	if err != nil {
		return failErr("%s at %s: %v", tool, o.server, err)
	}
	if isErr {
		return failErr("%s", out)
	}
	fmt.Fprintln(g.Stdout, out)
	return nil
}
