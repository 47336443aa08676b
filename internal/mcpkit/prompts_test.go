package mcpkit

import (
	"strings"
	"testing"
)

// A template's parameter is one path segment: nothing more, nothing less,
// and the rest of the URI must be the template's.
func TestResourceTemplateMatch(t *testing.T) {
	r := &Resource{URI: "opsmcp://plans/{plan_id}"}
	for uri, want := range map[string]string{
		"opsmcp://plans/p-1": "p-1", "opsmcp://plans/": "", "opsmcp://plans/a/b": "", "opsmcp://plansx/1": "", "opsmcp://plans/a?x=1": "",
	} {
		params, ok := r.match(uri)
		if ok != (want != "") || params["plan_id"] != want {
			t.Errorf("%s: %v %v", uri, params, ok)
		}
	}
	fixed := &Resource{URI: "opsmcp://audit/recent"}
	if _, ok := fixed.match("opsmcp://audit/recent"); !ok || fixed.Template() {
		t.Error("a fixed URI")
	}
	if got := truncateText(strings.Repeat("é", 200), 101); len(got) > 101+40 || !strings.HasPrefix(got, strings.Repeat("é", 50)+"\n… cut at") {
		t.Errorf("cut inside a rune: %q", got)
	}
}
