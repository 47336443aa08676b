package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
)

// hookEvents are the Claude Code hooks opsmcp installs: which tools they
// match and the opsmcp hook command they run.
var hookEvents = []struct{ event, matcher, sub string }{
	{"PreToolUse", "Bash", "pre-tool-use"},
	{"PostToolUse", "Write|Edit|MultiEdit", "post-tool-use"},
}

// mergeHookSettings writes opsmcp's hooks into a Claude Code settings file
// (.claude/settings.json), keeping everything else in it; opsmcp's own
// earlier entries are replaced, not repeated. A file that is not a JSON
// object is left alone and named.
func mergeHookSettings(path, opsmcp, cfgPath string) error {
	settings := map[string]any{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &settings); err != nil {
			return fmt.Errorf("%s is not a JSON object (%v); nothing was written", path, err)
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	hooks, _ := settings["hooks"].(map[string]any)
	if hooks == nil {
		if _, ok := settings["hooks"]; ok {
			return fmt.Errorf("%s: hooks is not an object; nothing was written", path)
		}
		hooks = map[string]any{}
	}
	for _, h := range hookEvents {
		command := fmt.Sprintf("%s --config %s hook %s", shellQuote(opsmcp), shellQuote(cfgPath), h.sub)
		var kept []any
		list, _ := hooks[h.event].([]any)
		for _, entry := range list {
			if !isOpsmcpHook(entry, h.sub) {
				kept = append(kept, entry)
			}
		}
		hooks[h.event] = append(kept, map[string]any{"matcher": h.matcher,
			"hooks": []any{map[string]any{"type": "command", "command": command, "timeout": 120}}})
	}
	settings["hooks"] = hooks
	b, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

// isOpsmcpHook: a matcher entry whose commands include opsmcp's hook sub.
func isOpsmcpHook(entry any, sub string) bool {
	m, _ := entry.(map[string]any)
	hs, _ := m["hooks"].([]any)
	for _, h := range hs {
		hm, _ := h.(map[string]any)
		if c, _ := hm["command"].(string); strings.Contains(c, " hook "+sub) && strings.Contains(c, "opsmcp") {
			return true
		}
	}
	return false
}

// shellQuote quotes a path for the shell Claude Code runs hook commands in.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"$`\\!*?[]{}()<>|&;#~\t\n") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
