package mcpkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// What a change needs besides the mode (gate: in opsmcp.yaml): the team's
// approvals and a person's confirmation at the moment of apply. Checked in
// Host.Call after the mode, before any handler.

// Changer is implemented by inputs of calls that change something whose
// change has an id decisions bind to (a plan): what a person confirms.
// Its error refuses the call (an unknown plan).
type Changer interface {
	Change(ctx context.Context, c *Call) (*gate.Change, error)
}

// ConfirmRequest is the question the transport puts to the person at the
// client; State comes back with the answer and binds it to the change.
type ConfirmRequest struct {
	Message string
	Schema  map[string]any
	State   string
}

// Answer is the person's answer to a ConfirmRequest.
type Answer struct {
	Action  string // accept, decline or cancel
	Content map[string]any
}

// asker is set in the context by a transport that can put a question to
// the person at the client; a call without one (the CLI) is a person or a
// pipeline acting directly, its own confirmation.
type asker struct {
	can    bool    // the client declared elicitation
	answer *Answer // the answer this request carries, if any
	state  string
}

type askerKey struct{}

func withAsker(ctx context.Context, a *asker) context.Context {
	return context.WithValue(ctx, askerKey{}, a)
}

func askerFrom(ctx context.Context) *asker {
	a, _ := ctx.Value(askerKey{}).(*asker)
	return a
}

// confirmField is the form's one field: the person's yes.
const confirmField = "apply"

// ConfirmUnavailableError: the person cannot be asked through this client.
type ConfirmUnavailableError struct{ Change *gate.Change }

func (e *ConfirmUnavailableError) Error() string {
	return fmt.Sprintf("%s needs a person's confirmation (gate.confirm: elicit) and this client cannot ask (it has no MCP elicitation): in a terminal run `opsmcp approve %s`, review the change and answer y, then call again", e.Change.ID, e.Change.ID)
}

// PolicyDeniedError: a policy (gate.policies) denies the change.
type PolicyDeniedError struct{ Change *gate.Change }

func (e *PolicyDeniedError) Error() string {
	return fmt.Sprintf("%s is denied by policy (gate.policies): %s", e.Change.ID, strings.Join(e.Change.Denied, "; "))
}

// UnmetError: a requirement of gate: is not met (the pull request).
type UnmetError struct {
	Change *gate.Change
	Unmet  gate.Unmet
}

func (e *UnmetError) Error() string {
	return fmt.Sprintf("gate.%s: %s; nothing was applied", e.Unmet.Requirement, e.Unmet.Reason)
}

// RevokedProposerError: the change's proposer no longer holds a
// credential, so nothing they proposed may be applied.
type RevokedProposerError struct{ Change *gate.Change }

func (e *RevokedProposerError) Error() string {
	return fmt.Sprintf("%s was proposed by %s, who no longer holds a credential here (their token was revoked): nothing was applied; plan again as a current principal", e.Change.ID, e.Change.Proposer)
}

// DeclinedError: the person said no.
type DeclinedError struct {
	Change *gate.Change
	Action string // decline or cancel
}

func (e *DeclinedError) Error() string {
	what := "declined"
	if e.Action == "cancel" {
		what = "cancelled"
	}
	return fmt.Sprintf("the confirmation of %s was %s: nothing was changed", e.Change.ID, what)
}

// changeOf is what a call changes: the input's own description, or the
// tool and its arguments.
func changeOf(ctx context.Context, c *Call, in any, args json.RawMessage) (*gate.Change, error) {
	if ch, ok := in.(Changer); ok {
		return ch.Change(ctx, c)
	}
	return &gate.Change{Tool: c.Tool, Proposer: c.Principal, Detail: c.Secrets.String(string(orEmpty(args)))}, nil
}

