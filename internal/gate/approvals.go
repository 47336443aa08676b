package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/memory"
)

// Decision is what a person decided about a change.
type Decision string

// Decisions.
const (
	// Confirmed: the person at the client (or at the terminal, with
	// opsmcp approve) said yes to applying it now.
	Confirmed Decision = "confirmed"
	// Approved and Rejected: a team member's review.
	Approved Decision = "approved"
	Rejected Decision = "rejected"
)

// Ways a decision was made.
const (
	ViaElicitation = "elicitation"
	ViaTerminal    = "terminal"
	ViaTool        = "tool"
	ViaPage        = "page"
)

// Approval is one decision on a change, as memory keeps it.
type Approval struct {
	ChangeID  string    `json:"change_id"`
	Principal string    `json:"principal"`
	Decision  Decision  `json:"decision"`
	How       string    `json:"how"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// server is the memory server name decisions are kept under.
const server = "gate"

// Record keeps a decision in the shared memory. A principal's same
// decision on the same change is kept once.
func Record(ctx context.Context, store memory.Entries, scope string, a Approval) error {
	if a.At.IsZero() {
		a.At = time.Now().UTC()
	}
	have, err := List(ctx, store, a.ChangeID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(have, func(h Approval) bool { return h.Principal == a.Principal && h.Decision == a.Decision }) {
		return nil
	}
	data, _ := json.Marshal(a)
	return store.Put(ctx, &memory.Entry{Server: server, Kind: memory.KindApproval, Scope: scope, Key: a.ChangeID, Data: data,
		Tags: []string{string(a.Decision), a.How}})
}

// List is every decision on a change, oldest first.
func List(ctx context.Context, store memory.Entries, changeID string) ([]Approval, error) {
	page, err := store.List(ctx, memory.Filter{Server: server, Kind: memory.KindApproval, Key: changeID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []Approval
	for i := len(page.Entries) - 1; i >= 0; i-- {
		var a Approval
		if json.Unmarshal(page.Entries[i].Data, &a) == nil && a.ChangeID == changeID {
			out = append(out, a)
		}
	}
	return out, nil
}

// RejectedError: someone rejected the change.
type RejectedError struct {
	ChangeID, By, Reason string
}

func (e *RejectedError) Error() string {
	s := fmt.Sprintf("%s was rejected by %s", e.ChangeID, e.By)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s + "; plan again to propose a new change"
}

// NeedApprovalsError: the change has fewer approvals than gate.approvals.
type NeedApprovalsError struct {
	ChangeID, Proposer string
	Need               int
	Have               []string
}

func (e *NeedApprovalsError) Error() string {
	have := "none yet"
	if len(e.Have) > 0 {
		have = strings.Join(e.Have, ", ")
	}
	return fmt.Sprintf("%s needs %d approval(s) from principals other than its proposer %s whose role may approve (gate.approvals); approved so far: %s. Approve with approve_plan, opsmcp approve %s --server URL, or the /ui/ page",
		e.ChangeID, e.Need, e.Proposer, have, e.ChangeID)
}

// Approvers checks a change's team review: no rejection, and need
// approvals from principals other than the proposer. It returns who
// approved.
func Approvers(list []Approval, changeID, proposer string, need int) ([]string, error) {
	var by []string
	for _, a := range list {
		switch a.Decision {
		case Rejected:
			return nil, &RejectedError{ChangeID: changeID, By: a.Principal, Reason: a.Reason}
		case Approved:
			if a.Principal != proposer && !slices.Contains(by, a.Principal) {
				by = append(by, a.Principal)
			}
		}
	}
	if len(by) < need {
		return by, &NeedApprovalsError{ChangeID: changeID, Proposer: proposer, Need: need, Have: by}
	}
	return by, nil
}

// Confirmation is a confirmation recorded for the change (opsmcp approve
// at the terminal), or nil.
func Confirmation(list []Approval) *Approval {
	for i := range list {
		if list[i].Decision == Confirmed {
			return &list[i]
		}
	}
	return nil
}
