package experts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	anthropic "github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	ollama "github.com/ollama/ollama/api"
	openai "github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"

	"github.com/opsmcp/opsmcp/internal/config"
)

// DefaultExpertTimeout bounds one model's answer when timeout is not set.
const DefaultExpertTimeout = 60 * time.Second

// maxAnswerTokens is room for an assessment and twenty recommendations.
const maxAnswerTokens = 4096

// ExpertStatus says whether a configured expert can be asked, and if not why
// (for opsmcp doctor and the consult report). It never holds a key.
type ExpertStatus struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Model    string `json:"model,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Present  bool   `json:"present"`
	Why      string `json:"why,omitempty"`
}

// modelExpert is a configured model behind one provider's API.
type modelExpert struct {
	name    string
	weight  float64
	timeout time.Duration
	ask     func(ctx context.Context, system, user string) (string, error)
}

func (m *modelExpert) Name() string           { return m.name }
func (m *modelExpert) Weight() float64        { return m.weight }
func (m *modelExpert) Timeout() time.Duration { return m.timeout }

func (m *modelExpert) Ask(ctx context.Context, system, user, retry string) (string, error) {
	if retry != "" {
		user += "\n\nYour previous answer could not be used: " + retry + ". Reply with only the JSON object the instructions describe."
	}
	return m.ask(ctx, system, user)
}

// defaultKeyEnv is where a provider's key is read when api_key_env is not
// set; an openai-compatible server needs one only when api_key_env names it.
var defaultKeyEnv = map[string]string{"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}

// ModelExperts builds the configured experts that can be asked: anthropic
// and openai when their key variable is set, openai-compatible and ollama
// when they have an endpoint. Every configured expert has a status.
func ModelExperts(cfgs []config.Expert, httpClient *http.Client) ([]Expert, []ExpertStatus) {
	if httpClient == nil {
		httpClient = &http.Client{Transport: telemetry.Transport(nil)}
	}
	var out []Expert
	var status []ExpertStatus
	for _, c := range cfgs {
		st := ExpertStatus{Name: c.Name, Provider: c.Provider, Model: c.Model, Endpoint: c.BaseURL}
		e := &modelExpert{name: c.Name, weight: c.Weight, timeout: time.Duration(c.Timeout)}
		if e.weight == 0 {
			e.weight = 1
		}
		if e.timeout == 0 {
			e.timeout = DefaultExpertTimeout
		}
		keyEnv := c.APIKeyEnv
		if keyEnv == "" {
			keyEnv = defaultKeyEnv[c.Provider]
		}
		key := ""
		if keyEnv != "" {
			key = os.Getenv(keyEnv)
		}
		switch c.Provider {
		case "anthropic", "openai", "openai-compatible":
			switch {
			case keyEnv != "" && key == "":
				st.Why = "$" + keyEnv + " is not set"
			case c.Provider == "anthropic":
				e.ask = askAnthropic(c, keyEnv, key, httpClient)
			default:
				e.ask = askOpenAI(c, key, httpClient)
			}
		case "ollama":
			base := c.BaseURL
			if base == "" {
				base = os.Getenv("OLLAMA_HOST")
			}
			if base == "" {
				st.Why = "no base_url and $OLLAMA_HOST is not set"
				break
			}
			if !strings.Contains(base, "://") {
				base = "http://" + base
			}
			u, err := url.Parse(base)
			if err != nil {
				st.Why = fmt.Sprintf("base_url %q: %v", base, err)
				break
			}
			st.Endpoint = u.String()
			e.ask = askOllama(c, u, httpClient)
		default:
			st.Why = fmt.Sprintf("provider %q is not one of %s", c.Provider, strings.Join(config.ExpertProviders, ", "))
		}
		if e.ask != nil {
			st.Present = true
			out = append(out, e)
		}
		status = append(status, st)
	}
	return out, status
}

// askAnthropic calls the Messages API. A key in ANTHROPIC_AUTH_TOKEN (as
// gateways take it) is sent as a bearer token, any other as x-api-key.
func askAnthropic(c config.Expert, keyEnv, key string, hc *http.Client) func(context.Context, string, string) (string, error) {
	opts := []aoption.RequestOption{aoption.WithHTTPClient(hc), aoption.WithMaxRetries(1)}
	if keyEnv == "ANTHROPIC_AUTH_TOKEN" {
		opts = append(opts, aoption.WithAuthToken(key))
	} else {
		opts = append(opts, aoption.WithAPIKey(key))
	}
	if c.BaseURL != "" {
		opts = append(opts, aoption.WithBaseURL(c.BaseURL))
	}
	client := anthropic.NewClient(opts...)
	return func(ctx context.Context, system, user string) (string, error) {
		msg, err := client.Messages.New(ctx, anthropic.MessageNewParams{
			Model:     c.Model,
			MaxTokens: maxAnswerTokens,
			System:    []anthropic.TextBlockParam{{Text: system}},
			Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(user))},
		})
		if err != nil {
			return "", providerError(err)
		}
		var b strings.Builder
		for _, block := range msg.Content {
			if block.Type == "text" {
				b.WriteString(block.Text)
			}
		}
		return b.String(), nil
	}
}

// askOpenAI calls Chat Completions, at OpenAI or any server that speaks it
// (vLLM, llama.cpp server, LM Studio, Ollama's /v1).
func askOpenAI(c config.Expert, key string, hc *http.Client) func(context.Context, string, string) (string, error) {
	opts := []ooption.RequestOption{ooption.WithHTTPClient(hc), ooption.WithMaxRetries(1)}
	if key != "" {
		opts = append(opts, ooption.WithAPIKey(key))
	} else {
		// A local server wants no key; the SDK must not read OPENAI_API_KEY.
		opts = append(opts, ooption.WithAPIKey("unused"))
	}
	if c.BaseURL != "" {
		opts = append(opts, ooption.WithBaseURL(c.BaseURL))
	}
	client := openai.NewClient(opts...)
	return func(ctx context.Context, system, user string) (string, error) {
		res, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    c.Model,
			Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(system), openai.UserMessage(user)},
		})
		if err != nil {
			return "", providerError(err)
		}
		if len(res.Choices) == 0 {
			return "", errors.New("the answer has no choices")
		}
		return res.Choices[0].Message.Content, nil
	}
}

// askOllama calls Ollama's /api/chat, streamed as NDJSON, asking for JSON.
func askOllama(c config.Expert, base *url.URL, hc *http.Client) func(context.Context, string, string) (string, error) {
	client := ollama.NewClient(base, hc)
	stream := true
	return func(ctx context.Context, system, user string) (string, error) {
		var b strings.Builder
		err := client.Chat(ctx, &ollama.ChatRequest{
			Model:    c.Model,
			Messages: []ollama.Message{{Role: "system", Content: system}, {Role: "user", Content: user}},
			Format:   json.RawMessage(`"json"`),
			Stream:   &stream,
		}, func(r ollama.ChatResponse) error {
			b.WriteString(r.Message.Content)
			return nil
		})
		if err != nil {
			return "", providerError(err)
		}
		return b.String(), nil
	}
}

// providerError keeps the provider's own message short: SDK errors carry
// the whole request and response.
func providerError(err error) error {
	var ae *anthropic.Error
	if errors.As(err, &ae) {
		return fmt.Errorf("%s answered %d: %s", ae.Request.URL.Host, ae.StatusCode, firstLine(ae.RawJSON()))
	}
	var oe *openai.Error
	if errors.As(err, &oe) {
		return fmt.Errorf("%s answered %d: %s", oe.Request.URL.Host, oe.StatusCode, firstLine(oe.RawJSON()))
	}
	return err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