// stateOf binds an answer to a change: its id, or the call's arguments.
func stateOf(ch *gate.Change, args json.RawMessage) string {
	if ch.ID != "" {
		return ch.ID
	}
	// The arguments as JSON with sorted keys: a client's retry may order
	// them differently.
	var v any
	_ = json.Unmarshal(orEmpty(args), &v)
	canon, _ := json.Marshal(v)
	sum := sha256.Sum256(append([]byte(ch.Tool+"\x00"), canon...))
	return "call-" + hex.EncodeToString(sum[:12])
}

// CheckGate runs a call through the gate without running it: the mode,
// then what a change needs (policies, the pull request, approvals). It
// answers nil when the call would reach its handler, the question for the
// person when it would wait for one, or the refusal. A person's
// confirmation is not asked for: the question is returned.
func (h *Host) CheckGate(ctx context.Context, name string, args json.RawMessage) (*ConfirmRequest, error) {
	t, ok := h.byName[name]
	if !ok {
		return nil, fmt.Errorf("unknown tool %q on server %s", name, h.Server.Name)
	}
	c := h.newCall(ctx, name, t.Timeout, nil)
	if err := allowed(c.Runtime, t); err != nil {
		return nil, err
	}
	in, err := t.decode(args)
	if err != nil {
		return nil, err
	}
	if in, c.AsPlan, err = gateCall(c.Runtime, t, in); err != nil || c.AsPlan || t.effectOf(in) != EffectChange || !c.Runtime.Config.Gate.Gated(name) {
		return nil, err
	}
	return h.requirements(ctx, c, in, args)
}

// requirements checks what the gate requires of a change. It returns a
// question for the person when the call must wait for one.
func (h *Host) requirements(ctx context.Context, c *Call, in any, args json.RawMessage) (*ConfirmRequest, error) {
	g := c.Runtime.Config.Gate
	ask := askerFrom(ctx)
	if g.Approvals == 0 && len(g.Policies) == 0 && !g.GitHub.RequireApprovedPR && !g.GitHub.RequireGreenChecks &&
		(g.Confirm != config.ConfirmElicit || ask == nil) {
		// Nothing to require: describing the change (a dry run, a
		// terraform show) would be work for nobody.
		return nil, nil
	}
	ch, err := changeOf(ctx, c, in, args)
	if err != nil {
		return nil, err
	}
	if len(ch.Denied) > 0 {
		err := &PolicyDeniedError{Change: ch}
		h.auditDecision(c, "gate/policy", ch, err.Error())
		return nil, err
	}
	if ch.Judged {
		h.auditDecision(c, "gate/policy", ch, ch.PolicyOutcome())
	}
	for _, u := range ch.Unmet {
		err := &UnmetError{Change: ch, Unmet: u}
		h.auditDecision(c, "gate/"+u.Requirement, ch, err.Error())
		return nil, err
	}
	if ch.ID == "" {
		// A change without an id of its own (not a plan or a dry run's
		// change) is this exact call: its tool and arguments.
		ch.ID = stateOf(ch, args)
	}
	creds := c.Runtime.Credentials
	if creds != nil && ch.Proposer != "" && !creds.Holds(ch.Proposer) {
		err := &RevokedProposerError{Change: ch}
		h.auditDecision(c, "gate/proposer", ch, err.Error())
		return nil, err
	}
	var decided []gate.Approval
	if c.Runtime.Memory != nil {
		if decided, err = gate.List(ctx, c.Runtime.Memory, ch.ID); err != nil {
			return nil, err
		}
	}
	if g.Approvals > 0 {
		counted := decided
		if creds != nil {
			// An approval counts only while its principal could still give it.
			counted = slices.DeleteFunc(slices.Clone(decided), func(a gate.Approval) bool {
				return a.Decision == gate.Approved && !creds.Holds(a.Principal)
			})
		}
		by, err := gate.Approvers(counted, ch.ID, ch.Proposer, g.Approvals)
		var need *gate.NeedApprovalsError
		if errors.As(err, &need) && !ch.Saved {
			// Not a saved plan: propose it, so reviewers can find it.
			if perr := gate.Propose(ctx, c.Runtime.Memory, ch, time.Duration(c.Runtime.Config.Terraform.PlanTTL)); perr != nil {
				return nil, perr
			}
		}
		if err != nil {
			h.auditDecision(c, "gate/approvals", ch, err.Error())
			return nil, err
		}
		for _, p := range by {
			c.Decisions = append(c.Decisions, gate.Approval{ChangeID: ch.ID, Principal: p, Decision: gate.Approved})
		}
	}
	if g.Confirm != config.ConfirmElicit {
		return nil, nil
	}
	switch {
	case ask == nil:
		// The CLI: a person or a pipeline acting directly.
		return nil, nil
	case gate.Confirmation(decided) != nil:
		c.Decisions = append(c.Decisions, *gate.Confirmation(decided))
		return nil, nil
	case ask.answer != nil && ask.state == stateOf(ch, args):
		return nil, h.answered(ctx, c, ch, ask.answer)
	case ask.can:
		return &ConfirmRequest{
			Message: "Apply this change?\n\n" + c.Secrets.String(ch.Text()),
			Schema: map[string]any{"type": "object", "required": []string{confirmField}, "properties": map[string]any{
				confirmField: map[string]any{"type": "boolean", "title": "Apply this change", "description": "Only yes applies it; decline or cancel changes nothing."},
			}},
			State: stateOf(ch, args),
		}, nil
	}
	h.auditDecision(c, "gate/confirm", ch, "unavailable")
	if !ch.Saved && c.Runtime.Memory != nil {
		// opsmcp approve at a terminal shows the proposal.
		if err := gate.Propose(ctx, c.Runtime.Memory, ch, time.Duration(c.Runtime.Config.Terraform.PlanTTL)); err != nil {
			return nil, err
		}
	}
	return nil, &ConfirmUnavailableError{Change: ch}
}

