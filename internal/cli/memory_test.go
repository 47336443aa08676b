package cli

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestMemoryCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "memory.db")
	t.Setenv("OPSMCP_MEMORY", db)
	t.Setenv("OPSMCP_CONFIG", "")
	t.Chdir(dir)

	code, out, errs := run(t, "memory", "put", "--server", "ci", "--kind", "note", "--scope", "repo/app", "--key", "build-42",
		"--data", `{"msg":"canary deploy of web passed","api_key":"sk-live-abcdefghijklmnopqrstuvwx"}`, "--tags", "ci,web")
	if code != 0 || strings.TrimSpace(out) != "1" {
		t.Fatalf("put: %d %q %s", code, out, errs)
	}
	run(t, "memory", "put", "--server", "ci", "--kind", "observation", "--data", `"database backup finished"`)
	if code, _, errs := run(t, "memory", "put", "--server", "ci", "--kind", "diary"); code != 1 || !strings.Contains(errs, `kind "diary" is not one of`) {
		t.Fatalf("bad kind: %d %s", code, errs)
	}
	if code, _, errs := run(t, "memory", "put", "--server", "ci", "--kind", "note", "--data", "{nope"); code != 2 || !strings.Contains(errs, "--data must be JSON") {
		t.Fatalf("bad data: %d %s", code, errs)
	}

	code, out, _ = run(t, "memory", "list", "--json", "--limit", "1")
	var page struct {
		Entries []map[string]any `json:"entries"`
		Next    string           `json:"next_cursor"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &page) != nil || len(page.Entries) != 1 || page.Next == "" {
		t.Fatalf("list --limit 1: %d %s", code, out)
	}
	code, out, _ = run(t, "memory", "list", "--limit", "0", "--tags", "web")
	if code != 0 || !strings.Contains(out, "build-42") || strings.Contains(out, "backup") {
		t.Fatalf("list --tags: %s", out)
	}
	code, out, _ = run(t, "memory", "search", "canary", "web")
	if code != 0 || !strings.Contains(out, "build-42") {
		t.Fatalf("search: %s", out)
	}
	code, out, _ = run(t, "memory", "show", "1")
	if code != 0 || !strings.Contains(out, "canary deploy") || strings.Contains(out, "sk-live") {
		t.Fatalf("show: %s", out)
	}
	if code, _, _ := run(t, "memory", "show", "99"); code != 1 {
		t.Fatal("show of a missing entry did not fail")
	}

	export := filepath.Join(dir, "backup.jsonl")
	if code, _, errs := run(t, "memory", "export", "--output", export); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	t.Setenv("OPSMCP_MEMORY", filepath.Join(dir, "copy.db"))
	if code, out, errs := run(t, "memory", "import", export); code != 0 || !strings.Contains(out, "imported 2 entries") {
		t.Fatalf("import: %s %s", out, errs)
	}
	t.Setenv("OPSMCP_MEMORY", db)

	// The audit log: intact, then tampered, then named.
	for range 3 {
		run(t, "call", "deploy", "apply_terraform", "workspace=/nonexistent") // refused calls are audited too
	}
	if code, out, _ := run(t, "memory", "verify-audit"); code != 0 || !strings.Contains(out, "intact: 3 records") {
		t.Fatalf("verify-audit: %d %s", code, out)
	}
	raw, _ := sql.Open("sqlite", "file:"+db)
	if _, err := raw.Exec("DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, out, _ = run(t, "memory", "verify-audit")
	if code != 1 || !strings.Contains(out, "record 2 was altered") {
		t.Fatalf("verify-audit after tampering: %d %s", code, out)
	}
	if code, out, _ := run(t, "memory", "prune", "--json"); code != 0 || !strings.Contains(out, `"expired_entries": 0`) {
		t.Fatalf("prune: %s", out)
	}
	if _, err := os.Stat(export); err != nil {
		t.Fatal(err)
	}
}
