package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// runHook runs the built opsmcp hook as Claude Code does: the hook input
// on stdin, the decision on stdout.
func runHook(t *testing.T, event string, input []byte, env ...string) (map[string]any, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(testenv.Binaries(t), "opsmcp"), "hook", event)
	cmd.Stdin = bytes.NewReader(input)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("opsmcp hook %s: %v\n%s", event, err, stderr.String())
	}
	if strings.TrimSpace(stdout.String()) == "" {
		return nil, ""
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("hook output is not JSON: %q", stdout.String())
	}
	return out, stdout.String()
}

// Every recorded PreToolUse input (Claude Code's documented format) gets
// the decision it should: commands that change infrastructure are denied
// with a reason naming the opsmcp tool, however they are hidden; reads pass.
func TestPreToolUseHookBlocksChangesOutsideOpsmcp(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.RepoRoot(t), "testdata", "hooks", "pre-tool-use.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c struct {
			Input struct {
				ToolInput struct {
					Command string `json:"command"`
				} `json:"tool_input"`
			} `json:"input"`
			Blocked *string `json:"blocked"`
		}
		var raw struct {
			Input json.RawMessage `json:"input"`
		}
		json.Unmarshal(sc.Bytes(), &c)
		json.Unmarshal(sc.Bytes(), &raw)
		out, text := runHook(t, "pre-tool-use", raw.Input)
		cmd := c.Input.ToolInput.Command
		if c.Blocked == nil {
			if out != nil {
				t.Errorf("%q: a read was blocked: %s", cmd, text)
			}
			continue
		}
		hso, _ := out["hookSpecificOutput"].(map[string]any)
		reason, _ := hso["permissionDecisionReason"].(string)
		if hso["hookEventName"] != "PreToolUse" || hso["permissionDecision"] != "deny" || !strings.Contains(reason, "`"+*c.Blocked) {
			t.Errorf("%q: want a deny naming %q, got %s", cmd, *c.Blocked, text)
		}
		if strings.HasPrefix(*c.Blocked, "terraform apply") && !strings.Contains(reason, "apply_terraform") {
			t.Errorf("%q: the reason does not name apply_terraform: %s", cmd, reason)
		}
	}
	// Other tools pass; input that is not hook JSON is denied, never let through.
	if out, _ := runHook(t, "pre-tool-use", []byte(`{"hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"/etc/hosts"}}`)); out != nil {
		t.Errorf("a Read was judged: %v", out)
	}
	if out, _ := runHook(t, "pre-tool-use", []byte(`not json`)); out == nil {
		t.Error("unreadable hook input passed")
	}
}

// A script the agent wrote and then runs is read and judged too.
func TestPreToolUseHookReadsTheScriptItRuns(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "deploy.sh"), []byte("#!/bin/sh\nset -e\ncd infra\nterraform apply -auto-approve\n"), 0o755)
	for _, cmd := range []string{"bash deploy.sh", "./deploy.sh", "sh -e ./deploy.sh"} {
		in, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "cwd": dir, "tool_name": "Bash", "tool_input": map[string]any{"command": cmd}})
		if out, text := runHook(t, "pre-tool-use", in); out == nil || !strings.Contains(text, "terraform apply") {
			t.Errorf("%q: %s", cmd, text)
		}
	}
}

