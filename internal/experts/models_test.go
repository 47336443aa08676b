package experts

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
)

// llmStub speaks the three providers' wire formats: Anthropic's Messages
// API (POST /v1/messages, x-api-key or Authorization: Bearer), OpenAI's
// Chat Completions (POST /v1/chat/completions) and Ollama's chat (POST
// /api/chat, NDJSON). Each model has a script of replies, one per request;
// "HANG" answers nothing until the client gives up. A request for an
// unknown model or route, a missing key, or a script left unused fails
// the test.
type llmStub struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	scripts map[string][]string
	asked   map[string][]string // the user messages each model got
	key     string
}

func newLLMStub(t *testing.T, key string, scripts map[string][]string) *llmStub {
	s := &llmStub{t: t, scripts: scripts, asked: map[string][]string{}, key: key}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.srv.CloseClientConnections()
		s.srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for model, left := range s.scripts {
			if len(left) > 0 {
				t.Errorf("model %s: %d scripted replies never requested", model, len(left))
			}
		}
	})
	return s
}

func (s *llmStub) next(model, user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := s.scripts[model]
	if len(left) == 0 {
		return "", false
	}
	s.scripts[model] = left[1:]
	s.asked[model] = append(s.asked[model], user)
	return left[0], true
}

func (s *llmStub) fail(w http.ResponseWriter, format string, a ...any) {
	s.t.Errorf("llm stub: "+format, a...)
	http.Error(w, fmt.Sprintf(format, a...), http.StatusBadRequest)
}

