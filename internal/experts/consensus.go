// Package experts is the orchestrator: it gathers context from every
// server, asks several experts, and merges their answers into a consensus
// that keeps the dissent.
package experts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Action is a proposed MCP tool call.
type Action struct {
	Server    string         `json:"server"`
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments,omitempty"`
}

// key is the action's identity: server, tool and canonical arguments
// (encoding/json sorts map keys, so equal arguments give equal bytes).
func (a *Action) key() string {
	args, _ := json.Marshal(a.Arguments)
	if bytes.Equal(args, []byte("null")) {
		args = []byte("{}")
	}
	return a.Server + "\x00" + a.Tool + "\x00" + string(args)
}

// Recommendation is one thing an expert advises.
type Recommendation struct {
	Title      string  `json:"title"`
	Rationale  string  `json:"rationale"`
	Severity   string  `json:"severity"`   // critical, high, medium, low, info
	Confidence float64 `json:"confidence"` // 0–1
	Action     *Action `json:"action,omitempty"`
}

// Answer is one expert's answer in the schema every expert must follow.
type Answer struct {
	Assessment      string           `json:"assessment"`
	Risks           []string         `json:"risks"`
	Recommendations []Recommendation `json:"recommendations"`
}

// ExpertAnswer is an answer with who gave it and their weight; Err is set
// (and Answer empty) when the expert failed.
type ExpertAnswer struct {
	Expert string  `json:"expert"`
	Weight float64 `json:"weight"`
	Answer Answer  `json:"answer"`
	Err    string  `json:"error,omitempty"`
}

// Item is a merged recommendation.
type Item struct {
	Title      string   `json:"title"`
	Rationales []string `json:"rationales"` // "expert: rationale", one per supporter
	Severity   string   `json:"severity"`
	// Support is the weighted share of the experts that answered which
	// propose it; Confidence the mean of their confidences.
	Support    float64  `json:"support"`
	Confidence float64  `json:"confidence"`
	Verdict    string   `json:"verdict"` // consensus or split
	Action     *Action  `json:"action,omitempty"`
	Supporters []string `json:"supporters"`
	Dissenters []string `json:"dissenters,omitempty"` // answered, did not propose it
}

// Consensus is the merge of every answer.
type Consensus struct {
	Items []Item `json:"items"`
	// Assessments are each expert's own words, by expert.
	Assessments map[string]string `json:"assessments"`
	Failed      map[string]string `json:"failed,omitempty"`
}

var severityRank = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

func rank(sev string) int {
	if r, ok := severityRank[strings.ToLower(sev)]; ok {
		return r
	}
	return 5
}

