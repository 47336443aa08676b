package mcpkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGCSettingsForServing(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	v2 := t.TempDir()
	os.WriteFile(filepath.Join(v2, "memory.max"), []byte("1073741824\n"), 0o644)
	unlimited := t.TempDir()
	os.WriteFile(filepath.Join(unlimited, "memory.max"), []byte("max\n"), 0o644)
	v1 := t.TempDir()
	os.MkdirAll(filepath.Join(v1, "memory"), 0o755)
	os.WriteFile(filepath.Join(v1, "memory", "memory.limit_in_bytes"), []byte("536870912\n"), 0o644)
	v1unlimited := t.TempDir()
	os.MkdirAll(filepath.Join(v1unlimited, "memory"), 0o755)
	os.WriteFile(filepath.Join(v1unlimited, "memory", "memory.limit_in_bytes"), []byte("9223372036854771712\n"), 0o644)
	for _, c := range []struct {
		name    string
		env     map[string]string
		root    string
		percent int
		limit   int64
	}{
		{"defaults in a 1 GiB container", nil, v2, serveGCPercent, 1073741824 / 10 * 9},
		{"no cgroup limit", nil, unlimited, serveGCPercent, 0},
		{"cgroup v1", nil, v1, serveGCPercent, 536870912 / 10 * 9},
		{"cgroup v1 unlimited", nil, v1unlimited, serveGCPercent, 0},
		{"no cgroup files", nil, t.TempDir(), serveGCPercent, 0},
		{"the operator's GOGC and GOMEMLIMIT stand", map[string]string{"GOGC": "100", "GOMEMLIMIT": "300MiB"}, v2, -2, 0},
	} {
		p, l := gcSettings(env(c.env), c.root)
		if p != c.percent || l != c.limit {
			t.Errorf("%s: got GC percent %d, limit %d; want %d, %d", c.name, p, l, c.percent, c.limit)
		}
	}
}