// PostToolUse validates what the agent wrote: errors go back as a block
// with the findings; a clean file or another kind of file says nothing.
func TestPostToolUseHookValidatesWrittenFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "web.yaml")
	os.WriteFile(bad, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n"), 0o644)
	good := filepath.Join(dir, "ok.yaml")
	os.WriteFile(good, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: b\n"), 0o644)
	input := func(tool, file string) []byte {
		b, _ := json.Marshal(map[string]any{"hook_event_name": "PostToolUse", "cwd": dir, "tool_name": tool,
			"tool_input": map[string]any{"file_path": file, "content": "..."}, "tool_response": map[string]any{"filePath": file, "success": true}})
		return b
	}
	out, text := runHook(t, "post-tool-use", input("Write", bad), "OPSMCP_CONFIG=")
	if out["decision"] != "block" || !strings.Contains(out["reason"].(string), "web.yaml") || !strings.Contains(text, "replicas") {
		t.Fatalf("a bad manifest: %s", text)
	}
	if out, text := runHook(t, "post-tool-use", input("Edit", good), "OPSMCP_CONFIG="); out != nil && out["decision"] == "block" {
		t.Fatalf("a good manifest was blocked: %s", text)
	}
	if out, _ := runHook(t, "post-tool-use", input("Write", filepath.Join(dir, "main.go")), "OPSMCP_CONFIG="); out != nil {
		t.Fatalf("a Go file was judged: %v", out)
	}
	// An edited chart template is judged by rendering its chart, not read
	// as YAML: a template is fine, the object it renders is not.
	chart := filepath.Join(dir, "chart")
	os.CopyFS(chart, os.DirFS(filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "helm", "broken")))
	out, text = runHook(t, "post-tool-use", input("Edit", filepath.Join(chart, "templates", "deployment.yaml")), "OPSMCP_CONFIG=")
	if out["decision"] != "block" || !strings.Contains(text, "selector-mismatch") || strings.Contains(text, "yaml-syntax") {
		t.Fatalf("an edited chart template: %s", text)
	}
}

// opsmcp init --hooks merges its two hooks into .claude/settings.json,
// keeping what is there and never repeating itself; Claude Code itself
// (`claude doctor`, offline, reading the directory's settings) finds the
// file valid, and finds a broken one invalid (the check can fail).
func TestInitWritesHooksClaudeCodeAccepts(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, ".claude"), 0o755)
	settings := filepath.Join(dir, ".claude", "settings.json")
	os.WriteFile(settings, []byte(`{"permissions":{"allow":["Bash(ls:*)"]},"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"./my-own-check.sh"}]}]}}`), 0o644)
	ops := filepath.Join(testenv.Binaries(t), "opsmcp")
	for range 2 {
		cmd := exec.Command(ops, "init", "--client", "claude-code", "--hooks", dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("opsmcp init --hooks: %v\n%s", err, out)
		}
	}
	b, _ := os.ReadFile(settings)
	var got struct {
		Permissions map[string]any `json:"permissions"`
		Hooks       map[string][]struct {
			Matcher string `json:"matcher"`
			Hooks   []struct {
				Type, Command string
			} `json:"hooks"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	pre, post := got.Hooks["PreToolUse"], got.Hooks["PostToolUse"]
	if got.Permissions == nil || len(pre) != 2 || pre[0].Hooks[0].Command != "./my-own-check.sh" || len(post) != 1 {
		t.Fatalf("merged settings: %s", b)
	}
	if !strings.HasSuffix(pre[1].Hooks[0].Command, " hook pre-tool-use") || post[0].Matcher != "Write|Edit|MultiEdit" || !strings.HasSuffix(post[0].Hooks[0].Command, " hook post-tool-use") {
		t.Fatalf("opsmcp's hooks: %s", b)
	}
	// The command Claude Code will run works as written.
	cmd := exec.Command("sh", "-c", pre[1].Hooks[0].Command)
	cmd.Stdin = strings.NewReader(`{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"kubectl delete ns prod"}}`)
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), `"permissionDecision":"deny"`) {
		t.Fatalf("the installed hook command: %v %s", err, out)
	}

	claude, env := testenv.NodeTool(t, "claude")
	env = append(env, "HOME="+t.TempDir(), "DISABLE_TELEMETRY=1", "DISABLE_AUTOUPDATER=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1")
	doctor := func() string {
		cmd := exec.Command(claude, "doctor")
		cmd.Env, cmd.Dir, cmd.Stdin = env, dir, strings.NewReader("")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	if out := doctor(); strings.Contains(out, "settings.json ›") || !strings.Contains(out, "Claude Code doctor") {
		t.Fatalf("claude doctor finds the settings opsmcp wrote invalid:\n%s", out)
	}
	os.WriteFile(settings, []byte(`{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"shell","command":"x"}]}]}}`), 0o644)
	if out := doctor(); !strings.Contains(out, "settings.json ›") {
		t.Fatalf("claude doctor does not report a broken hook, so it proves nothing:\n%s", out)
	}
}
