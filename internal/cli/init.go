package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/clientsetup"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/servers"
)

// found is what init sees in a repository.
type found struct {
	terraform  []string // directories with .tf files, relative
	kubernetes []string // YAML files with apiVersion and kind
	docker     []string // Dockerfiles
}

type initOptions struct {
	client          string
	force, hooks    bool
	print, absolute bool
}

func newInitCmd(g *globals) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Add opsmcp's servers to an MCP client's configuration and write a commented opsmcp.yaml for this repository",
		Long: "Add opsmcp's servers to the configuration of an MCP client (" + strings.Join(clientsetup.Names(), ", ") + "),\n" +
			"merged into the file it already has (other servers and settings kept, a .bak copy of the old file beside it),\n" +
			"and write a commented opsmcp.yaml for the repository unless there is one. Project files (.mcp.json,\n" +
			".cursor/mcp.json, .vscode/mcp.json, .gemini/settings.json) name commands found on PATH and the config\n" +
			"relative to the project, so a team can commit them; --absolute writes absolute paths instead.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(g, o, dir)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.client, "client", "claude-code", "the MCP client to set up: "+strings.Join(clientsetup.Names(), ", "))
	f.BoolVar(&o.print, "print", false, "show the client's file as it would be written, and write nothing")
	f.BoolVar(&o.absolute, "absolute", false, "name binaries and opsmcp.yaml by absolute path, even in a project file")
	f.BoolVar(&o.force, "force", false, "overwrite an existing opsmcp.yaml")
	f.BoolVar(&o.hooks, "hooks", false, "also write opsmcp's PreToolUse and PostToolUse hooks into .claude/settings.json (claude-code; merged with what is there)")
	return cmd
}

func runInit(g *globals, o *initOptions, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return failErr("%v", err)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return usageErr("%s is not a directory", dir)
	}
	client, ok := clientsetup.Lookup(o.client)
	if !ok {
		return usageErr("--client %q: the clients are %s", o.client, strings.Join(clientsetup.Names(), ", "))
	}
	if o.hooks && client.Name != "claude-code" {
		return usageErr("--hooks: hooks are Claude Code's; use --client claude-code")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return failErr("%v", err)
	}
	self, err := os.Executable()
	if err != nil {
		return failErr("%v", err)
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	cfgPath := filepath.Join(abs, "opsmcp.yaml")
	srvs, warnings := client.Servers(servers.Names(), clientsetup.Options{ConfigPath: cfgPath, Absolute: o.absolute, Self: self, LookPath: exec.LookPath})
	file := client.File(abs, home)
	existing, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return failErr("%v", err)
	}
	merged, err := client.Merge(file, existing, srvs)
	if err != nil {
		return failErr("%v", err)
	}
	for _, w := range warnings {
		fmt.Fprintln(g.Stderr, "warning: "+w)
	}
	if o.print {
		fmt.Fprintf(g.Stderr, "# %s (not written)\n", file)
		_, err := g.Stdout.Write(merged)
		return err
	}
	if _, err := os.Stat(cfgPath); err == nil && !o.force {
		fmt.Fprintf(g.Stdout, "Kept %s as it is (--force writes a new one)\n", cfgPath)
	} else {
		f, err := scanRepo(abs)
		if err != nil {
			return failErr("%v", err)
		}
		if err := atomicfile.WriteBytes(cfgPath, []byte(configYAML(f))); err != nil {
			return failErr("%v", err)
		}
		fmt.Fprintf(g.Stdout, "Found %d Terraform workspaces, %d Kubernetes manifests, %d Dockerfiles.\n",
			len(f.terraform), len(f.kubernetes), len(f.docker))
		fmt.Fprintf(g.Stdout, "Wrote %s (mode plan: nothing is applied until you set mode: apply)\n", cfgPath)
	}
	switch {
	case bytes.Equal(existing, merged):
		fmt.Fprintf(g.Stdout, "%s already holds opsmcp's servers\n", file)
	default:
		if existing != nil {
			if err := atomicfile.WriteBytes(file+".bak", existing); err != nil {
				return failErr("backing up %s: %v", file, err)
			}
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return failErr("%v", err)
		}
		if err := atomicfile.WriteBytes(file, merged); err != nil {
			return failErr("%v", err)
		}
		if existing != nil {
			fmt.Fprintf(g.Stdout, "Added opsmcp's %d servers to %s for %s (the old file is %s.bak)\n", len(srvs), file, client.Title, file)
		} else {
			fmt.Fprintf(g.Stdout, "Wrote %s for %s with opsmcp's %d servers\n", file, client.Title, len(srvs))
		}
	}
	fmt.Fprintln(g.Stdout, client.Note)
	if o.hooks {
		return writeHooks(g, abs, cfgPath)
	}
	return nil
}

