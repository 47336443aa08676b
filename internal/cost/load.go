package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// Input is infrastructure read for pricing.
type Input struct {
	// Kind is plan, workspace, kubernetes or inline.
	Kind    string
	Planned []Resource
	// Prior is what exists before a plan (nil for anything but a plan).
	Prior      []Resource
	Actions    map[string]string
	Unresolved []string
}

// ErrBinaryPlan is returned for a saved plan file: it must be turned into
// JSON by `terraform show -json` first (the tool and CLI do that).
var ErrBinaryPlan = fmt.Errorf("a binary Terraform plan")

// Priceable reports whether path may hold something to price: a
// directory with Terraform or YAML files, or a .tf, .json, .yaml or .yml
// file. opsmcp ci --cost passes over the rest (a Dockerfile).
func Priceable(g *fsguard.Guard, path string) bool {
	_, st, err := g.Resolve(path)
	if err != nil {
		return true // Load says what is wrong
	}
	priceableFile := func(p string) bool {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".tf", ".json", ".yaml", ".yml":
			return true
		}
		return false
	}
	if !st.IsDir() {
		return priceableFile(path)
	}
	found := false
	hidden := func(dir string) bool { return strings.HasPrefix(filepath.Base(dir), ".") }
	g.WalkFiles(path, hidden, func(p string) error {
		if priceableFile(p) && filepath.Ext(p) != ".json" {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// Load reads a path under g's rule: a Terraform plan JSON, an inline
// resource list in a JSON file, a Terraform workspace directory, or
// Kubernetes manifests (a file, or a directory of them walked recursively).
func Load(g *fsguard.Guard, path string, varFiles []string) (*Input, error) {
	_, st, err := g.Resolve(path)
	if err != nil {
		return nil, fmt.Errorf("infrastructure: %w", err)
	}
	if st.IsDir() {
		if tf := g.Glob(path, "*.tf"); len(tf) > 0 {
			w, err := ParseWorkspace(g, path, varFiles)
			if err != nil {
				return nil, err
			}
			return &Input{Kind: "workspace", Planned: w.Resources, Unresolved: w.Unresolved}, nil
		}
		return loadManifestDir(g, path)
	}
	if strings.HasSuffix(path, ".tf") {
		return Load(g, filepath.Dir(path), varFiles)
	}
	data, err := g.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("infrastructure: %w", err)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, fmt.Errorf("%s is %w", path, ErrBinaryPlan)
	}
	trimmed := bytes.TrimSpace(data)
	if terraform.IsPlanJSON(trimmed) {
		return LoadPlanJSON(data)
	}
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var probe map[string]json.RawMessage
		if json.Unmarshal(trimmed, &probe) == nil {
			if _, ok := probe["terraform_version"]; ok {
				return nil, fmt.Errorf("%s is a Terraform state or a plan without format_version: give `terraform show -json PLANFILE`", path)
			}
			if _, ok := probe["resources"]; ok {
				res, err := ParseInline(data)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				return &Input{Kind: "inline", Planned: res}, nil
			}
		}
	}
	if !strings.Contains(string(data), "apiVersion") && !strings.Contains(string(data), "kind") {
		return nil, fmt.Errorf("%s is not a Terraform plan JSON, an inline resource list, a Terraform workspace or Kubernetes manifests", path)
	}
	res, err := ParseManifests(data, path)
	if err != nil {
		return nil, err
	}
	return &Input{Kind: "kubernetes", Planned: res}, nil
}

// LoadPlanJSON reads `terraform show -json` output.
func LoadPlanJSON(data []byte) (*Input, error) {
	p, err := ParsePlan(data)
	if err != nil {
		return nil, err
	}
	return &Input{Kind: "plan", Planned: p.Planned, Prior: p.Prior, Actions: p.Actions}, nil
}

// LoadPlan reads a plan terraform-exec has already decoded (apply_terraform
// has one in hand), without encoding it again; unknown values are marked in
// the plan's after maps.
func LoadPlan(p *tfjson.Plan) *Input {
	pi := planInputOf(p)
	return &Input{Kind: "plan", Planned: pi.Planned, Prior: pi.Prior, Actions: pi.Actions}
}

func loadManifestDir(g *fsguard.Guard, dir string) (*Input, error) {
	var files []string
	hidden := func(dir string) bool { return strings.HasPrefix(filepath.Base(dir), ".") }
	err := g.WalkFiles(dir, hidden, func(p string) error {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s has no Terraform configuration (*.tf) and no Kubernetes manifests (*.yaml)", dir)
	}
	sort.Strings(files)
	in := &Input{Kind: "kubernetes"}
	for _, f := range files {
		data, err := g.ReadFile(f)
		if err != nil {
			return nil, err
		}
		res, err := ParseManifests(data, f)
		if err != nil {
			return nil, err
		}
		in.Planned = append(in.Planned, res...)
	}
	return in, nil
}

// Estimate prices the input.
func (in *Input) Estimate(opts Options) (*Estimate, error) {
	est, err := EstimateResources(in.Planned, in.Prior, in.Actions, opts)
	if err != nil {
		return nil, err
	}
	est.Unresolved = append(est.Unresolved, in.Unresolved...)
	sort.Strings(est.Unresolved)
	return est, nil
}
