package mcpkit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

type echoIn struct {
	Text  string   `json:"text" desc:"what to echo"`
	Times int      `json:"times,omitempty" default:"1" minimum:"1"`
	Mode  string   `json:"mode,omitempty" enum:"plain|loud"`
	Tags  []string `json:"tags,omitempty" maxItems:"3"`
}

type echoOut struct {
	Echo string `json:"echo"`
}

func (o echoOut) SummaryText() string { return o.Echo }

var readTool = mcpkit.NewTool(mcpkit.Def{Name: "echo", Description: "echo", Toolset: "terraform",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No}},
	func(ctx context.Context, c *mcpkit.Call, in echoIn) (echoOut, error) {
		return echoOut{Echo: strings.Repeat(in.Text, in.Times)}, nil
	})

var writeTool = mcpkit.NewTool(mcpkit.Def{Name: "write", Description: "writes", Toolset: "terraform",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.No, Idempotent: mcpkit.No, OpenWorld: mcpkit.No}, Effect: mcpkit.EffectChange},
	func(ctx context.Context, c *mcpkit.Call, in echoIn) (echoOut, error) {
		if in.Text == "panic" {
			panic("boom")
		}
		c.Secrets.Add("hunter2-secret")
		c.Log().Info("working", "detail", "password=hunter2-secret and key AKIAABCDEFGHIJKLMNOP")
		return echoOut{Echo: "stored hunter2-secret"}, nil
	})

func newHost(t *testing.T, mode config.Mode) (*mcpkit.Host, *bytes.Buffer, memory.Store) {
	t.Helper()
	cfg := config.Default()
	cfg.Mode = mode
	return newHostB(t, cfg)
}

func newHostB(t testing.TB, cfg *config.Config) (*mcpkit.Host, *bytes.Buffer, memory.Store) {
	t.Helper()
	store, err := memory.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &bytes.Buffer{}
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(logs, slog.LevelDebug))}
	return mcpkit.NewHost(&mcpkit.Server{Name: "t", Tools: []mcpkit.Tool{readTool, writeTool}}, rt), logs, store
}

func TestArgumentErrorsSayWhatIsWrong(t *testing.T) {
	h, _, _ := newHost(t, config.ModePlan)
	cases := map[string]string{
		`{}`:                                    `missing required argument "text" (a string: what to echo)`,
		`{"text":1}`:                            `argument "text" must be a string, got a number`,
		`{"text":"a","times":"2"}`:              `argument "times" must be an integer, got a string`,
		`{"text":"a","times":0}`:                `argument "times" is 0; it must be at least 1`,
		`{"text":"a","mode":"quiet"}`:           `argument "mode" is "quiet"; expected one of: plain, loud`,
		`{"text":"a","tags":"x"}`:               `argument "tags" must be a list of string values, got a string`,
		`{"text":"a","tags":["1","2","3","4"]}`: `argument "tags" has 4 items; it may have at most 3`,
		`{"text":"a","colour":"red"}`:           `unknown argument "colour"; expected one of: text, times, mode, tags`,
		`[1,2]`:                                 `arguments must be a JSON object`,
		`{"text":"a","times":1.5}`:              `argument "times" must be an integer, got the number 1.5`,
	}
	for args, want := range cases {
		out := h.Call(context.Background(), "echo", json.RawMessage(args), nil)
		if !out.IsError || !out.Usage || out.Text != want {
			t.Errorf("%s: got %q (usage=%v), want %q", args, out.Text, out.Usage, want)
		}
	}
	out := h.Call(context.Background(), "echo", json.RawMessage(`{"text":"ab","times":2}`), nil)
	if out.IsError || out.Text != "abab" {
		t.Fatalf("good call: %+v", out)
	}
	out = h.Call(context.Background(), "echo", json.RawMessage(`{"text":"ab"}`), nil)
	if out.Text != "ab" {
		t.Fatalf("default times not applied: %+v", out)
	}
}

func TestPanicBecomesToolErrorAndIsAudited(t *testing.T) {
	h, logs, store := newHost(t, config.ModeApply)
	out := h.Call(context.Background(), "write", json.RawMessage(`{"text":"panic"}`), nil)
	if !out.IsError || !strings.Contains(out.Text, "internal error in write: boom") {
		t.Fatalf("panic: %+v", out)
	}
	if !strings.Contains(logs.String(), "tool panicked") {
		t.Fatal("panic not logged")
	}
	out = h.Call(context.Background(), "echo", json.RawMessage(`{"text":"still up"}`), nil)
	if out.IsError {
		t.Fatal("server did not keep working after a panic")
	}
	recs, _ := store.ListAudit(context.Background(), 0)
	if len(recs) != 1 || recs[0].Tool != "write" || !strings.Contains(recs[0].Outcome, "boom") {
		t.Fatalf("audit %+v", recs)
	}
}

func TestSecretsAreMaskedEverywhere(t *testing.T) {
	h, logs, store := newHost(t, config.ModeApply)
	out := h.Call(context.Background(), "write", json.RawMessage(`{"text":"x","tags":["token=abcd1234efgh"]}`), nil)
	if out.IsError {
		t.Fatal(out.Text)
	}
	recs, _ := store.ListAudit(context.Background(), 0)
	audit, _ := json.Marshal(recs)
	all := out.Text + string(audit) + logs.String()
	for _, s := range []string{"hunter2-secret", "AKIAABCDEFGHIJKLMNOP", "abcd1234efgh"} {
		if strings.Contains(all, s) {
			t.Errorf("%q leaked: %s", s, all)
		}
	}
	if !strings.Contains(out.Text, "(sensitive)") {
		t.Fatalf("result not masked: %q", out.Text)
	}
}

func TestModePolicy(t *testing.T) {
	h, _, _ := newHost(t, config.ModeReadOnly)
	if n := len(h.Tools()); n != 1 {
		t.Fatalf("read-only lists %d tools, want only the read tool", n)
	}
	out := h.Call(context.Background(), "write", json.RawMessage(`{"text":"x"}`), nil)
	if !out.IsError || !strings.Contains(out.Text, "mode is read-only") {
		t.Fatalf("%+v", out)
	}
}

func TestHTTPAddrDefaultsToLoopback(t *testing.T) {
	if got := mcpkit.HTTPAddr(":8080"); got != "127.0.0.1:8080" {
		t.Errorf("an address without a host binds %s, want 127.0.0.1:8080", got)
	}
}

func TestToolAllowAndDenyLists(t *testing.T) {
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.Tools.Deny = []string{"write"}
	h, _, _ := newHostB(t, cfg)
	if len(h.Tools()) != 1 || h.Tools()[0].Name != "echo" {
		t.Fatalf("deny: %d tools listed", len(h.Tools()))
	}
	if out := h.Call(context.Background(), "write", json.RawMessage(`{"text":"x"}`), nil); !strings.Contains(out.Text, "denied by tools.deny") {
		t.Fatalf("deny: %+v", out)
	}
	cfg = config.Default()
	cfg.Mode = config.ModeApply
	cfg.Tools.Allow = []string{"write"}
	h, _, _ = newHostB(t, cfg)
	if len(h.Tools()) != 1 || h.Tools()[0].Name != "write" {
		t.Fatal("allow: wrong tools listed")
	}
	if out := h.Call(context.Background(), "echo", json.RawMessage(`{"text":"x"}`), nil); !strings.Contains(out.Text, "not in tools.allow") {
		t.Fatalf("allow: %+v", out)
	}
}
