package cost

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// Workspace is a Terraform configuration read without terraform: its
// resources with count and for_each expanded over what is known, and what
// could not be resolved.
type Workspace struct {
	Resources  []Resource
	Unresolved []string
	files      *fsguard.Guard
}

// ParseWorkspace reads the *.tf files of dir with hcl/v2: variable
// defaults, terraform.tfvars, *.auto.tfvars and varFiles (later wins),
// locals, provider regions, resources with count and for_each over known
// collections, and local modules. References to other resources, data
// sources and unknown functions make a value unknown, and say so; one to
// a resource keeps its address (Unknown.Ref) for the mappers that price
// what it declares.
func ParseWorkspace(g *fsguard.Guard, dir string, varFiles []string) (*Workspace, error) {
	w := &Workspace{files: g}
	_, st, err := g.Resolve(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if len(g.Glob(dir, "*.tf")) == 0 {
		return nil, fmt.Errorf("%s has no *.tf files", dir)
	}
	vars, err := rootVarFiles(g, dir, varFiles)
	if err != nil {
		return nil, err
	}
	if err := w.module(dir, "", vars, nil, 0); err != nil {
		return nil, err
	}
	sort.Slice(w.Resources, func(i, j int) bool { return w.Resources[i].Address < w.Resources[j].Address })
	sort.Strings(w.Unresolved)
	return w, nil
}

// rootVarFiles reads terraform.tfvars(.json), *.auto.tfvars(.json) and the
// given files, in Terraform's order.
func rootVarFiles(g *fsguard.Guard, dir string, extra []string) (map[string]cty.Value, error) {
	var files []string
	for _, f := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		files = append(files, g.Glob(dir, f)...)
	}
	auto := append(g.Glob(dir, "*.auto.tfvars"), g.Glob(dir, "*.auto.tfvars.json")...)
	sort.Strings(auto)
	files = append(append(files, auto...), extra...)
	vals := map[string]cty.Value{}
	for _, f := range files {
		src, err := g.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var file *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(f, ".json") {
			file, diags = parseJSONVars(src, f)
		} else {
			file, diags = hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: %s", f, diags.Error())
		}
		attrs, diags := file.Body.JustAttributes()
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: %s", f, diags.Error())
		}
		for name, a := range attrs {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				return nil, fmt.Errorf("%s: %s", f, diags.Error())
			}
			vals[name] = v
		}
	}
	return vals, nil
}

func parseJSONVars(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	ty, err := ctyjson.ImpliedType(src)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: err.Error()}}
	}
	v, err := ctyjson.Unmarshal(src, ty)
	if err != nil || !v.Type().IsObjectType() {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: fmt.Sprintf("%s: not a JSON object of variables", name)}}
	}
	attrs := map[string]hclsyntax.Expression{}
	for k, x := range v.AsValueMap() {
		attrs[k] = &hclsyntax.LiteralValueExpr{Val: x}
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	for k, e := range attrs {
		body.Attributes[k] = &hclsyntax.Attribute{Name: k, Expr: e}
	}
	return &hcl.File{Body: body}, nil
}

// functions are the Terraform functions cty implements; a call to any
// other makes its value unknown.
var functions = map[string]function.Function{
	"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
	"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
	"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc,
	"join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
	"replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
	"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
	"trimspace": stdlib.TrimSpaceFunc, "upper": stdlib.UpperFunc,
	"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
	"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
	"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc,
	"lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc, "range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
	"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
	"setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc,
	"zipmap": stdlib.ZipmapFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
	"csvdecode": stdlib.CSVDecodeFunc, "tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
	"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
}

// maxModuleDepth stops a module that (through others) calls itself.
const maxModuleDepth = 8

