package experts

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func answer(expert string, weight float64, recs ...Recommendation) ExpertAnswer {
	return ExpertAnswer{Expert: expert, Weight: weight, Answer: Answer{Assessment: expert + " says so", Recommendations: recs}}
}

func rollback(title string, conf float64) Recommendation {
	return Recommendation{Title: title, Rationale: "the rollout is stuck", Severity: "high", Confidence: conf,
		Action: &Action{Server: "kube", Tool: "rollout_status", Arguments: map[string]any{"name": "web", "namespace": "prod", "kind": "deployment"}}}
}

func TestAllAgree(t *testing.T) {
	c := Merge([]ExpertAnswer{
		answer("rules", 1, rollback("Check the web rollout", 0.9)),
		// The same action with the arguments in another order and another title.
		answer("claude", 1, Recommendation{Title: "Look at web", Severity: "critical", Confidence: 0.7,
			Action: &Action{Server: "kube", Tool: "rollout_status", Arguments: map[string]any{"kind": "deployment", "namespace": "prod", "name": "web"}}}),
		answer("gpt", 1, rollback("Check the web rollout!", 0.5)),
	})
	if len(c.Items) != 1 {
		t.Fatalf("%d items: %+v", len(c.Items), c.Items)
	}
	it := c.Items[0]
	if it.Support != 1 || it.Verdict != "consensus" || it.Severity != "critical" || fmt.Sprintf("%.2f", it.Confidence) != "0.70" ||
		len(it.Supporters) != 3 || len(it.Dissenters) != 0 || it.Action == nil || it.Title != "Look at web" {
		t.Errorf("%+v", it)
	}
	if len(c.Assessments) != 3 {
		t.Errorf("assessments %v", c.Assessments)
	}
}

func TestDisagreementKeepsTheDissent(t *testing.T) {
	scale := Recommendation{Title: "Scale web to 5 replicas", Severity: "medium", Confidence: 0.6,
		Action: &Action{Server: "kube", Tool: "scale_deployment", Arguments: map[string]any{"name": "web", "replicas": 5}}}
	wait := Recommendation{Title: "Wait for the plan review", Severity: "low", Confidence: 0.8}
	c := Merge([]ExpertAnswer{
		answer("rules", 1, scale),
		answer("claude", 1, wait),
		answer("gpt", 1, scale, wait),
		{Expert: "ollama", Weight: 1, Err: "timed out after 30s"},
	})
	if len(c.Items) != 2 || c.Failed["ollama"] != "timed out after 30s" {
		t.Fatalf("%+v", c)
	}
	// Both have 2 of 3 (ollama failed and does not count); the more severe ranks first.
	first, second := c.Items[0], c.Items[1]
	if first.Title != "Scale web to 5 replicas" || fmt.Sprintf("%.3f", first.Support) != "0.667" || first.Verdict != "consensus" ||
		strings.Join(first.Dissenters, ",") != "claude" || strings.Join(second.Dissenters, ",") != "rules" {
		t.Errorf("%v\n%v", first, second)
	}
	// A weight of 3 for rules: its proposal alone is 3/5, gpt's and claude's shared one 2/5.
	c = Merge([]ExpertAnswer{answer("rules", 3, scale), answer("claude", 1, wait), answer("gpt", 1, wait)})
	if c.Items[0].Title != scale.Title || c.Items[0].Support != 0.6 || c.Items[1].Verdict != "split" {
		t.Errorf("weights: %v / %v", c.Items[0], c.Items[1])
	}
}

// Titles merge after normalisation, and merging is transitive: a shares
// an action with b, b a title with c.
func TestMergeIsTransitive(t *testing.T) {
	act := func(tool string) *Action { return &Action{Server: "deploy", Tool: tool} }
	c := Merge([]ExpertAnswer{
		answer("a", 1, Recommendation{Title: "Apply the pending plan", Confidence: 1, Action: act("apply_terraform")}),
		answer("b", 1, Recommendation{Title: "Review plan p-1 before applying", Confidence: 1, Action: act("apply_terraform")}),
		answer("c", 1, Recommendation{Title: "review plan P-1, before applying.", Confidence: 1}),
		answer("d", 1, Recommendation{Title: "Something else", Confidence: 1}),
	})
	if len(c.Items) != 2 || c.Items[0].Support != 0.75 || len(c.Items[0].Supporters) != 3 || c.Items[1].Verdict != "split" {
		t.Errorf("%+v", c.Items)
	}
}

// The same answers in any order give the same bytes.
func TestMergeIsDeterministic(t *testing.T) {
	answers := syntheticAnswers(5, 20)
	want, _ := json.Marshal(Merge(answers))
	for i := range 20 {
		shuffled := append([]ExpertAnswer(nil), answers...)
		r := rand.New(rand.NewPCG(uint64(i), 7))
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		got, _ := json.Marshal(Merge(shuffled))
		if string(got) != string(want) {
			t.Fatalf("order %d changed the consensus:\n%s\n%s", i, got, want)
		}
	}
}

// syntheticAnswers: experts proposing overlapping sets of 40 possible items.
func syntheticAnswers(experts, recs int) []ExpertAnswer {
	var out []ExpertAnswer
	for e := range experts {
		a := ExpertAnswer{Expert: fmt.Sprintf("expert-%d", e), Weight: float64(1 + e%3)}
		for r := range recs {
			n := (e*7 + r*3) % 40
			rec := Recommendation{Title: fmt.Sprintf("Item %d", n), Rationale: "because", Severity: []string{"critical", "high", "medium", "low"}[n%4], Confidence: float64(n%10) / 10}
			if n%2 == 0 {
				rec.Action = &Action{Server: "kube", Tool: "scale_deployment", Arguments: map[string]any{"name": fmt.Sprintf("svc-%d", n), "replicas": n % 5}}
			}
			a.Answer.Recommendations = append(a.Answer.Recommendations, rec)
		}
		out = append(out, a)
	}
	return out
}

// BenchmarkMerge5x20 is the consensus of 5 experts × 20 recommendations.
func BenchmarkMerge5x20(b *testing.B) {
	answers := syntheticAnswers(5, 20)
	b.ReportAllocs()
	for b.Loop() {
		Merge(answers)
	}
}
