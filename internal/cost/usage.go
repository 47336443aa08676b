package cost

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/redact"
)

// UsageFileVersion is the version of Infracost's usage file format that
// opsmcp reads and writes.
const UsageFileVersion = "0.1"

// Usage holds per-resource usage assumptions (requests, GB processed...)
// in Infracost's usage file format:
//
//	version: 0.1
//	resource_type_default_usage:    # every resource of a type
//	  aws_lambda_function:
//	    request_duration_ms: 200
//	resource_usage:
//	  aws_lambda_function.api:
//	    monthly_requests: 5000000
//	  aws_instance.web[*]:          # every instance of a count/for_each
//	    reserved_instance_type: standard
//	  aws_s3_bucket.*:              # every bucket
//	    storage_classes:
//	      standard: {storage_gb: 100}
//
// Values may be numbers, strings, nested maps and lists; each is checked
// when pricing reads it, so one wrong value leaves only the component it
// prices unresolved.
type Usage struct {
	byAddr map[string]map[string]any
	byType map[string]map[string]any
}

// ParseUsage reads a usage file (YAML or JSON): Infracost's format, or
// the address map itself.
func ParseUsage(data []byte) (*Usage, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("usage: %s", redact.ParserError(err))
	}
	_, hasRU := doc["resource_usage"]
	_, hasTD := doc["resource_type_default_usage"]
	if !hasRU && !hasTD {
		return UsageFrom(doc)
	}
	if v, ok := doc["version"]; ok {
		if s := fmt.Sprint(v); s != UsageFileVersion {
			return nil, fmt.Errorf("usage file version %s: opsmcp reads version %s", s, UsageFileVersion)
		}
	}
	for k := range doc {
		if k != "version" && k != "resource_usage" && k != "resource_type_default_usage" {
			return nil, fmt.Errorf("usage file: unknown top-level key %q (version, resource_type_default_usage, resource_usage)", k)
		}
	}
	ru, ok := doc["resource_usage"].(map[string]any)
	if !ok && doc["resource_usage"] != nil {
		return nil, fmt.Errorf("usage: resource_usage must map resource addresses to usage values")
	}
	u, err := UsageFrom(ru)
	if err != nil {
		return nil, err
	}
	if td := doc["resource_type_default_usage"]; td != nil {
		m, ok := td.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("usage: resource_type_default_usage must map resource types to usage values")
		}
		for typ, v := range m {
			vals, ok := v.(map[string]any)
			if !ok || !resourceType.MatchString(typ) {
				return nil, fmt.Errorf("usage: resource_type_default_usage.%s must be a resource type with an object of usage keys", typ)
			}
			u.byType[typ] = vals
		}
	}
	return u, nil
}

// UsageFile reads a usage file under g's rule.
func UsageFile(g *fsguard.Guard, path string) (*Usage, error) {
	data, err := g.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("usage file: %w", err)
	}
	return ParseUsage(data)
}

// usageAddress is the shape of a resource address, with infracost's [*]
// and type.* wildcards.
var usageAddress = regexp.MustCompile(`^(module\.[A-Za-z0-9_\-]+(\[[^\]]+\])?\.)*[A-Za-z][A-Za-z0-9_\-]*\.([A-Za-z_][A-Za-z0-9_\-]*(\[[^\]]+\])?|\*)$`)