// answered applies the person's answer: only an accept with a yes lets
// the change through; every answer is on the record.
func (h *Host) answered(ctx context.Context, c *Call, ch *gate.Change, ans *Answer) error {
	yes, _ := ans.Content[confirmField].(bool)
	action := ans.Action
	if action == "accept" && !yes {
		action = "decline"
	}
	if action != "accept" {
		outcome := "declined"
		if action == "cancel" {
			outcome = "cancelled"
		}
		h.auditDecision(c, "gate/confirm", ch, outcome)
		return &DeclinedError{Change: ch, Action: action}
	}
	h.auditDecision(c, "gate/confirm", ch, "accepted")
	d := gate.Approval{ChangeID: ch.ID, Principal: c.Principal, Decision: gate.Confirmed, How: gate.ViaElicitation, At: time.Now().UTC()}
	c.Decisions = append(c.Decisions, d)
	if c.Runtime.Memory != nil {
		if err := gate.Record(ctx, c.Runtime.Memory, ch.Scope, d); err != nil {
			return fmt.Errorf("the confirmation could not be recorded, so nothing was changed: %w", err)
		}
	}
	return nil
}

// auditDecision records a gate decision: who, which change, what.
func (h *Host) auditDecision(c *Call, what string, ch *gate.Change, outcome string) {
	c.AuditDecision(what, ch, outcome)
}

// AuditDecision records a decision about a change in the audit log
// beside the call's own record: the gate's, or a handler's (the policies'
// verdicts on a new plan).
func (c *Call) AuditDecision(what string, ch *gate.Change, outcome string) {
	if c.Runtime.Memory == nil {
		return
	}
	args, _ := json.Marshal(map[string]string{"tool": ch.Tool, "change_id": ch.ID, "scope": ch.Scope})
	rec := &memory.AuditRecord{Principal: c.Principal, Server: c.Server, Tool: what, Args: c.Secrets.JSON(args), Outcome: c.Secrets.String(outcome)}
	if ch.ID != "" {
		rec.ResultIDs = []string{ch.ID} // a handler's record may have none
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Runtime.Memory.AppendAudit(ctx, rec); err != nil {
		c.Log().Error("audit record not written", "error", err.Error())
	}
}
