package terraform

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// Scratch is a copy of a configuration that terraform may run in without
// touching, or executing anything from, the directory it was copied from.
type Scratch struct {
	// Dir is the copy of the configuration directory; Root the temporary
	// directory that holds it and the copies of its local modules.
	Dir, Root string
	// CLIConfig is the CLI configuration terraform runs with there.
	CLIConfig string
	origRoot  string
}

// scratchSkip are directories never copied: terraform's own state of a
// previous init (.terraform), the implicit local provider mirror
// (terraform.d) and what is not configuration.
var scratchSkip = map[string]bool{".terraform": true, "terraform.d": true, ".git": true, "node_modules": true}

// What a scratch copy may hold: past the first bounds only Terraform's own
// files are copied; past the second the directory is not validated.
const (
	fullCopyFiles, fullCopyBytes     = 2000, 64 << 20
	maxScratchFiles, maxScratchBytes = 20000, 256 << 20
)

var errScratchFull = errors.New("scratch copy full")

// terraformOwn are the files terraform reads itself: configuration,
// variables, the lock file, templates and saved plans.
func terraformOwn(name string) bool {
	return isConfigFile(name) || strings.HasSuffix(name, ".tpl") || strings.HasSuffix(name, ".tftpl") || strings.HasSuffix(name, ".tfplan")
}

