package servers_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// The attacker's probe, replayed: a principal whose role is reader (mode
// read-only) against `opsmcp serve --all --http`.

const secretLine = "root:$6$Pr0bedSh4dowL1ne$abcdefghij:20228:0:99999:7:::"

type securityEnv struct {
	srv      *served
	dir      string // the config's directory: the only read root
	wsA, wsB string
	outside  string // a file outside every root holding secretLine
	reader   *client.Client
	ops      *client.Client
}

func newSecurityEnv(t *testing.T) *securityEnv {
	t.Helper()
	e := &securityEnv{}
	root := t.TempDir()
	e.dir = filepath.Join(root, "repo")
	e.wsA = filepath.Join(e.dir, "a")
	e.wsB = filepath.Join(e.dir, "b")
	for _, ws := range []string{e.wsA, e.wsB} {
		if err := os.CopyFS(ws, os.DirFS(filepath.Join(testenv.RepoRoot(t), "testdata", "workspaces", "basic"))); err != nil {
			t.Fatal(err)
		}
	}
	e.outside = filepath.Join(root, "shadow")
	if err := os.WriteFile(e.outside, []byte(secretLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf(`mode: apply
read_paths: [%s]
terraform:
  workspaces: [%s, %s]
http:
  roles:
    reader: {mode: read-only, workspaces: [%s]}
    ops: {mode: apply}
  principals: {reader: reader, ops: ops}
`, e.dir, e.wsA, e.wsB, e.wsA)
	e.srv = serveAll(t, yaml, "OPSMCP_HTTP_TOKENS=reader=reader-token-0123456789,ops=ops-token-0123456789")
	e.reader = testenv.HTTPClient(t, "http://"+e.srv.addr+"/deploy/mcp", "reader-token-0123456789")
	e.ops = testenv.HTTPClient(t, "http://"+e.srv.addr+"/deploy/mcp", "ops-token-0123456789")
	return e
}

func callTool(t *testing.T, c *client.Client, tool string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: tool, Arguments: args}})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	b, _ := json.Marshal(res)
	return string(b), res.IsError
}

