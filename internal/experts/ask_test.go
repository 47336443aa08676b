package experts

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted is a model expert that answers from a script, one reply per
// attempt, and records what it was asked.
type scripted struct {
	name    string
	replies []string
	delay   time.Duration
	calls   atomic.Int32
	retries []string
}

func (s *scripted) Name() string           { return s.name }
func (s *scripted) Weight() float64        { return 1 }
func (s *scripted) Timeout() time.Duration { return 200 * time.Millisecond }
func (s *scripted) Ask(ctx context.Context, system, user, retry string) (string, error) {
	n := int(s.calls.Add(1)) - 1
	s.retries = append(s.retries, retry)
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(s.delay):
	}
	return s.replies[min(n, len(s.replies)-1)], nil
}

const good = "Here is my answer:\n```json\n" + `{"assessment":"Hold the rollout.","risks":["web is not rolled out"],"recommendations":[
 {"title":"Deployment prod/web has not rolled out","rationale":"1 of 3 available","severity":"high","confidence":0.8,
  "action":{"server":"kube","tool":"rollout_status","arguments":{"namespace":"prod","name":"web","kind":"deployment"}}}]}` + "\n```"

func gathered() Gathered {
	return Gathered{Results: map[string]json.RawMessage{"kube": json.RawMessage(`{"context":"prod",
		"unhealthy_workloads":[{"kind":"Deployment","namespace":"prod","name":"web","desired":3,"available":1,"updated":3}]}`)}}
}

// Several experts at once: one agrees with the rules expert, one times
// out, one answers malformed JSON then good JSON (the retry carries the
// parse error), one is malformed twice; the consensus still stands.
func TestAskAll(t *testing.T) {
	agree := &scripted{name: "claude", replies: []string{good}}
	slow := &scripted{name: "gpt", replies: []string{good}, delay: time.Second}
	fixes := &scripted{name: "llama", replies: []string{`{"assessment": "ok", "recommendations": [{"title": "x", "severity": "urgent", "confidence": 2}]}`, good}}
	broken := &scripted{name: "qwen", replies: []string{"I think it is fine!"}}
	g := gathered()
	experts := []Expert{RulesExpert{Question: "safe?", Gathered: g}, agree, slow, fixes, broken}
	answers := AskAll(context.Background(), experts, Prompt{Question: "Is it safe to roll out web v2 to prod?", Scope: map[string]string{"namespace": "prod"}, Gathered: g})
	byName := map[string]ExpertAnswer{}
	for _, a := range answers {
		byName[a.Expert] = a
	}
	if byName["rules"].Err != "" || byName["claude"].Err != "" || byName["llama"].Err != "" {
		t.Fatalf("%+v", answers)
	}
	if e := byName["gpt"].Err; e != "no answer within 200ms" {
		t.Errorf("timeout: %q", e)
	}
	if e := byName["qwen"].Err; !strings.HasPrefix(e, "malformed answer twice: no JSON object") || broken.calls.Load() != 2 {
		t.Errorf("malformed twice: %q after %d calls", e, broken.calls.Load())
	}
	if fixes.calls.Load() != 2 || !strings.Contains(fixes.retries[1], `severity "urgent" is not critical, high, medium, low or info`) {
		t.Errorf("retry carried %q", fixes.retries)
	}
	c := Merge(answers)
	if len(c.Items) != 1 || c.Items[0].Support != 1 || c.Items[0].Verdict != "consensus" || len(c.Failed) != 2 {
		t.Errorf("consensus: %+v", c)
	}
}

// Every model expert failing leaves the rules expert's answer.
func TestRulesAnswerWhenModelsFail(t *testing.T) {
	g := gathered()
	answers := AskAll(context.Background(), []Expert{RulesExpert{Gathered: g}, &scripted{name: "m", replies: []string{"nope"}}}, Prompt{Question: "q", Gathered: g})
	c := Merge(answers)
	if len(c.Items) != 1 || c.Items[0].Supporters[0] != "rules" || c.Failed["m"] == "" {
		t.Errorf("%+v", c)
	}
}

// The prompt carries the question, the scope and each server's context
// compacted, cut at the budget with a note, and the servers that failed.
func TestPromptBudget(t *testing.T) {
	big := `{"items":"` + strings.Repeat("x", 20000) + `"}`
	p := Prompt{Question: "q?", Scope: map[string]string{"workspace": "/infra"}, Gathered: Gathered{
		Results: map[string]json.RawMessage{"deploy": json.RawMessage(`{ "a" : 1 }`), "kube": json.RawMessage(big)},
		Errors:  map[string]string{"cloud": "timed out after 5s"}}}
	msg := p.UserMessage()
	for _, want := range []string{"Question: q?", "Scope: workspace=/infra", "Context from deploy:\n{\"a\":1}", "[cut: 8000 of 20012 bytes shown]", "No context from cloud: timed out after 5s"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q", want)
		}
	}
	if len(msg) > 9000 {
		t.Errorf("prompt of %d bytes", len(msg))
	}
}