var resourceType = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_\-]*$`)

// UsageFrom checks an address → {key: value} map.
func UsageFrom(m map[string]any) (*Usage, error) {
	u := &Usage{byAddr: map[string]map[string]any{}, byType: map[string]map[string]any{}}
	for addr, v := range m {
		if !usageAddress.MatchString(addr) {
			// Not named: a key that is no address may be anything at all
			// (a line of some other file).
			return nil, fmt.Errorf("usage: every key must be a resource address such as aws_instance.web, aws_instance.web[*] or aws_instance.*")
		}
		vals, ok := v.(map[string]any)
		if !ok && v != nil {
			return nil, fmt.Errorf("usage for %s must be an object of usage keys", addr)
		}
		u.byAddr[addr] = vals
	}
	return u, nil
}

// patterns a resource's usage may be given under, most specific first.
func usageKeys(r *Resource) []string {
	keys := []string{r.Address}
	if i := strings.IndexByte(r.Address, '['); i > 0 {
		keys = append(keys, r.Address[:i]+"[*]", r.Address[:i])
	}
	return append(keys, r.Type+".*")
}

// UsageValueError is a usage value of the wrong kind or range.
type UsageValueError struct {
	Address, Key string
	Value        any
	Want         string
}

func (e *UsageValueError) Error() string {
	v := fmt.Sprint(e.Value)
	if s, ok := e.Value.(string); ok {
		v = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("usage %s.%s is %s, not %s", e.Address, e.Key, v, e.Want)
}

// lookup finds key (a dotted path into nested maps: "storage_classes.standard.storage_gb")
// for r: its address, its [*] and bare forms, type.*, then the type's default.
func (u *Usage) lookup(r *Resource, key string) (any, bool) {
	if u == nil {
		return nil, false
	}
	maps := make([]map[string]any, 0, 5)
	for _, a := range usageKeys(r) {
		maps = append(maps, u.byAddr[a])
	}
	maps = append(maps, u.byType[r.Type])
	path := strings.Split(key, ".")
	for _, m := range maps {
		// A dotted key written flat (as opsmcp's own sync once did) is
		// the same key.
		if v, ok := m[key]; ok && len(path) > 1 && v != nil {
			return v, true
		}
		var cur any = m
		found := true
		for _, p := range path {
			mm, ok := cur.(map[string]any)
			if !ok {
				found = false
				break
			}
			if cur, ok = mm[p]; !ok {
				found = false
				break
			}
		}
		if found && cur != nil {
			return cur, true
		}
	}
	return nil, false
}

// number is a non-negative number given for key; an error says what is
// wrong with a value that is there.
func (u *Usage) number(r *Resource, key string) (Dec, bool, error) {
	v, ok := u.lookup(r, key)
	if !ok {
		return Dec{}, false, nil
	}
	switch v.(type) {
	case map[string]any, []any, bool:
		return Dec{}, false, &UsageValueError{r.Address, key, v, "a number"}
	}
	d, ok := numOf(v, Dec{})
	if !ok {
		return Dec{}, false, &UsageValueError{r.Address, key, v, "a number"}
	}
	if d.Sign() < 0 {
		return Dec{}, false, &UsageValueError{r.Address, key, v, "a number of zero or more"}
	}
	return d, true, nil
}

// text is a string given for key, one of allowed when allowed is given.
func (u *Usage) text(r *Resource, key string, allowed ...string) (string, bool, error) {
	v, ok := u.lookup(r, key)
	if !ok || v == "" { // "" is how a synced file leaves a string unset
		return "", false, nil
	}
	s, isString := v.(string)
	if !isString || (len(allowed) > 0 && !slices.Contains(allowed, s)) {
		want := "a string"
		if len(allowed) > 0 {
			want = "one of " + strings.Join(allowed, ", ")
		}
		return "", false, &UsageValueError{r.Address, key, v, want}
	}
	return s, true, nil
}

// given lists the top-level usage keys given for r, from every pattern.
func (u *Usage) given(r *Resource) []string {
	if u == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, a := range usageKeys(r) {
		for k := range u.byAddr[a] {
			seen[k] = true
		}
	}
	for k := range u.byType[r.Type] {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unused lists usage addresses that match none of the resources.
func (u *Usage) unused(resources []Resource) []string {
	matched := map[string]bool{}
	for i := range resources {
		for _, a := range usageKeys(&resources[i]) {
			matched[a] = true
		}
	}
	var out []string
	for a := range u.byAddr {
		if !matched[a] {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}