func (s *llmStub) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Model     string `json:"model"`
		MaxTokens int    `json:"max_tokens"`
		System    []struct {
			Text string `json:"text"`
		} `json:"system"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Stream *bool           `json:"stream"`
		Format json.RawMessage `json:"format"`
	}
	if r.Method != http.MethodPost || json.Unmarshal(body, &req) != nil {
		s.fail(w, "%s %s with body %.200s", r.Method, r.URL.Path, body)
		return
	}
	// The user message: the last message's text, in any provider's shape.
	user := ""
	if n := len(req.Messages); n > 0 {
		var text string
		var blocks []struct{ Type, Text string }
		if json.Unmarshal(req.Messages[n-1].Content, &text) == nil {
			user = text
		} else if json.Unmarshal(req.Messages[n-1].Content, &blocks) == nil && len(blocks) > 0 {
			user = blocks[0].Text
		}
	}
	switch r.URL.Path {
	case "/v1/messages":
		if r.Header.Get("x-api-key") != s.key && r.Header.Get("Authorization") != "Bearer "+s.key {
			s.fail(w, "anthropic: no x-api-key or bearer token")
			return
		}
		if r.Header.Get("anthropic-version") == "" || req.MaxTokens == 0 || len(req.System) == 0 || !strings.Contains(req.System[0].Text, `"assessment"`) {
			s.fail(w, "anthropic: a Messages request needs anthropic-version, max_tokens and the system prompt: %.300s", body)
			return
		}
	case "/v1/chat/completions":
		if r.Header.Get("Authorization") != "Bearer "+s.key {
			s.fail(w, "openai: Authorization %q", r.Header.Get("Authorization"))
			return
		}
		if len(req.Messages) != 2 || req.Messages[0].Role != "system" {
			s.fail(w, "openai: want a system and a user message: %.300s", body)
			return
		}
	case "/api/chat":
		if req.Stream == nil || !*req.Stream || string(req.Format) != `"json"` || len(req.Messages) != 2 {
			s.fail(w, "ollama: want a streamed JSON chat with system and user messages: %.300s", body)
			return
		}
	default:
		s.fail(w, "unknown route %s", r.URL.Path)
		return
	}
	reply, ok := s.next(req.Model, user)
	if !ok {
		s.fail(w, "model %s: no reply scripted for request %s", req.Model, r.URL.Path)
		return
	}
	if reply == "HANG" {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/messages":
		json.NewEncoder(w).Encode(map[string]any{"id": "msg_01", "type": "message", "role": "assistant", "model": req.Model,
			"content": []any{map[string]any{"type": "text", "text": reply}}, "stop_reason": "end_turn", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 900, "output_tokens": 120}})
	case "/v1/chat/completions":
		json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1764547200, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": reply}, "finish_reason": "stop"}},
			"usage":   map[string]any{"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}})
	case "/api/chat":
		// Streamed in pieces, one JSON object a line, as Ollama does.
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for i := 0; i < len(reply); i += 40 {
			enc.Encode(map[string]any{"model": req.Model, "created_at": "2026-12-01T00:00:00Z",
				"message": map[string]any{"role": "assistant", "content": reply[i:min(i+40, len(reply))]}, "done": false})
			w.(http.Flusher).Flush()
		}
		enc.Encode(map[string]any{"model": req.Model, "created_at": "2026-12-01T00:00:01Z", "message": map[string]any{"role": "assistant", "content": ""},
			"done": true, "done_reason": "stop", "total_duration": 1000, "eval_count": 120})
	}
}

const disagree = `{"assessment":"Roll out now.","risks":[],"recommendations":[
 {"title":"Proceed with the rollout of web v2","rationale":"the image passed staging","severity":"low","confidence":0.6}]}`

// Every provider over its real wire format, all at once with the rules
// expert: two agree with it (Anthropic with x-api-key, Ollama streamed),
// one disagrees (OpenAI), one times out, one answers malformed JSON then
// good JSON (the retry carries the parse error), one is malformed twice.
func TestModelExpertsOverTheirWireFormats(t *testing.T) {
	const key = "sk-test-0123456789abcdef"
	stub := newLLMStub(t, key, map[string][]string{
		"claude-sonnet-4-5": {good},
		"gpt-5":             {disagree},
		"slow-model":        {"HANG"},
		"llama3.3":          {`{"assessment": "ok", "recommendations": [{"title": "x", "severity": "urgent", "confidence": 2}]}`, good},
		"qwen3":             {"It looks fine to me!", "Still fine."},
	})
	t.Setenv("ANTHROPIC_API_KEY", key)
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("LOCAL_KEY", key)
	cfgs := []config.Expert{
		{Name: "claude", Provider: "anthropic", Model: "claude-sonnet-4-5", BaseURL: stub.srv.URL},
		{Name: "gpt", Provider: "openai", Model: "gpt-5", BaseURL: stub.srv.URL + "/v1"},
		{Name: "slow", Provider: "openai-compatible", Model: "slow-model", BaseURL: stub.srv.URL + "/v1", APIKeyEnv: "LOCAL_KEY", Timeout: config.Duration(300 * time.Millisecond)},
		{Name: "llama", Provider: "ollama", Model: "llama3.3", BaseURL: stub.srv.URL, Weight: 2},
		{Name: "qwen", Provider: "openai-compatible", Model: "qwen3", BaseURL: stub.srv.URL + "/v1", APIKeyEnv: "LOCAL_KEY"},
	}
	models, status := ModelExperts(cfgs, nil)
	if len(models) != 5 {
		t.Fatalf("present: %+v", status)
	}
	g := gathered()
	experts := append([]Expert{RulesExpert{Question: "safe?", Gathered: g}}, models...)
	answers := AskAll(context.Background(), experts, Prompt{Question: "Is it safe to roll out web v2 to prod?", Scope: map[string]string{"namespace": "prod"}, Gathered: g})
	by := map[string]ExpertAnswer{}
	for _, a := range answers {
		by[a.Expert] = a
	}
	for _, name := range []string{"rules", "claude", "gpt", "llama"} {
		if by[name].Err != "" {
			t.Errorf("%s failed: %s", name, by[name].Err)
		}
	}
	if e := by["slow"].Err; e != "no answer within 300ms" {
		t.Errorf("timeout: %q", e)
	}
	if e := by["qwen"].Err; !strings.HasPrefix(e, "malformed answer twice: no JSON object") {
		t.Errorf("malformed twice: %q", e)
	}
	if asked := stub.asked["llama3.3"]; len(asked) != 2 || !strings.Contains(asked[1], `severity "urgent" is not critical, high, medium, low or info`) ||
		!strings.Contains(asked[0], "Question: Is it safe to roll out web v2 to prod?") || !strings.Contains(asked[0], `"name":"web"`) {
		t.Errorf("ollama was asked %q", asked)
	}
	c := Merge(answers)
	// rules (1) + claude (1) + llama (2) of the 5 that answered (rules 1,
	// claude 1, gpt 1, llama 2): 4/5 support the rollout check; gpt's
	// proceed is 1/5, split.
	if len(c.Items) != 2 || c.Items[0].Verdict != "consensus" || c.Items[0].Support != 0.8 || c.Items[1].Verdict != "split" ||
		len(c.Failed) != 2 || c.Items[1].Supporters[0] != "gpt" {
		b, _ := json.MarshalIndent(c, "", " ")
		t.Errorf("consensus:\n%s", b)
	}
}

// A gateway's bearer token (ANTHROPIC_AUTH_TOKEN) goes as Authorization;
// every model failing leaves the rules expert's answer; the key is in no
// error.
func TestModelsFailRulesAnswer(t *testing.T) {
	const key = "gateway-token-9f8e7d6c5b4a"
	stub := newLLMStub(t, key, map[string][]string{"claude-haiku-4-5": {"no json here", "nor here"}})
	t.Setenv("ANTHROPIC_AUTH_TOKEN", key)
	models, _ := ModelExperts([]config.Expert{
		{Name: "claude", Provider: "anthropic", Model: "claude-haiku-4-5", BaseURL: stub.srv.URL, APIKeyEnv: "ANTHROPIC_AUTH_TOKEN"},
		// Nothing listens here: connection refused.
		{Name: "local", Provider: "ollama", Model: "llama3.3", BaseURL: "http://127.0.0.1:1"},
	}, nil)
	g := gathered()
	answers := AskAll(context.Background(), append([]Expert{RulesExpert{Gathered: g}}, models...), Prompt{Question: "q", Gathered: g})
	c := Merge(answers)
	if len(c.Items) != 1 || c.Items[0].Supporters[0] != "rules" || c.Failed["claude"] == "" || c.Failed["local"] == "" {
		t.Fatalf("%+v", c)
	}
	for _, e := range c.Failed {
		if strings.Contains(e, key) {
			t.Errorf("the key is in %q", e)
		}
	}
}

// Which configured experts can be asked, and why not.
func TestExpertPresence(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OLLAMA_HOST", "")
	models, status := ModelExperts([]config.Expert{
		{Name: "claude", Provider: "anthropic", Model: "m"},
		{Name: "gpt", Provider: "openai", Model: "m", APIKeyEnv: "MY_OPENAI"},
		{Name: "vllm", Provider: "openai-compatible", Model: "m", BaseURL: "http://127.0.0.1:8000/v1"},
		{Name: "ollama", Provider: "ollama", Model: "m"},
	}, nil)
	want := []string{"$ANTHROPIC_API_KEY is not set", "$MY_OPENAI is not set", "", "no base_url and $OLLAMA_HOST is not set"}
	for i, s := range status {
		if s.Why != want[i] || s.Present != (want[i] == "") {
			t.Errorf("%s: %+v", s.Name, s)
		}
	}
	if len(models) != 1 || models[0].Name() != "vllm" {
		t.Errorf("present: %d", len(models))
	}
	t.Setenv("OLLAMA_HOST", "127.0.0.1:11434")
	if _, status := ModelExperts([]config.Expert{{Name: "o", Provider: "ollama", Model: "m"}}, nil); !status[0].Present || status[0].Endpoint != "http://127.0.0.1:11434" {
		t.Errorf("OLLAMA_HOST: %+v", status)
	}
}

// All agree, over the three wire formats: one item, supported by every
// expert that answered, a consensus.
func TestModelExpertsAllAgree(t *testing.T) {
	const key = "sk-test-all-agree-0123456789"
	stub := newLLMStub(t, key, map[string][]string{"claude-sonnet-4-5": {good}, "gpt-5": {good}, "llama3.3": {good}})
	t.Setenv("ANTHROPIC_API_KEY", key)
	t.Setenv("OPENAI_API_KEY", key)
	models, _ := ModelExperts([]config.Expert{
		{Name: "claude", Provider: "anthropic", Model: "claude-sonnet-4-5", BaseURL: stub.srv.URL},
		{Name: "gpt", Provider: "openai", Model: "gpt-5", BaseURL: stub.srv.URL + "/v1"},
		{Name: "llama", Provider: "ollama", Model: "llama3.3", BaseURL: stub.srv.URL},
	}, nil)
	g := gathered()
	c := Merge(AskAll(context.Background(), append([]Expert{RulesExpert{Gathered: g}}, models...), Prompt{Question: "q", Gathered: g}))
	if len(c.Items) != 1 || c.Items[0].Support != 1 || c.Items[0].Verdict != "consensus" || len(c.Items[0].Supporters) != 4 || len(c.Failed) != 0 {
		t.Errorf("%+v", c)
	}
}