// copyTrees copies the trees' regular files (only Terraform's own with
// onlyOwn) into the scratch root, keeping their layout under origRoot.
func (s *Scratch) copyTrees(g *fsguard.Guard, trees []string, onlyOwn bool) error {
	maxFiles, maxBytes := fullCopyFiles, int64(fullCopyBytes)
	if onlyOwn {
		maxFiles, maxBytes = maxScratchFiles, maxScratchBytes
	}
	files, bytes := 0, int64(0)
	for _, t := range trees {
		err := g.WalkFiles(t, func(dir string) bool { return scratchSkip[filepath.Base(dir)] }, func(p string) error {
			if onlyOwn && !terraformOwn(filepath.Base(p)) {
				return nil
			}
			data, err := g.ReadFile(p)
			var tooLarge *fsguard.TooLargeError
			if errors.As(err, &tooLarge) {
				return nil // not configuration terraform reads; the rest is checked
			}
			if err != nil {
				return err
			}
			files, bytes = files+1, bytes+int64(len(data))
			if files > maxFiles || bytes > maxBytes {
				return errScratchFull
			}
			dst := filepath.Join(s.Root, rel(s.origRoot, p))
			if !fsguard.Under(dst, s.Root) {
				return nil
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o600)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// NewScratch copies dir's configuration tree and the local modules it
// calls (each must be readable under g's rule) into a temporary directory,
// keeping their relative layout, without .terraform/ and terraform.d/.
// The CLI configuration it writes installs providers only from the
// registry, or from mirror when the server's configuration names one
// (a directory, or an https:// network mirror): never from an implicit
// local mirror a read directory could plant a binary in.
func NewScratch(g *fsguard.Guard, dir, mirror string) (*Scratch, error) {
	real, st, err := g.Resolve(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	mods, err := LocalModules(g, real)
	if err != nil {
		return nil, err
	}
	trees := []string{real}
	for _, m := range mods {
		if !g.Allowed(m.Dir) {
			return nil, &ModuleOutsideError{Module: m, Where: "read_paths"}
		}
		if _, _, err := g.Resolve(m.Dir); err != nil {
			continue // terraform init says the module is missing
		}
		trees = append(trees, m.Dir)
	}
	// A module inside another tree is copied with it.
	var roots []string
	for _, t := range trees {
		if !slices.ContainsFunc(roots, func(r string) bool { return fsguard.Under(t, r) }) {
			roots = append(roots, t)
		}
	}
	common := real
	for _, t := range roots[1:] {
		for !fsguard.Under(t, common) {
			common = filepath.Dir(common)
		}
	}
	root, err := os.MkdirTemp("", "opsmcp-tf-")
	if err != nil {
		return nil, err
	}
	s := &Scratch{Root: root, origRoot: common}
	s.Dir = filepath.Join(root, rel(common, real))
	// The whole tree when it is small (templates and files the
	// configuration reads come along); Terraform's own files when not (a
	// monorepo whose root is a module).
	err = s.copyTrees(g, roots, false)
	if errors.Is(err, errScratchFull) {
		if err = os.RemoveAll(root); err == nil {
			err = s.copyTrees(g, roots, true)
		}
	}
	if errors.Is(err, errScratchFull) {
		err = fmt.Errorf("%s holds more than %d Terraform files or %d MiB of them; validate a smaller directory", dir, maxScratchFiles, maxScratchBytes>>20)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		s.Close()
		return nil, err
	}
	s.CLIConfig = filepath.Join(root, ".opsmcp.tfrc")
	if err := os.WriteFile(s.CLIConfig, cliConfig(mirror), 0o600); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// cliConfig is the server's own CLI configuration (TF_CLI_CONFIG_FILE,
// else ~/.terraformrc: credentials, plugin cache) with an explicit
// provider_installation, which disables every implicit local mirror. An
// explicit block the server's configuration already has is kept, unless
// terraform.provider_mirror names the mirror.
func cliConfig(mirror string) []byte {
	own, hasInstall := operatorCLIConfig()
	if hasInstall && mirror == "" {
		return own
	}
	var b bytes.Buffer
	if !hasInstall {
		b.Write(own)
		b.WriteString("\n")
	}
	b.WriteString("provider_installation {\n")
	switch {
	case strings.HasPrefix(mirror, "https://"):
		fmt.Fprintf(&b, "  network_mirror {\n    url = %s\n  }\n", strconv.Quote(mirror))
	case mirror != "":
		// The mirror alone: with direct{} beside it terraform would ask
		// the registry for versions too.
		fmt.Fprintf(&b, "  filesystem_mirror {\n    path = %s\n  }\n", strconv.Quote(mirror))
	default:
		b.WriteString("  direct {}\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// operatorCLIConfig reads the CLI configuration terraform would use on its
// own, and says whether it has a provider_installation block.
func operatorCLIConfig() ([]byte, bool) {
	path := os.Getenv("TF_CLI_CONFIG_FILE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, false
		}
		path = filepath.Join(home, ".terraformrc")
	}
	src, err := fsguard.CommandLine(1 << 20).ReadFile(path)
	if err != nil {
		return nil, false
	}
	f, diags := hclparse.NewParser().ParseHCL(src, path)
	if diags.HasErrors() {
		return nil, false // terraform would refuse it too; ours alone is used
	}
	content, _, _ := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provider_installation"}}})
	return src, len(content.Blocks) > 0
}

// Original maps a path inside the scratch copy back to the directory it
// was copied from; other paths are returned as they are.
func (s *Scratch) Original(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.Dir, p)
	}
	if !fsguard.Under(p, s.Root) {
		return p
	}
	return filepath.Join(s.origRoot, rel(s.Root, p))
}

// Hide replaces the scratch directory's name in a message by the
// original's, so that terraform's messages name the user's files.
func (s *Scratch) Hide(msg string) string {
	msg = strings.ReplaceAll(msg, s.Dir, s.Original(s.Dir))
	return strings.ReplaceAll(msg, s.Root, s.origRoot)
}

// Close removes the copy.
func (s *Scratch) Close() error { return os.RemoveAll(s.Root) }

func rel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return filepath.Base(p)
	}
	return r
}

// ModuleOutsideError is a local module whose source resolves outside what
// may be read (read_paths) or planned (terraform.workspaces).
type ModuleOutsideError struct {
	Module LocalModule
	Where  string
}

func (e *ModuleOutsideError) Error() string {
	return fmt.Sprintf("%s (source %q) resolves to %s, which is outside %s in opsmcp.yaml", e.Module.Address, e.Module.Source, e.Module.Dir, e.Where)
}
