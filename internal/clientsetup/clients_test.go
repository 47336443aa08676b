package clientsetup

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tailscale/hujson"
)

var names = []string{"deploy", "kube"}

func onPath(found ...string) func(string) (string, error) {
	return func(name string) (string, error) {
		for _, f := range found {
			if f == name {
				return "/usr/local/bin/" + name, nil
			}
		}
		return "", exec.ErrNotFound
	}
}

// schemaFor is the documented schema a client's JSON file is checked
// against (testdata/schemas); Codex's TOML is checked by parsing.
func schemaFor(t *testing.T, c Client) *jsonschema.Schema {
	file := map[string]string{"vscode": "vscode", "zed": "zed"}[c.Name]
	if file == "" {
		file = "mcpServers"
	}
	comp := jsonschema.NewCompiler()
	s, err := comp.Compile(filepath.Join("testdata", "schemas", file+".schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// check validates a written file the way its client reads it and returns
// its servers by name.
func check(t *testing.T, c Client, b []byte) map[string]map[string]any {
	t.Helper()
	var doc map[string]any
	if c.format.toml {
		if err := toml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: not TOML: %v\n%s", c.Name, err, b)
		}
	} else {
		std, err := hujson.Standardize(append([]byte(nil), b...))
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.Name, err, b)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(std)))
		if err != nil {
			t.Fatal(err)
		}
		if err := schemaFor(t, c).Validate(inst); err != nil {
			t.Fatalf("%s: the file does not follow the client's schema: %v\n%s", c.Name, err, b)
		}
		json.Unmarshal(std, &doc)
	}
	out := map[string]map[string]any{}
	servers, _ := doc[c.format.key].(map[string]any)
	for k, v := range servers {
		out[k], _ = v.(map[string]any)
	}
	return out
}

// Every client's file, new and merged into one the user has: it follows
// the client's documented schema (or parses as TOML), opsmcp's servers
// are in it, the user's other servers, settings and comments are kept, an
// opsmcp server no longer offered is taken out, and merging again changes
// nothing.
func TestEveryClientsFile(t *testing.T) {
	existing := map[string]string{
		"json": `{
  "theme": "dark",
  "%s": {
    "other": %s,
    "opsmcp-retired": %s
  }
}
`,
		"jsonc": `{
	// the user's own comment
	"theme": "dark",
	"%s": {
		"other": %s, // theirs
		"opsmcp-retired": %s,
	},
}
`,
		"toml": `# the user's own comment
model = "o3"

[mcp_servers.other]
command = "other-mcp"

[mcp_servers.opsmcp-retired]
command = "opsmcp-retired"

[mcp_servers.opsmcp-retired.env]
A = "1"

[profiles.fast]
model = "o4-mini"
`,
	}
	for _, c := range Clients() {
		t.Run(c.Name, func(t *testing.T) {
			servers, _ := c.Servers(names, Options{ConfigPath: "/repo/opsmcp.yaml", Self: "/opt/opsmcp/opsmcp", LookPath: onPath("opsmcp-deploy", "opsmcp-kube")})
			fresh, err := c.Merge("f", nil, servers)
			if err != nil {
				t.Fatal(err)
			}
			if got := check(t, c, fresh); len(got) != 2 || got["opsmcp-deploy"] == nil {
				t.Fatalf("new file: %v\n%s", got, fresh)
			}
			var src string
			switch {
			case c.format.toml:
				src = existing["toml"]
			default:
				entry := map[string]string{"vscode": `{"type": "stdio", "command": "other-mcp"}`, "zed": `{"source": "custom", "command": "other-mcp"}`}[c.Name]
				if entry == "" {
					entry = `{"command": "other-mcp"}`
				}
				form := "jsonc"
				if c.Name == "claude-code" || c.Name == "claude-desktop" || c.Name == "windsurf" || c.Name == "cursor" {
					form = "json" // read as strict JSON
				}
				src = strings.ReplaceAll(existing[form], "%s", "\x00")
				src = strings.Replace(src, "\x00", c.format.key, 1)
				src = strings.Replace(src, "\x00", entry, 1)
				src = strings.Replace(src, "\x00", entry, 1)
				if c.Name == "vscode" {
					src = strings.Replace(src, `"theme": "dark",`, `"inputs": [],`, 1) // VS Code's file holds servers and inputs only
				}
			}
			merged, err := c.Merge("f", []byte(src), servers)
			if err != nil {
				t.Fatal(err)
			}
			got := check(t, c, merged)
			if len(got) != 3 || got["other"]["command"] != "other-mcp" || got["opsmcp-retired"] != nil || got["opsmcp-kube"] == nil {
				t.Fatalf("merged servers %v\n%s", got, merged)
			}
			if strings.Contains(src, "the user's own comment") && !strings.Contains(string(merged), "the user's own comment") {
				t.Errorf("the user's comment is lost:\n%s", merged)
			}
			for _, kept := range []string{`"theme": "dark"`, `model = "o3"`, "[profiles.fast]", `"inputs": []`, "// theirs"} {
				if strings.Contains(src, kept) && !strings.Contains(string(merged), kept) {
					t.Errorf("%s is lost:\n%s", kept, merged)
				}
			}
			again, err := c.Merge("f", merged, servers)
			if err != nil || string(again) != string(merged) {
				t.Errorf("merging again changed the file: %v\n%s\n---\n%s", err, merged, again)
			}
		})
	}
}

