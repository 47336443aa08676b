package cost

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	tfjson "github.com/hashicorp/terraform-json"
)

// References between resources. A value one resource takes from another
// (a node group's launch_template.id = aws_launch_template.lt.id) is not
// known before apply, but which resource it comes from is: the plan's
// configuration lists it, and the HCL names it. An Unknown keeps that
// address, so a mapper can price what the other resource declares.

// notResources are the roots of references that do not name a resource.
var notResources = map[string]bool{"var": true, "local": true, "data": true, "module": true, "path": true,
	"terraform": true, "count": true, "each": true, "self": true}

// refFromPlan picks, of a plan expression's references ("aws_launch_template.lt[0].id",
// "aws_launch_template.lt[0]", "aws_launch_template.lt"), the address of the
// resource instance it names, in the module at prefix ("module.eks." or "").
func refFromPlan(refs []string, prefix string) string {
	best := ""
	for _, ref := range refs {
		typ, rest, ok := strings.Cut(ref, ".")
		if !ok || notResources[typ] {
			continue
		}
		name := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			name = rest[:i]
		}
		// An index may hold dots ("this[\"a.b\"]"): keep it whole.
		if i := strings.IndexByte(rest, '['); i >= 0 && i < len(name) {
			if j := strings.IndexByte(rest[i:], ']'); j >= 0 {
				name = rest[:i+j+1]
			}
		}
		if addr := prefix + typ + "." + name; len(addr) > len(best) {
			best = addr // the one with an index is the instance
		}
	}
	return best
}

// refFromHCL is the address of the resource instance an expression names,
// in the module at prefix: the first traversal rooted at a resource type.
func refFromHCL(expr hcl.Expression, prefix string) string {
	for _, t := range expr.Variables() {
		if len(t) < 2 || notResources[t.RootName()] {
			continue
		}
		name, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		addr := prefix + t.RootName() + "." + name.Name
		if len(t) > 2 {
			if ix, ok := t[2].(hcl.TraverseIndex); ok && ix.Key.IsKnown() && !ix.Key.IsNull() {
				addr += indexString(ix)
			}
		}
		return addr
	}
	return ""
}

func indexString(ix hcl.TraverseIndex) string {
	if v, ok := goValue(ix.Key).(string); ok {
		return `["` + v + `"]`
	}
	if d, ok := goValue(ix.Key).(Dec); ok {
		return "[" + d.String() + "]"
	}
	return ""
}

// markReferences records, on the unknown values of after, which resource
// each comes from, by the resource's configuration expressions.
func markReferences(after map[string]any, exprs map[string]*tfjson.Expression, prefix string) {
	for k, e := range exprs {
		if e == nil || e.ExpressionData == nil {
			continue
		}
		if u, ok := after[k].(Unknown); ok && len(e.References) > 0 {
			u.Ref = refFromPlan(e.References, prefix)
			after[k] = u
		}
		list, _ := after[k].([]any)
		for i, nested := range e.NestedBlocks {
			if i < len(list) {
				if m, ok := list[i].(map[string]any); ok {
					markReferences(m, nested, prefix)
				}
			}
		}
	}
}

// referenced is the resource of type typ that v, an attribute's value,
// names: by the address an unknown value comes from, or, for a name known
// at plan time, the one of that type whose name (nameAttribute) it is.
func (c *costing) referenced(typ string, v any) *Resource {
	switch v := v.(type) {
	case Unknown:
		if r := c.e.resources[v.Ref]; r != nil && r.Type == typ {
			return r
		}
	case string:
		if c.e.byName == nil {
			c.e.byName = map[[2]string]*Resource{}
			for _, r := range c.e.resources {
				if name, ok := r.Attributes[nameAttribute(r.Type)].(string); ok {
					k := [2]string{r.Type, name}
					if o := c.e.byName[k]; o == nil || r.Address < o.Address {
						c.e.byName[k] = r
					}
				}
			}
		}
		return c.e.byName[[2]string{typ, v}]
	}
	return nil
}

// referencedOrOnly is referenced, or for a value known only after apply
// that names no resource (it comes through a local or variable, where a
// plan's references stop), the module's only resource of type typ; guessed
// says it was that, for a note.
func (c *costing) referencedOrOnly(typ string, v any) (r *Resource, guessed bool) {
	if r := c.referenced(typ, v); r != nil {
		return r, false
	}
	if u, ok := v.(Unknown); ok && u.Ref == "" {
		if r := c.onlyInModule(typ); r != nil {
			return r, true
		}
	}
	return nil, false
}

// onlyInModule is the one resource of type typ in the module the resource
// being priced is in (the same module instance), or nil when there is none
// or more than one.
func (c *costing) onlyInModule(typ string) *Resource {
	prefix := modulePrefix(c.r.Address, c.r.Type)
	var found *Resource
	for _, r := range c.e.resources {
		if r.Type == typ && modulePrefix(r.Address, r.Type) == prefix {
			if found != nil {
				return nil
			}
			found = r
		}
	}
	return found
}

// modulePrefix is the module part of a resource address ("module.a." of
// "module.a.aws_instance.x[0]"; "" in the root module).
func modulePrefix(addr, typ string) string {
	if strings.HasPrefix(addr, typ+".") {
		return ""
	}
	if i := strings.LastIndex(addr, "."+typ+"."); i >= 0 {
		return addr[:i+1]
	}
	return ""
}

// nameAttribute is the attribute that names a resource of type typ where
// another refers to it by name.
func nameAttribute(typ string) string {
	switch typ {
	case "aws_ecs_task_definition":
		return "family"
	case "aws_rds_cluster":
		return "cluster_identifier"
	}
	return "name"
}

// resourceIndex is the resources of one pass by address.
func resourceIndex(rs []Resource) map[string]*Resource {
	out := make(map[string]*Resource, len(rs))
	for i := range rs {
		out[rs[i].Address] = &rs[i]
	}
	return out
}