// module reads one module directory: prefix is its address ("module.net."),
// inputs its variables' values from the caller.
func (w *Workspace) module(dir, prefix string, inputs map[string]cty.Value, parentRegions map[string]string, depth int) error {
	if depth > maxModuleDepth {
		w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: modules nested more than %d deep are not followed", strings.TrimSuffix(prefix, "."), maxModuleDepth))
		return nil
	}
	if !w.files.Allowed(dir) {
		w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: the module's source is outside read_paths and was not read", strings.TrimSuffix(prefix, ".")))
		return nil
	}
	files := w.files.Glob(dir, "*.tf")
	sort.Strings(files)
	var bodies []*hclsyntax.Body
	for _, f := range files {
		src, err := w.files.ReadFile(f)
		if err != nil {
			return err
		}
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		if diags.HasErrors() {
			return fmt.Errorf("%s", diags.Error())
		}
		bodies = append(bodies, file.Body.(*hclsyntax.Body))
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions}
	// Anything that names a resource, data source or module output is
	// unknown before apply.
	ctx.Variables["data"] = cty.DynamicVal
	ctx.Variables["module"] = cty.DynamicVal
	ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(dir), "root": cty.StringVal(dir), "cwd": cty.StringVal(dir)})
	ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
	vars := map[string]cty.Value{}
	var localBlocks []*hclsyntax.Attribute
	var resources, modules, providers []*hclsyntax.Block
	for _, b := range bodies {
		for _, blk := range b.Blocks {
			switch blk.Type {
			case "variable":
				name := blk.Labels[0]
				v := cty.DynamicVal
				if d, ok := blk.Body.Attributes["default"]; ok {
					if dv, diags := d.Expr.Value(nil); !diags.HasErrors() {
						v = dv
					}
				}
				if in, ok := inputs[name]; ok {
					v = in
				}
				if v == cty.DynamicVal {
					w.Unresolved = append(w.Unresolved, fmt.Sprintf("var.%s%s has no default and no value in a tfvars file", name, inModule(prefix)))
				}
				vars[name] = v
			case "locals":
				for _, a := range blk.Body.Attributes {
					localBlocks = append(localBlocks, a)
				}
			case "resource":
				resources = append(resources, blk)
				ctx.Variables[blk.Labels[0]] = cty.DynamicVal
			case "module":
				modules = append(modules, blk)
			case "provider":
				providers = append(providers, blk)
			}
		}
	}
	ctx.Variables["var"] = cty.ObjectVal(vars)
	// Locals may refer to each other: evaluate until nothing changes.
	locals := map[string]cty.Value{}
	for range len(localBlocks) + 1 {
		ctx.Variables["local"] = cty.ObjectVal(locals)
		changed := false
		for _, a := range localBlocks {
			v, diags := a.Expr.Value(ctx)
			if diags.HasErrors() {
				v = cty.DynamicVal
			}
			if old, ok := locals[a.Name]; !ok || !old.RawEquals(v) {
				locals[a.Name], changed = v, true
			}
		}
		if !changed {
			break
		}
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)

	regions := map[string]string{}
	for k, v := range parentRegions {
		regions[k] = v
	}
	for _, p := range providers {
		key := p.Labels[0]
		if a, ok := p.Body.Attributes["alias"]; ok {
			if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String {
				key += "." + v.AsString()
			}
		}
		for _, attr := range []string{"region", "zone"} {
			a, ok := p.Body.Attributes[attr]
			if !ok {
				continue
			}
			v, diags := a.Expr.Value(ctx)
			if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || v.Type() != cty.String {
				w.Unresolved = append(w.Unresolved, fmt.Sprintf("provider %q%s: %s could not be resolved", key, inModule(prefix), attr))
				continue
			}
			r := v.AsString()
			if p.Labels[0] == "google" {
				r = gcpRegionOf(map[string]any{"zone": r})
			}
			regions[key] = r
			break
		}
	}

	for _, blk := range resources {
		w.resource(ctx, blk, prefix, regions)
	}
	for _, m := range modules {
		name := m.Labels[0]
		addr := prefix + "module." + name
		src, _ := staticString(m.Body.Attributes["source"])
		if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
			w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: module source %q is not local and was not estimated (estimate a plan to include it)", addr, src))
			continue
		}
		if _, ok := m.Body.Attributes["count"]; ok {
			w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: modules with count are estimated once", addr))
		}
		if _, ok := m.Body.Attributes["for_each"]; ok {
			w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: modules with for_each are estimated once", addr))
		}
		in := map[string]cty.Value{}
		for n, a := range m.Body.Attributes {
			switch n {
			case "source", "version", "count", "for_each", "providers", "depends_on":
				continue
			}
			v, diags := a.Expr.Value(ctx)
			if diags.HasErrors() {
				v = cty.DynamicVal
			}
			in[n] = v
		}
		if err := w.module(filepath.Join(dir, src), addr+".", in, regions, depth+1); err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
	}
	return nil
}

func inModule(prefix string) string {
	if prefix == "" {
		return ""
	}
	return " (in " + strings.TrimSuffix(prefix, ".") + ")"
}