// normalizeTitle makes titles that differ only in case, punctuation,
// spacing and a few filler words compare equal.
func normalizeTitle(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch w {
		case "a", "an", "the", "to", "of", "please", "should", "you":
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// Merge computes the consensus. The algorithm:
//
//  1. Only experts that answered count; their weights sum to the total.
//  2. Two recommendations (of any experts) are the same item when they
//     propose the same action (server, tool and canonical arguments) or
//     have the same title after normalisation; "same" is transitive
//     (union–find).
//  3. An item's support is the summed weight of the distinct experts
//     proposing it over the total; its confidence the mean confidence of
//     its recommendations; its severity the highest; its action the one
//     proposed by the most weight (ties: the smaller canonical form); its
//     title that of its heaviest supporter (ties: expert name).
//  4. Verdict: consensus when support ≥ 0.5, else split. Experts that
//     answered but did not propose the item are its dissenters.
//  5. Items are ranked by support, then severity, then confidence, then
//     title — the same inputs always give the same output.
func Merge(answers []ExpertAnswer) Consensus {
	out := Consensus{Items: []Item{}, Assessments: map[string]string{}}
	type rec struct {
		expert string
		weight float64
		r      Recommendation
	}
	var recs []rec
	total := 0.0
	var answered []string
	for _, a := range answers {
		if a.Err != "" {
			if out.Failed == nil {
				out.Failed = map[string]string{}
			}
			out.Failed[a.Expert] = a.Err
			continue
		}
		w := a.Weight
		if w <= 0 {
			w = 1
		}
		total += w
		answered = append(answered, a.Expert)
		out.Assessments[a.Expert] = a.Answer.Assessment
		for _, r := range a.Answer.Recommendations {
			recs = append(recs, rec{a.Expert, w, r})
		}
	}
	sort.Strings(answered)
	// Union–find over recommendations, joined through shared keys.
	parent := make([]int, len(recs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	owner := map[string]int{}
	join := func(key string, i int) {
		if j, ok := owner[key]; ok {
			a, b := find(i), find(j)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
			return
		}
		owner[key] = i
	}
	for i, r := range recs {
		if r.r.Action != nil {
			join("action\x00"+r.r.Action.key(), i)
		}
		if t := normalizeTitle(r.r.Title); t != "" {
			join("title\x00"+t, i)
		}
	}
	groups := map[int][]rec{}
	var roots []int
	for i := range recs {
		root := find(i)
		if _, ok := groups[root]; !ok {
			roots = append(roots, root)
		}
		groups[root] = append(groups[root], recs[i])
	}
	for _, root := range roots {
		g := groups[root]
		weightOf := map[string]float64{}
		actionWeight := map[string]float64{}
		actions := map[string]*Action{}
		sev, conf := "info", 0.0
		var rationales []string
		for _, r := range g {
			weightOf[r.expert] = r.weight
			conf += r.r.Confidence
			if rank(r.r.Severity) < rank(sev) {
				sev = strings.ToLower(r.r.Severity)
			}
			if r.r.Rationale != "" {
				rationales = append(rationales, r.expert+": "+r.r.Rationale)
			}
			if r.r.Action != nil {
				k := r.r.Action.key()
				actionWeight[k] += r.weight
				actions[k] = r.r.Action
			}
		}
		it := Item{Severity: sev, Confidence: conf / float64(len(g))}
		for e := range weightOf {
			it.Supporters = append(it.Supporters, e)
		}
		sort.Strings(it.Supporters)
		// Summed in name order: float addition in map order could differ
		// in the last bit from run to run.
		support := 0.0
		for _, e := range it.Supporters {
			support += weightOf[e]
		}
		if total > 0 {
			it.Support = support / total
		}
		sort.Strings(rationales)
		it.Rationales = rationales
		for _, e := range answered {
			if _, ok := weightOf[e]; !ok {
				it.Dissenters = append(it.Dissenters, e)
			}
		}
		it.Verdict = "split"
		if it.Support >= 0.5 {
			it.Verdict = "consensus"
		}
		bestKey := ""
		for k, w := range actionWeight {
			if bestKey == "" || w > actionWeight[bestKey] || (w == actionWeight[bestKey] && k < bestKey) {
				bestKey = k
			}
		}
		if bestKey != "" {
			it.Action = actions[bestKey]
		}
		// The title of the heaviest supporter (ties: by expert name).
		sort.SliceStable(g, func(i, j int) bool {
			if g[i].weight != g[j].weight {
				return g[i].weight > g[j].weight
			}
			return g[i].expert < g[j].expert
		})
		it.Title = g[0].r.Title
		out.Items = append(out.Items, it)
	}
	sort.SliceStable(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		switch {
		case a.Support != b.Support:
			return a.Support > b.Support
		case rank(a.Severity) != rank(b.Severity):
			return rank(a.Severity) < rank(b.Severity)
		case a.Confidence != b.Confidence:
			return a.Confidence > b.Confidence
		}
		return a.Title < b.Title
	})
	return out
}

// String is a one-line view of an item, for reports.
func (it Item) String() string {
	s := fmt.Sprintf("[%s %.0f%%] %s (%s, confidence %.2f)", it.Verdict, it.Support*100, it.Title, it.Severity, it.Confidence)
	if len(it.Dissenters) > 0 {
		s += "; not proposed by " + strings.Join(it.Dissenters, ", ")
	}
	return s
}
