package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/hook"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// opsmcp hook: Claude Code's PreToolUse and PostToolUse hooks. They read
// the hook's JSON input on stdin and answer in the hook output format
// (hookSpecificOutput), exit 0; a hook input that cannot be read blocks.

// hookInput is the part of Claude Code's hook input the hooks read.
type hookInput struct {
	HookEventName string          `json:"hook_event_name"`
	ToolName      string          `json:"tool_name"`
	ToolInput     json.RawMessage `json:"tool_input"`
	Cwd           string          `json:"cwd"`
}

// maxHookInput bounds what a hook reads on stdin (a Write's content is in it).
const maxHookInput = 32 << 20

func newHookCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Claude Code hooks: block shell commands that change infrastructure outside opsmcp; validate written files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "pre-tool-use",
		Short: "PreToolUse: deny a Bash command that would change infrastructure outside opsmcp, naming the tool to use",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return preToolUse(g, cmd.InOrStdin())
		},
	}, &cobra.Command{
		Use:   "post-tool-use",
		Short: "PostToolUse: validate a file the agent wrote or edited and hand the findings back",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return postToolUse(cmd.Context(), g, cmd.InOrStdin())
		},
	})
	return cmd
}

func readHookInput(in io.Reader) (*hookInput, error) {
	b, err := io.ReadAll(io.LimitReader(in, maxHookInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxHookInput {
		return nil, fmt.Errorf("hook input over %d MiB", maxHookInput>>20)
	}
	var h hookInput
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("hook input is not Claude Code's hook JSON: %v", err)
	}
	return &h, nil
}

func writeHookOutput(g *globals, v any) error {
	return json.NewEncoder(g.Stdout).Encode(v)
}

func deny(g *globals, reason string) error {
	return writeHookOutput(g, map[string]any{"hookSpecificOutput": map[string]any{
		"hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": reason,
	}})
}

func preToolUse(g *globals, in io.Reader) error {
	h, err := readHookInput(in)
	if err != nil {
		return deny(g, "opsmcp could not read the hook input, so it blocks the command: "+err.Error())
	}
	if h.ToolName != "Bash" {
		return nil
	}
	var ti struct {
		Command string `json:"command"`
	}
	if err := json.Unmarshal(h.ToolInput, &ti); err != nil {
		return deny(g, "opsmcp could not read the Bash command, so it blocks it: "+err.Error())
	}
	if b := hook.Check(ti.Command, h.Cwd); b != nil {
		return deny(g, b.Reason())
	}
	return nil
}

// writeTools are Claude Code's tools that write a file.
var writeTools = map[string]bool{"Write": true, "Edit": true, "MultiEdit": true}

func postToolUse(ctx context.Context, g *globals, in io.Reader) error {
	h, err := readHookInput(in)
	if err != nil {
		return err
	}
	if !writeTools[h.ToolName] {
		return nil
	}
	var ti struct {
		FilePath string `json:"file_path"`
	}
	if json.Unmarshal(h.ToolInput, &ti) != nil || ti.FilePath == "" {
		return nil
	}
	if !validatable(ti.FilePath) {
		return nil
	}
	cfg, err := config.Load(g.ConfigPath)
	if err != nil {
		cfg = config.Default()
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	target := ti.FilePath
	files := fsguard.CommandLine(cfg.Limits.MaxInputBytes)
	if strings.HasSuffix(target, ".tf") {
		target = filepath.Dir(target) // a module is validated whole
	} else if unit := validate.EnclosingUnit(files, target); unit != "" {
		target = unit // a template or overlay file: its chart or kustomization, rendered
	}
	rep, err := validate.Run(ctx, []string{target}, validate.Options{Type: "auto",
		TerraformBinary: cfg.Terraform.Binary, TerraformMirror: cfg.Terraform.ProviderMirror,
		Files: files, CRDs: cfg.Validate.CRDs, Unsuppressible: cfg.Validate.Unsuppressible})
	if err != nil {
		return writeHookOutput(g, map[string]any{"hookSpecificOutput": map[string]any{"hookEventName": "PostToolUse",
			"additionalContext": "opsmcp could not validate " + ti.FilePath + ": " + err.Error()}})
	}
	if len(rep.Findings) == 0 {
		return nil
	}
	text := fmt.Sprintf("opsmcp validated %s:\n%s", ti.FilePath, validate.Text(rep, false))
	out := map[string]any{"hookSpecificOutput": map[string]any{"hookEventName": "PostToolUse", "additionalContext": text}}
	if rep.Errors > 0 {
		// Errors go back to the agent to fix now.
		out["decision"], out["reason"] = "block", text
	}
	return writeHookOutput(g, out)
}

// validatable: a file opsmcp validates (Terraform, Kubernetes or compose
// YAML, a Dockerfile, a chart's files).
func validatable(p string) bool {
	base := strings.ToLower(filepath.Base(p))
	switch ext := filepath.Ext(base); {
	case ext == ".tf", ext == ".yaml", ext == ".yml", ext == ".json" && strings.Contains(base, ".tf."):
		return true
	case base == "dockerfile", strings.HasPrefix(base, "dockerfile."), strings.HasSuffix(base, ".dockerfile"):
		return true
	}
	return false
}