func (e *securityEnv) audit(t *testing.T) []memory.AuditRecord {
	t.Helper()
	store, err := memory.Open(context.Background(), filepath.Join(e.srv.stateDir(t), "opsmcp", "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	recs, err := store.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSecurityReaderReachesOnlyWhatItMay(t *testing.T) {
	e := newSecurityEnv(t)

	// 1, 8. No file outside read_paths is read, and the answer is the same
	// whether the path exists or not.
	missing := filepath.Join(filepath.Dir(e.outside), "no-such-file")
	var answers []string
	for _, args := range []map[string]any{
		{"infrastructure": map[string]any{"resources": []any{}}, "usage": e.outside},
		{"infrastructure": e.outside},
		{"infrastructure": "/etc/shadow"},
		{"infrastructure": missing},
		{"infrastructure": filepath.Join(e.outside, "x")}, // "not a directory" would tell the file exists
	} {
		out, isErr := callTool(t, e.reader, "estimate_costs", args)
		if !isErr || !strings.Contains(out, "is not allowed") {
			t.Fatalf("estimate_costs %v: want not allowed, got %s", args, out)
		}
		answers = append(answers, out)
	}
	if strings.Replace(answers[1], e.outside, "P", 1) != strings.Replace(answers[3], missing, "P", 1) {
		t.Fatalf("an existing and a missing path outside the roots are answered differently:\n%s\n%s", answers[1], answers[3])
	}
	// A link inside a root to a file outside it is refused too.
	link := filepath.Join(e.dir, "usage.yml")
	if err := os.Symlink(e.outside, link); err != nil {
		t.Fatal(err)
	}
	if out, isErr := callTool(t, e.reader, "estimate_costs", map[string]any{"infrastructure": map[string]any{"resources": []any{}}, "usage": link}); !isErr || !strings.Contains(out, "is not allowed") {
		t.Fatalf("a link out of the roots: %s", out)
	}

	// 6, 9. Devices and FIFOs, inside a root or not, are refused before
	// anything is read; the service stays up.
	fifo := filepath.Join(e.dir, "plan.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(e.dir, "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/zero", "/dev/stdin", fifo, zero} {
		start := time.Now()
		out, isErr := callTool(t, e.reader, "estimate_costs", map[string]any{"infrastructure": p})
		if !isErr || !(strings.Contains(out, "is not allowed") || strings.Contains(out, "not a regular file")) {
			t.Fatalf("estimate_costs %s: %s", p, out)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("estimate_costs %s took %s: it waited on the file", p, d)
		}
		out, isErr = callTool(t, e.reader, "validate_deployment", map[string]any{"config_path": p})
		if !isErr {
			t.Fatalf("validate_deployment %s: %s", p, out)
		}
	}
	// A file over limits.max_input_bytes (default 16 MiB) is refused by size.
	big := filepath.Join(e.dir, "big.json")
	f, _ := os.Create(big)
	f.Truncate(20 << 20)
	f.Close()
	if out, isErr := callTool(t, e.reader, "estimate_costs", map[string]any{"infrastructure": big}); !isErr || !strings.Contains(out, "input limit of 16 MiB") {
		t.Fatalf("a 20 MiB file: %s", out)
	}

	// 7. The reader's role narrows: read-only tools only, and only its
	// workspace's plans, even by id.
	tools, err := e.reader.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools.Tools {
		if tool.Name == "apply_terraform" || tool.Name == "deploy_kubernetes" {
			t.Fatalf("the reader sees %s", tool.Name)
		}
	}
	out, isErr := callTool(t, e.ops, "apply_terraform", map[string]any{"workspace": e.wsB})
	if isErr {
		t.Fatalf("ops plans B: %s", out)
	}
	var plan struct {
		StructuredContent struct {
			PlanID string `json:"plan_id"`
		} `json:"structuredContent"`
	}
	json.Unmarshal([]byte(out), &plan)
	idB := plan.StructuredContent.PlanID
	if idB == "" {
		t.Fatalf("no plan id: %s", out)
	}
	if out, _ := callTool(t, e.reader, "gather_context", map[string]any{}); strings.Contains(out, idB) || strings.Contains(out, e.wsB) {
		t.Fatalf("the reader's gather_context shows workspace B or its plan: %s", out)
	}
	if out, isErr := callTool(t, e.reader, "estimate_costs", map[string]any{"infrastructure": idB}); !isErr || !strings.Contains(out, "does not exist") {
		t.Fatalf("the reader estimates B's plan by id: %s", out)
	}
	if out, _ := callTool(t, e.ops, "gather_context", map[string]any{}); !strings.Contains(out, idB) {
		t.Fatalf("ops does not see its own plan: %s", out)
	}

	// Read-only calls over HTTP are audited: principal, tool, path, outcome.
	recs := e.audit(t)
	found := false
	for _, r := range recs {
		if r.Principal == "reader" && r.Tool == "estimate_costs" && strings.Contains(string(r.Args), e.outside) && r.Outcome != "ok" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no audit record of the reader's probe among %d records", len(recs))
	}
	// The file's content is nowhere: results, logs, audit.
	all := e.srv.logs.String()
	b, _ := json.Marshal(recs)
	all += string(b)
	for _, a := range answers {
		all += a
	}
	// Pieces long enough that no log figure (a duration of 0.20228 ms) matches by chance.
	for _, piece := range []string{"Pr0bedSh4dowL1ne", ":20228:0:99999", "root:$6"} {
		if strings.Contains(all, piece) {
			t.Fatalf("the outside file's content %q leaked", piece)
		}
	}
	// Alive.
	if _, err := e.reader.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil {
		t.Fatalf("the service died: %v", err)
	}
}

// stateDir is the directory the served process keeps its state in.
func (s *served) stateDir(t *testing.T) string {
	for _, kv := range s.cmd.Env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			return v
		}
	}
	t.Fatal("no state directory")
	return ""
}

