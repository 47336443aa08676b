package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tools.toolsets: names, all and default expand; an unknown name and an
// empty list are errors that say what there is; unset is the default set,
// and gather_context's toolset is always on.
func TestToolsets(t *testing.T) {
	got, err := ParseToolsets([]string{"default,helm", "github"})
	if err != nil || strings.Join(got, ",") != "terraform,kubernetes,validate,cost,memory,experts,helm,github" {
		t.Errorf("default,helm + github: %v %v", got, err)
	}
	if got, _ := ParseToolsets([]string{"all"}); len(got) != len(Toolsets) {
		t.Errorf("all: %v", got)
	}
	if _, err := ParseToolsets([]string{"terraform", "k8s"}); err == nil || !strings.Contains(err.Error(), `toolset "k8s" is not one of terraform, kubernetes, helm`) {
		t.Errorf("unknown toolset: %v", err)
	}
	if _, err := ParseToolsets([]string{}); err == nil {
		t.Error("an empty list passed")
	}
	var unset Tools
	if !unset.ToolsetOn("terraform") || unset.ToolsetOn("github") || !unset.ToolsetOn(ToolsetContext) {
		t.Error("the default set")
	}
	if on := (Tools{Toolsets: []string{"github"}}); on.ToolsetOn("terraform") || !on.ToolsetOn("github") || !on.ToolsetOn(ToolsetContext) {
		t.Error("an explicit set")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(p, []byte("tools:\n  toolsets: [terraform, clouds]\n"), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), `tools.toolsets: toolset "clouds"`) {
		t.Errorf("a config naming an unknown toolset: %v", err)
	}
}
