package terraform

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// LocalModule is a module call whose source is a local directory.
type LocalModule struct {
	// Address is the call's path from the root: module.net.module.subnets.
	Address string
	// Source is as written (../modules/net); Dir is where it resolves.
	Source, Dir string
}

var (
	moduleSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "module", LabelNames: []string{"name"}}}}
	sourceSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source"}}}
)

// maxModuleDepth stops a module that calls itself through others.
const maxModuleDepth = 16

// LocalModules lists, recursively, every module call of the configuration
// in dir whose source is a local path (./ or ../), with the directory it
// resolves to (symlinks resolved). Files are read under g's rule; a file
// that cannot be parsed is terraform's to report and is passed over here.
func LocalModules(g *fsguard.Guard, dir string) ([]LocalModule, error) {
	var out []LocalModule
	seen := map[string]bool{}
	var walk func(dir, prefix string, depth int) error
	walk = func(dir, prefix string, depth int) error {
		if depth > maxModuleDepth {
			return fmt.Errorf("%s: modules nested more than %d deep", strings.TrimSuffix(prefix, "."), maxModuleDepth)
		}
		calls, err := moduleCalls(g, dir)
		if err != nil {
			return err
		}
		for _, c := range calls {
			if !strings.HasPrefix(c.source, "./") && !strings.HasPrefix(c.source, "../") {
				continue // a registry or remote module: terraform fetches it
			}
			m := LocalModule{Address: prefix + "module." + c.name, Source: c.source,
				Dir: CanonicalPath(filepath.Join(dir, filepath.FromSlash(c.source)))}
			out = append(out, m)
			if seen[m.Address] {
				continue
			}
			seen[m.Address] = true
			if g.Allowed(m.Dir) {
				if err := walk(m.Dir, m.Address+".", depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(dir, "", 0); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

type moduleCall struct{ name, source string }

func moduleCalls(g *fsguard.Guard, dir string) ([]moduleCall, error) {
	var calls []moduleCall
	err := eachConfigFile(g, dir, func(file *hcl.File) {
		content, _, _ := file.Body.PartialContent(moduleSchema)
		for _, b := range content.Blocks {
			attrs, _, _ := b.Body.PartialContent(sourceSchema)
			a, ok := attrs.Attributes["source"]
			if !ok {
				continue
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
				continue
			}
			calls = append(calls, moduleCall{name: b.Labels[0], source: v.AsString()})
		}
	})
	return calls, err
}

// eachConfigFile parses the *.tf and *.tf.json files of one module
// directory under g's rule; a file that does not parse is terraform's to
// report and is passed over.
func eachConfigFile(g *fsguard.Guard, dir string, fn func(*hcl.File)) error {
	p := hclparse.NewParser()
	files := append(g.Glob(dir, "*.tf"), g.Glob(dir, "*.tf.json")...)
	sort.Strings(files)
	for _, f := range files {
		src, err := g.ReadFile(f)
		if err != nil {
			return err
		}
		var file *hcl.File
		if strings.HasSuffix(f, ".json") {
			file, _ = p.ParseJSON(src, f)
		} else {
			file, _ = p.ParseHCL(src, f)
		}
		if file != nil {
			fn(file)
		}
	}
	return nil
}

var (
	variableSchema  = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "variable", LabelNames: []string{"name"}}}}
	sensitiveSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "sensitive"}}}
)

// SensitiveVariables names the root module's variables declared
// sensitive = true, read from the configuration before terraform runs, so
// that their values are masked even when a plan fails early.
func SensitiveVariables(g *fsguard.Guard, dir string) []string {
	var names []string
	_ = eachConfigFile(g, dir, func(file *hcl.File) {
		content, _, _ := file.Body.PartialContent(variableSchema)
		for _, b := range content.Blocks {
			attrs, _, _ := b.Body.PartialContent(sensitiveSchema)
			a, ok := attrs.Attributes["sensitive"]
			if !ok {
				continue
			}
			if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() && v.True() {
				names = append(names, b.Labels[0])
			}
		}
	})
	sort.Strings(names)
	return names
}
