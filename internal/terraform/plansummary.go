package terraform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/redact"
)

// PlanSummary counts planned changes the way terraform's "Plan:" line does
// (a replacement counts as one add and one destroy), plus replacements.
type PlanSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Replace int `json:"replace"`
}

// ResourceChange is one planned resource action.
type ResourceChange struct {
	Address string `json:"address"`
	Action  string `json:"action" enum:"delete|replace|create|update|read"`
}

// OutputChange is one planned root output change.
type OutputChange struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	Value  any    `json:"value,omitempty"`
}

// Summarize counts actions and lists changed resources, deletes and
// replaces first so the dangerous part is read first.
func Summarize(p *tfjson.Plan) (PlanSummary, []ResourceChange) {
	var s PlanSummary
	changes := []ResourceChange{}
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		var action string
		switch {
		case a.Replace():
			action = "replace"
			s.Add++
			s.Destroy++
			s.Replace++
		case a.Create():
			action = "create"
			s.Add++
		case a.Update():
			action = "update"
			s.Change++
		case a.Delete():
			action = "delete"
			s.Destroy++
		case a.Read():
			action = "read"
		default:
			continue
		}
		changes = append(changes, ResourceChange{Address: rc.Address, Action: action})
	}
	order := map[string]int{"delete": 0, "replace": 1, "create": 2, "update": 3, "read": 4}
	sort.SliceStable(changes, func(i, j int) bool {
		if order[changes[i].Action] != order[changes[j].Action] {
			return order[changes[i].Action] < order[changes[j].Action]
		}
		return changes[i].Address < changes[j].Address
	})
	return s, changes
}

// OutputChanges lists the root outputs a plan changes, sensitive values
// masked and unknown ones said so.
func OutputChanges(p *tfjson.Plan) []OutputChange {
	var out []OutputChange
	for name, ch := range p.OutputChanges {
		if ch == nil || ch.Actions.NoOp() {
			continue
		}
		oc := OutputChange{Name: name, Action: string(ch.Actions[len(ch.Actions)-1])}
		switch {
		case isTrue(ch.AfterSensitive) || isTrue(ch.BeforeSensitive):
			oc.Value = redact.Mask
		case isTrue(ch.AfterUnknown):
			oc.Value = "(known after apply)"
		default:
			oc.Value = ch.After
		}
		out = append(out, oc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// planIdentity is what makes two plans the same change: the configuration,
// the inputs, and what terraform plans, but not when it planned.
func planIdentity(config, vars string, varFiles, targets []string, destroy bool, plan *tfjson.Plan) string {
	p := *plan
	p.Timestamp = ""
	b, _ := json.Marshal(&p)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%q\x00%q\x00%t\x00", config, vars, varFiles, targets, destroy)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