func staticString(a *hclsyntax.Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() {
		return "", false
	}
	return v.AsString(), true
}

// resource expands one resource block into its instances.
func (w *Workspace) resource(ctx *hcl.EvalContext, blk *hclsyntax.Block, prefix string, regions map[string]string) {
	if len(blk.Labels) != 2 {
		return
	}
	typ, name := blk.Labels[0], blk.Labels[1]
	addr := prefix + typ + "." + name
	providerKey := strings.SplitN(typ, "_", 2)[0]
	if a, ok := blk.Body.Attributes["provider"]; ok {
		if tr, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() && len(tr) == 2 {
			if attr, ok := tr[1].(hcl.TraverseAttr); ok {
				providerKey = tr.RootName() + "." + attr.Name
			}
		}
	}
	region := regions[providerKey]
	emit := func(address string, c *hcl.EvalContext) {
		w.Resources = append(w.Resources, Resource{Address: address, Type: typ, Region: region, Count: 1, Attributes: w.body(c, blk.Body, prefix, true)})
	}
	if a, ok := blk.Body.Attributes["count"]; ok {
		v, diags := a.Expr.Value(ctx)
		n, ok := countOf(v, diags)
		if !ok {
			w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: count could not be resolved; estimated as 1 instance", addr))
			n = 1
		}
		for i := range n {
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})}
			emit(fmt.Sprintf("%s[%d]", addr, i), c)
		}
		return
	}
	if a, ok := blk.Body.Attributes["for_each"]; ok {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType() || v.Type().IsSetType()) {
			w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: for_each could not be resolved; estimated as 1 instance", addr))
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})}
			emit(addr+"[*]", c)
			return
		}
		var keys []string
		elems := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if v.Type().IsSetType() {
				if k.Type() != cty.String {
					w.Unresolved = append(w.Unresolved, fmt.Sprintf("%s: for_each over a set of non-strings", addr))
					return
				}
				val = k
			}
			ks := k.AsString()
			keys = append(keys, ks)
			elems[ks] = val
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k), "value": elems[k]})}
			emit(fmt.Sprintf("%s[%q]", addr, k), c)
		}
		return
	}
	emit(addr, ctx)
}

func countOf(v cty.Value, diags hcl.Diagnostics) (int, bool) {
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if acc != 0 || n < 0 || n > 100_000 {
		return 0, false
	}
	return int(n), true
}

// body evaluates a resource body's attributes and nested blocks into the
// shape a plan's JSON has (blocks as lists of objects). An unknown value
// that another resource of the module (at prefix) gives says which.
func (w *Workspace) body(ctx *hcl.EvalContext, b *hclsyntax.Body, prefix string, resource bool) map[string]any {
	out := map[string]any{}
	for name, a := range b.Attributes {
		switch name {
		case "count", "for_each", "provider", "depends_on":
			if resource {
				continue // meta-arguments; in a nested block, "count" is an attribute (a GPU count)
			}
		}
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			out[name] = Unknown{Why: strings.TrimSpace(diags[0].Summary), Ref: refFromHCL(a.Expr, prefix)}
			continue
		}
		out[name] = goValue(v)
		if u, ok := out[name].(Unknown); ok {
			u.Ref = refFromHCL(a.Expr, prefix)
			out[name] = u
		}
	}
	for _, blk := range b.Blocks {
		switch blk.Type {
		case "lifecycle", "provisioner", "connection":
			if resource {
				continue
			}
		case "dynamic":
			if len(blk.Labels) == 1 {
				out[blk.Labels[0]] = Unknown{Why: "a dynamic block"}
			}
			continue
		}
		list, _ := out[blk.Type].([]any)
		out[blk.Type] = append(list, w.body(ctx, blk.Body, prefix, false))
	}
	return out
}

// goValue converts a cty value to the JSON-like Go values the mappers read.
func goValue(v cty.Value) any {
	if v.IsNull() {
		return nil
	}
	if !v.IsKnown() {
		return Unknown{Why: "refers to something known only after apply"}
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Bool:
		return v.True()
	case t == cty.Number:
		// The shortest decimal that round-trips: "0.1", not its binary expansion.
		d, err := ParseDec(v.AsBigFloat().Text('f', -1))
		if err != nil {
			return Unknown{Why: "a number out of range"}
		}
		return d
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, goValue(e))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = goValue(e)
		}
		return out
	}
	return Unknown{Why: "an unsupported value type"}
}