// The schema check can fail: a server without its command is refused.
func TestSchemaCheckFails(t *testing.T) {
	c, _ := Lookup("vscode")
	inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"servers": {"x": {"type": "stdio", "args": []}}}`))
	if schemaFor(t, c).Validate(inst) == nil {
		t.Fatal("a server without a command passed VS Code's schema")
	}
}

// A project file names commands found on PATH and the config relative to
// the project (a variable where the client expands one), so it can be
// committed; --absolute, and files outside the project, use absolute
// paths; a command on PATH under neither name is warned about.
func TestPortableAndAbsolute(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, "opsmcp")
	os.WriteFile(self, []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "opsmcp-deploy"), []byte("#!/bin/sh\n"), 0o755)
	opts := Options{ConfigPath: "/repo/opsmcp.yaml", Self: self, LookPath: onPath("opsmcp-deploy", "opsmcp-kube")}

	code, _ := Lookup("claude-code")
	s, w := code.Servers(names, opts)
	if s[0].Command != "opsmcp-deploy" || strings.Join(s[0].Args, " ") != "--config opsmcp.yaml" || len(w) != 0 {
		t.Errorf("claude-code portable: %+v %v", s, w)
	}
	vscode, _ := Lookup("vscode")
	if s, _ = vscode.Servers(names, opts); s[1].Args[1] != "${workspaceFolder}/opsmcp.yaml" {
		t.Errorf("vscode portable: %+v", s)
	}
	abs := opts
	abs.Absolute = true
	if s, _ = code.Servers(names, abs); s[0].Command != filepath.Join(dir, "opsmcp-deploy") || s[0].Args[1] != "/repo/opsmcp.yaml" ||
		s[1].Command != "/usr/local/bin/opsmcp-kube" {
		t.Errorf("claude-code --absolute: %+v", s)
	}
	codex, _ := Lookup("codex")
	if s, _ = codex.Servers(names, opts); !filepath.IsAbs(s[0].Command) || s[0].Args[1] != "/repo/opsmcp.yaml" {
		t.Errorf("codex (the user's own file): %+v", s)
	}
	opts.LookPath = onPath("opsmcp")
	if s, w = code.Servers(names, opts); s[0].Command != "opsmcp" || strings.Join(s[0].Args, " ") != "serve deploy --config opsmcp.yaml" || len(w) != 0 {
		t.Errorf("only opsmcp on PATH: %+v %v", s, w)
	}
	opts.LookPath = onPath()
	if _, w = code.Servers(names, opts); len(w) != 2 || !strings.Contains(w[0], "opsmcp-deploy is not on PATH") {
		t.Errorf("nothing on PATH: %v", w)
	}
}

// A file opsmcp cannot read as its client does is refused whole.
func TestBrokenFilesAreRefused(t *testing.T) {
	servers := []Server{{Name: "opsmcp-deploy", Command: "opsmcp-deploy", Args: []string{"--config", "opsmcp.yaml"}}}
	cases := map[string]string{
		"claude-code": `{"mcpServers": {`,
		"cursor":      `{"mcpServers": ["not", "an", "object"]}`,
		"zed":         `[1, 2]`,
		"codex":       "[mcp_servers\ncommand = ",
	}
	for name, src := range cases {
		c, _ := Lookup(name)
		_, err := c.Merge("/x/"+name, []byte(src), servers)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != "/x/"+name || !strings.Contains(err.Error(), "nothing was written") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
