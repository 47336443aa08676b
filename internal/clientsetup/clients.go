// Package clientsetup writes opsmcp's servers into the configuration file of
// each MCP client, in that client's own format, merged with what the file
// already holds.
package clientsetup

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Server is one opsmcp server as a client starts it.
type Server struct {
	Name    string // opsmcp-deploy
	Command string
	Args    []string
}

// Client is one MCP client's configuration file and format.
type Client struct {
	Name  string // the --client value
	Title string
	// Project is true for a file inside the repository, which a team
	// commits: it names commands by name and the config relative to the
	// project (ConfigRef). Other files are the user's own, with absolute
	// paths.
	Project bool
	// ConfigRef is how a project file names opsmcp.yaml, relative to the
	// project: a variable the client expands, or a path relative to the
	// directory the client starts servers in.
	ConfigRef string
	file      func(project, home string) string
	format    format
	// Note is what the person should know after the file is written.
	Note string
}

type format struct {
	key   string // the object of servers: mcpServers, servers, context_servers; TOML table mcp_servers
	toml  bool
	entry func(Server) entry
}

// entry is one server in a client's file, its members in the order people
// write them.
type entry struct {
	Type    string   `json:"type,omitempty"`   // VS Code
	Source  string   `json:"source,omitempty"` // Zed
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

func plain(s Server) entry { return entry{Command: s.Command, Args: s.Args} }

var mcpServers = format{key: "mcpServers", entry: plain}

var clients = []Client{
	{Name: "claude-code", Title: "Claude Code", Project: true, ConfigRef: "opsmcp.yaml",
		file:   func(project, _ string) string { return filepath.Join(project, ".mcp.json") },
		format: mcpServers,
		Note: "Claude Code asks you to approve a project's .mcp.json servers the first time it starts in this directory: " +
			"choose \"Use this and all future MCP servers in this project\" (or approve each; `claude mcp reset-project-choices` asks again). " +
			"To approve them without the prompt, list them in \"enabledMcpjsonServers\" (or set \"enableAllProjectMcpServers\": true) in your own ~/.claude/settings.json. Check with `claude mcp list`."},
	{Name: "claude-desktop", Title: "Claude Desktop",
		file: func(_, home string) string {
			return filepath.Join(userConfigDir(home), "Claude", "claude_desktop_config.json")
		},
		format: mcpServers, Note: "Restart Claude Desktop to load the servers."},
	{Name: "cursor", Title: "Cursor", Project: true, ConfigRef: "${workspaceFolder}/opsmcp.yaml",
		file:   func(project, _ string) string { return filepath.Join(project, ".cursor", "mcp.json") },
		format: mcpServers, Note: "Cursor lists the servers under Settings → MCP; enable them there."},
	{Name: "vscode", Title: "VS Code", Project: true, ConfigRef: "${workspaceFolder}/opsmcp.yaml",
		file: func(project, _ string) string { return filepath.Join(project, ".vscode", "mcp.json") },
		format: format{key: "servers", entry: func(s Server) entry {
			e := plain(s)
			e.Type = "stdio"
			return e
		}},
		Note: "VS Code asks you to trust each server when it first starts (MCP: List Servers shows them)."},
	{Name: "codex", Title: "Codex",
		file: func(_, home string) string {
			if h := os.Getenv("CODEX_HOME"); h != "" {
				return filepath.Join(h, "config.toml")
			}
			return filepath.Join(home, ".codex", "config.toml")
		},
		format: format{key: "mcp_servers", toml: true, entry: plain}, Note: "Check with `codex mcp list`."},
	{Name: "gemini", Title: "Gemini CLI", Project: true, ConfigRef: "opsmcp.yaml",
		file:   func(project, _ string) string { return filepath.Join(project, ".gemini", "settings.json") },
		format: mcpServers,
		Note:   "Gemini CLI starts a project's servers only in a trusted folder (it asks, or /permissions); check with `gemini mcp list`."},
	{Name: "windsurf", Title: "Windsurf",
		file:   func(_, home string) string { return filepath.Join(home, ".codeium", "windsurf", "mcp_config.json") },
		format: mcpServers, Note: "Refresh the MCP servers in Windsurf's Cascade panel to load them."},
	{Name: "zed", Title: "Zed",
		file: func(_, home string) string {
			if runtime.GOOS == "windows" {
				return filepath.Join(userConfigDir(home), "Zed", "settings.json")
			}
			if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
				return filepath.Join(x, "zed", "settings.json")
			}
			return filepath.Join(home, ".config", "zed", "settings.json")
		},
		format: format{key: "context_servers", entry: func(s Server) entry {
			e := plain(s)
			e.Source = "custom"
			return e
		}},
		Note: "Zed starts the servers when its settings are saved; the Agent panel's settings show them."},
}

// Clients lists every client, in the order above.
func Clients() []Client { return clients }

// Names are the --client values.
func Names() []string {
	out := make([]string, len(clients))
	for i, c := range clients {
		out[i] = c.Name
	}
	return out
}

// Lookup finds a client by its --client name.
func Lookup(name string) (Client, bool) {
	for _, c := range clients {
		if c.Name == name {
			return c, true
		}
	}
	return Client{}, false
}

// File is the configuration file the client reads, for a project directory
// and the user's home.
func (c Client) File(project, home string) string { return c.file(project, home) }

// userConfigDir is os.UserConfigDir under a given home, so a test's HOME
// is honoured on every system.
func userConfigDir(home string) string {
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Application Support")
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return d
		}
		return filepath.Join(home, "AppData", "Roaming")
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return x
	}
	return filepath.Join(home, ".config")
}

// ours reports whether a server name in a client's file is opsmcp's: init
// replaces those and leaves every other server as it is.
func ours(name string) bool { return strings.HasPrefix(name, "opsmcp-") }

func sortedNames(servers []Server) []Server {
	out := append([]Server(nil), servers...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