// 2. A read-only validation never executes a provider planted in the
// directory's implicit local mirror, and leaves the directory as it was.
func TestSecurityValidationExecutesNothingFromTheDirectory(t *testing.T) {
	e := newSecurityEnv(t)
	dir := filepath.Join(e.dir, "pr")
	marker := filepath.Join(t.TempDir(), "provider-ran")
	plugin := filepath.Join(dir, "terraform.d", "plugins", "example.com", "evil", "evil", "1.0.0", "linux_amd64")
	os.MkdirAll(plugin, 0o755)
	os.WriteFile(filepath.Join(plugin, "terraform-provider-evil_v1.0.0"), []byte("#!/bin/sh\ntouch "+marker+"\nexit 1\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`terraform {
  required_providers {
    evil = { source = "example.com/evil/evil", version = "1.0.0" }
  }
}
resource "evil_thing" "x" {}
`), 0o644)
	before := treeHash(t, dir)
	out, isErr := callTool(t, e.reader, "validate_deployment", map[string]any{"config_path": dir, "type": "terraform"})
	if isErr {
		t.Fatalf("validate_deployment: %s", out)
	}
	if !strings.Contains(out, "terraform-init") {
		t.Fatalf("the provider cannot be had and the report does not say so: %s", out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the planted provider ran")
	}
	if after := treeHash(t, dir); after != before {
		t.Fatal("validation changed the directory")
	}
}

func treeHash(t *testing.T, dir string) string {
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		fmt.Fprintf(h, "%s %v %d\n", p, info.Mode(), info.Size())
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}

// 10. Repeated failed logins from one address get 429 with Retry-After;
// another address is not locked out.
func TestSecurityFailedLoginsAreThrottledPerAddress(t *testing.T) {
	e := newSecurityEnv(t)
	post := func(from, token string) *http.Response {
		dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
		req, _ := http.NewRequest("POST", "http://"+e.srv.addr+"/deploy/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	limited := false
	for i := range 30 {
		resp := post("127.0.0.1", fmt.Sprintf("guess-%d", i))
		if resp.StatusCode == http.StatusTooManyRequests {
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			limited = true
			break
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a wrong token: %d", resp.StatusCode)
		}
	}
	if !limited {
		t.Fatal("30 wrong tokens from one address were never throttled")
	}
	// Even the right token waits at the throttled address...
	if resp := post("127.0.0.1", "reader-token-0123456789"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a throttled address got %d", resp.StatusCode)
	}
	// ...but another address is not locked out.
	if resp := post("127.0.0.2", "reader-token-0123456789"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another address got %d", resp.StatusCode)
	}
}

// Over stdio: /dev/stdin (by name or through a link in a root) and a FIFO
// are refused without reading, so the JSON-RPC stream is not consumed and
// the server answers what follows; an outside file is not read.
func TestSecurityOverStdio(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "shadow")
	os.WriteFile(outside, []byte(secretLine+"\n"), 0o600)
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "stdin.yaml")
	os.Symlink("/dev/stdin", link)
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("memory: %s\nread_paths: [%s]\n", filepath.Join(t.TempDir(), "m.db"), dir)), 0o644)
	cmd := exec.Command(filepath.Join(testenv.Binaries(t), "opsmcp-deploy"), "--config", cfg)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	call := func(id int, tool string, args map[string]any) string {
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": map[string]any{"name": tool, "arguments": args}})
		return string(b)
	}
	msgs := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		call(2, "validate_deployment", map[string]any{"config_path": "/dev/stdin"}),
		call(3, "validate_deployment", map[string]any{"config_path": link}),
		call(4, "estimate_costs", map[string]any{"infrastructure": fifo}),
		call(5, "estimate_costs", map[string]any{"infrastructure": map[string]any{"resources": []any{}}, "usage": outside}),
		`{"jsonrpc":"2.0","id":6,"method":"tools/list"}`,
	}
	for _, m := range msgs {
		io.WriteString(stdin, m+"\n")
	}
	want := map[float64]string{2: "is not allowed", 3: "is not allowed", 4: "not a regular file", 5: "is not allowed", 6: "validate_deployment"}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	got := map[float64]string{}
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for len(got) < 6 && sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			t.Fatalf("stdout is not JSON-RPC: %q", sc.Text())
		}
		if id, ok := m["id"].(float64); ok {
			got[id] = sc.Text()
		}
	}
	for id, w := range want {
		if !strings.Contains(got[id], w) {
			t.Errorf("response %v: want %q, got %s", id, w, got[id])
		}
	}
	stdin.Close()
	cmd.Wait()
	for _, s := range []string{got[5], stderr.String()} {
		if strings.Contains(s, "Pr0bedSh4dowL1ne") {
			t.Fatal("the outside file's content leaked")
		}
	}
}