// writeHooks merges opsmcp's hooks into the repository's Claude Code
// project settings.
func writeHooks(g *globals, dir, cfgPath string) error {
	self, err := os.Executable()
	if err != nil {
		return failErr("%v", err)
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	settings := filepath.Join(dir, ".claude", "settings.json")
	if err := mergeHookSettings(settings, self, cfgPath); err != nil {
		return failErr("%v", err)
	}
	fmt.Fprintf(g.Stdout, "Wrote the opsmcp hooks into %s: Bash commands that change infrastructure outside opsmcp are blocked; written Terraform, Kubernetes and Docker files are validated.\n", settings)
	return nil
}

var skipDirs = map[string]bool{".git": true, ".terraform": true, "node_modules": true, "vendor": true, ".cache": true}

func scanRepo(root string) (*found, error) {
	f := &found{}
	tfDirs := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable corners do not stop the scan
		}
		if d.IsDir() {
			if p != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".tf"):
			tfDirs[filepath.Dir(rel)] = true
		case name == "Dockerfile" || strings.HasSuffix(name, ".Dockerfile") || strings.HasPrefix(name, "Dockerfile."):
			f.docker = append(f.docker, rel)
		case strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml"):
			if isKubeManifest(p) {
				f.kubernetes = append(f.kubernetes, rel)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for d := range tfDirs {
		// A module directory inside a workspace is covered by its parent.
		covered := false
		for o := range tfDirs {
			if o != d && (o == "." || strings.HasPrefix(d, o+string(filepath.Separator))) {
				covered = true
			}
		}
		if !covered && terraform.HasConfig(filepath.Join(root, d)) {
			f.terraform = append(f.terraform, d)
		}
	}
	sort.Strings(f.terraform)
	return f, nil
}

func isKubeManifest(p string) bool {
	file, err := os.Open(p)
	if err != nil {
		return false
	}
	defer file.Close()
	var api, kind bool
	sc := bufio.NewScanner(file)
	for n := 0; sc.Scan() && n < 200; n++ {
		l := sc.Text()
		api = api || strings.HasPrefix(l, "apiVersion:")
		kind = kind || strings.HasPrefix(l, "kind:")
	}
	return api && kind
}

func configYAML(f *found) string {
	var b strings.Builder
	b.WriteString(`# opsmcp policy, written by opsmcp init. Relative paths are relative to this file.
# Reference: README.md "Safety model".

# read-only: only read tools are listed.
# plan (default): mutating tools plan or dry-run and say how to enable apply.
# apply: mutations allowed inside the allowlists below.
mode: plan

# Shared memory of plans, applies and notes (a SQLite file; postgres:// in a later release).
# memory: ~/.local/state/opsmcp/memory.db

terraform:
  # binary: terraform        # else OPSMCP_TERRAFORM, else terraform or tofu on PATH
  # Only these directories (and below) may be planned and applied.
`)
	if len(f.terraform) == 0 {
		b.WriteString("  workspaces: []           # none found; add your Terraform directories\n")
	} else {
		b.WriteString("  workspaces:\n")
		for _, d := range f.terraform {
			fmt.Fprintf(&b, "    - %s\n", yamlPath(d))
		}
	}
	b.WriteString("  plan_ttl: 1h             # a plan must be applied within this time\n")
	b.WriteString("  # provider_mirror: /opt/tf-plugins   # providers for validating directories that are not ours\n\n")
	b.WriteString(`# Every path a tool reads must lie under these (symlinks resolved); default:
# this file's directory and every workspace.
# read_paths: [.]
limits:
  max_input_bytes: 16777216      # the most one file a tool reads may hold
  # heavy_calls: 2               # validations and estimates at once (default: CPUs)

`)
	b.WriteString(`kubernetes:
  # kubeconfig: ~/.kube/config   # else KUBECONFIG, else ~/.kube/config, else in-cluster
  contexts: []                   # allowlist; empty = the current context only
  namespaces: []                 # allowlist; empty = all

`)
	b.WriteString(`cost:
  # region: us-east-1            # for resources that name no region, and Kubernetes pods
  # usage_file: usage.yml        # usage assumptions per resource (infracost's resource_usage shape)
  kubernetes:
    pricing: node                # node | eks-fargate | gke-autopilot
    node_type: aws:m5.large      # node pricing: pods pay their share of this node
    nodes: 3                     # DaemonSets run one pod per node

`)
	b.WriteString("tools:\n  allow: []               # empty = all tools of the mode\n  deny: []\n")
	fmt.Fprintf(&b, "  # The groups of tools MCP clients are offered (--toolsets on a server overrides it):\n"+
		"  # %s; all; default (%s).\n  # toolsets: [default, helm, github]\n", strings.Join(config.Toolsets, ", "), strings.Join(config.DefaultToolsets, ", "))
	if len(f.kubernetes) > 0 || len(f.docker) > 0 {
		b.WriteString("\n# Also found (deploy_kubernetes and validate_deployment take these):\n")
		for _, k := range f.kubernetes {
			fmt.Fprintf(&b, "#   kubernetes manifest: %s\n", k)
		}
		for _, d := range f.docker {
			fmt.Fprintf(&b, "#   Dockerfile: %s\n", d)
		}
	}
	return b.String()
}

func yamlPath(rel string) string {
	if rel == "." {
		return "."
	}
	return "./" + filepath.ToSlash(rel)
}
