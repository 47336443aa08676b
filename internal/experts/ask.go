package experts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Prompt is what every expert is asked: the question, its scope, and the
// gathered context compacted to a budget per server.
type Prompt struct {
	Question string
	Scope    map[string]string
	Gathered Gathered
}

// Expert answers a prompt. Model experts return text that must hold the
// answer JSON; Ask's retry carries the previous parse error.
type Expert interface {
	Name() string
	Weight() float64
	Timeout() time.Duration
	// Ask returns the expert's raw answer. retry is the parse error of the
	// previous attempt ("" on the first).
	Ask(ctx context.Context, system, user, retry string) (string, error)
}

// System is the instruction every model expert gets: the answer schema.
const System = `You are a deployment operations expert. Using only the live context given, answer the question.
Reply with one JSON object and nothing else:
{"assessment": string, "risks": [string], "recommendations": [{"title": string, "rationale": string,
"severity": "critical"|"high"|"medium"|"low"|"info", "confidence": number 0-1,
"action": {"server": string, "tool": string, "arguments": object} (optional: an MCP tool call that would help)}]}`

// contextBudget is how many bytes of each server's context a prompt carries
// (about 2,000 tokens).
const contextBudget = 8000

// UserMessage renders the prompt: question, scope and each server's
// context, compacted and cut at the budget (and saying so).
func (p Prompt) UserMessage() string {
	var b strings.Builder
	b.WriteString("Question: " + p.Question + "\n")
	if len(p.Scope) > 0 {
		b.WriteString("Scope:")
		for _, k := range slices.Sorted(maps.Keys(p.Scope)) {
			fmt.Fprintf(&b, " %s=%s", k, p.Scope[k])
		}
		b.WriteString("\n")
	}
	servers := make([]string, 0, len(p.Gathered.Results))
	for s := range p.Gathered.Results {
		servers = append(servers, s)
	}
	sort.Strings(servers)
	for _, s := range servers {
		var compact bytes.Buffer
		if err := json.Compact(&compact, p.Gathered.Results[s]); err != nil {
			compact.Reset()
			compact.Write(p.Gathered.Results[s])
		}
		text := compact.String()
		if len(text) > contextBudget {
			text = text[:contextBudget] + fmt.Sprintf("… [cut: %d of %d bytes shown]", contextBudget, compact.Len())
		}
		fmt.Fprintf(&b, "\nContext from %s:\n%s\n", s, text)
	}
	errs := make([]string, 0, len(p.Gathered.Errors))
	for s, e := range p.Gathered.Errors {
		errs = append(errs, s+": "+e)
	}
	sort.Strings(errs)
	for _, e := range errs {
		b.WriteString("\nNo context from " + e + "\n")
	}
	return b.String()
}

// ParseAnswer reads an expert's answer: the JSON object in the text (a
// model may wrap it in prose or a code fence), checked against the schema.
func ParseAnswer(text string) (Answer, error) {
	start, end := strings.Index(text, "{"), strings.LastIndex(text, "}")
	if start < 0 || end < start {
		return Answer{}, errors.New("no JSON object in the answer")
	}
	var a Answer
	dec := json.NewDecoder(strings.NewReader(text[start : end+1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Answer{}, fmt.Errorf("the answer is not the schema's JSON: %v", err)
	}
	if strings.TrimSpace(a.Assessment) == "" {
		return Answer{}, errors.New(`"assessment" is missing`)
	}
	for i, r := range a.Recommendations {
		if strings.TrimSpace(r.Title) == "" {
			return Answer{}, fmt.Errorf("recommendations[%d] has no title", i)
		}
		if _, ok := severityRank[r.Severity]; !ok {
			return Answer{}, fmt.Errorf("recommendations[%d]: severity %q is not critical, high, medium, low or info", i, r.Severity)
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			return Answer{}, fmt.Errorf("recommendations[%d]: confidence %v is not between 0 and 1", i, r.Confidence)
		}
		if r.Action != nil && (r.Action.Server == "" || r.Action.Tool == "") {
			return Answer{}, fmt.Errorf("recommendations[%d]: an action needs a server and a tool", i)
		}
	}
	if a.Risks == nil {
		a.Risks = []string{}
	}
	return a, nil
}

// AskAll asks every expert in parallel, each within its own timeout. A
// malformed answer is asked again once with the parse error; after that,
// or on an error or timeout, the expert is reported failed. Answers come
// back in the experts' order.
func AskAll(ctx context.Context, experts []Expert, p Prompt) []ExpertAnswer {
	out := make([]ExpertAnswer, len(experts))
	user := p.UserMessage()
	var wg sync.WaitGroup
	for i, e := range experts {
		out[i] = ExpertAnswer{Expert: e.Name(), Weight: e.Weight()}
		wg.Go(func() {
			ectx, cancel := context.WithTimeout(ctx, e.Timeout())
			defer cancel()
			retry := ""
			for attempt := 1; ; attempt++ {
				text, err := e.Ask(ectx, System, user, retry)
				if err != nil {
					if ectx.Err() != nil && ctx.Err() == nil {
						err = fmt.Errorf("no answer within %s", e.Timeout())
					}
					out[i].Err = err.Error()
					return
				}
				a, err := ParseAnswer(text)
				if err == nil {
					out[i].Answer = a
					return
				}
				if attempt == 2 {
					out[i].Err = "malformed answer twice: " + err.Error()
					return
				}
				retry = err.Error()
			}
		})
	}
	wg.Wait()
	return out
}

// RulesExpert is the built-in expert as an Expert.
type RulesExpert struct {
	Question string
	Gathered Gathered
	Options  RulesOptions
	W        float64
}

func (r RulesExpert) Name() string { return "rules" }
func (r RulesExpert) Weight() float64 {
	if r.W > 0 {
		return r.W
	}
	return 1
}
func (r RulesExpert) Timeout() time.Duration { return 5 * time.Second }

func (r RulesExpert) Ask(ctx context.Context, _, _, _ string) (string, error) {
	b, err := json.Marshal(Rules(r.Question, r.Gathered, r.Options))
	return string(b), err
}
