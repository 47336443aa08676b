// Package drift says when what runs is no longer what was applied: in a
// Terraform workspace, what a refresh-only plan finds changed or deleted
// outside Terraform. It changes nothing: a refresh-only plan is never
// applied and never writes state.
package drift

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
)

// A target's status.
const (
	InSync  = "in_sync"
	Drifted = "drifted"
	Error   = "error"
)

// What happened to a resource outside opsmcp.
const (
	Changed = "changed"
	Deleted = "deleted"
)

// Resource is one resource that drifted: changed (Paths say which
// attributes) or deleted.
type Resource struct {
	Address string   `json:"address"`
	Type    string   `json:"type,omitempty"`
	Change  string   `json:"change"`
	Paths   []string `json:"paths,omitempty"`
	// Managers are, in Kubernetes, the field manager that owns each
	// changed path now (kubectl-edit, kubectl-client-side-apply, a
	// controller).
	Managers map[string]string `json:"managers,omitempty"`
}

// Target is one workspace (or set of objects) checked, with the last
// apply opsmcp recorded for it: what the drift is measured from.
type Target struct {
	Kind      string     `json:"kind"`
	Target    string     `json:"target"`
	Status    string     `json:"status"`
	Reason    string     `json:"reason,omitempty"`
	Resources []Resource `json:"resources,omitempty"`
	LastApply *Apply     `json:"last_apply,omitempty"`
}

// Apply is a recorded apply: its plan (or operation) id, when, by whom.
type Apply struct {
	ID string    `json:"plan_id"`
	At time.Time `json:"at"`
	By string    `json:"by,omitempty"`
}

// Report is the targets checked, with totals.
type Report struct {
	Targets []Target `json:"targets"`
	InSync  int      `json:"in_sync"`
	Drifted int      `json:"drifted"`
	Errors  int      `json:"errors"`
}

// Add records a target and counts it.
func (r *Report) Add(t Target) {
	switch t.Status {
	case InSync:
		r.InSync++
	case Drifted:
		r.Drifted++
	default:
		r.Errors++
	}
	r.Targets = append(r.Targets, t)
}

// FromPlan reads a refresh-only plan's resource_drift: each resource
// changed outside Terraform with the attribute paths that differ from
// the state, and each deleted. Values are not kept: the paths say what
// drifted without repeating what may be secret.
func FromPlan(p *tfjson.Plan) []Resource {
	var out []Resource
	for _, rc := range p.ResourceDrift {
		if rc == nil || rc.Change == nil || rc.Mode == tfjson.DataResourceMode {
			continue
		}
		r := Resource{Address: rc.Address, Type: rc.Type}
		switch {
		case rc.Change.Actions.Delete() || rc.Change.After == nil:
			r.Change = Deleted
		case rc.Change.Actions.Update() || rc.Change.Actions.NoOp():
			r.Change = Changed
			r.Paths = ChangedPaths(rc.Change.Before, rc.Change.After)
			if len(r.Paths) == 0 {
				continue
			}
		default:
			r.Change = Changed
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// ChangedPaths lists the paths where two JSON values differ: "content",
// "labels.team", "rules[2].port". A key only one side has is a path.
func ChangedPaths(before, after any) []string {
	var out []string
	diff("", before, after, &out)
	sort.Strings(out)
	return out
}

func diff(path string, a, b any, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, orRoot(path))
			return
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		for k := range keys {
			diff(join(path, k), av[k], bv[k], out)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			*out = append(*out, orRoot(path))
			return
		}
		for i := range av {
			diff(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i], out)
		}
	default:
		if fmt.Sprint(a) != fmt.Sprint(b) || (a == nil) != (b == nil) {
			*out = append(*out, orRoot(path))
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(the whole value)"
	}
	return path
}

// Of builds a target's result from what was found.
func Of(kind, target string, resources []Resource) Target {
	t := Target{Kind: kind, Target: target, Status: InSync, Resources: resources}
	if len(resources) > 0 {
		t.Status = Drifted
	}
	return t
}

// Failed is a target that could not be checked, with why.
func Failed(kind, target string, err error) Target {
	return Target{Kind: kind, Target: target, Status: Error, Reason: strings.TrimSpace(err.Error())}
}
