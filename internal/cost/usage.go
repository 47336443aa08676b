package cost

import (
	"fmt"
	"regexp"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/redact"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Usage holds per-resource usage assumptions (requests, GB processed...)
// by resource address, in the shape of infracost's usage file:
//
//	resource_usage:
//	  aws_lambda_function.api:
//	    monthly_requests: 5000000
//	  aws_instance.web[*]:          # every instance of a count/for_each
//	    monthly_data_transfer_out_gb: 200
//	  aws_nat_gateway.*:            # every NAT gateway
//	    monthly_data_processed_gb: 100
type Usage struct {
	byAddr map[string]map[string]any
}

// ParseUsage reads usage from YAML or JSON: either {resource_usage: {...}}
// or the address map itself.
func ParseUsage(data []byte) (*Usage, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("usage: %s", redact.ParserError(err))
	}
	if ru, ok := doc["resource_usage"]; ok {
		m, ok := ru.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("usage: resource_usage must map resource addresses to usage values")
		}
		doc = m
	}
	return UsageFrom(doc)
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

// UsageFrom checks an address → {key: number} map.
func UsageFrom(m map[string]any) (*Usage, error) {
	u := &Usage{byAddr: map[string]map[string]any{}}
	for addr, v := range m {
		if !usageAddress.MatchString(addr) {
			// Not named: a key that is no address may be anything at all
			// (a line of some other file).
			return nil, fmt.Errorf("usage: every key must be a resource address such as aws_instance.web, aws_instance.web[*] or aws_instance.*")
		}
		vals, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("usage for %s must be an object of usage keys", addr)
		}
		for k, x := range vals {
			d, ok := numOf(x, Dec{})
			if !ok {
				return nil, fmt.Errorf("usage %s.%s must be a number", addr, k)
			}
			if d.Sign() < 0 {
				return nil, fmt.Errorf("usage %s.%s must not be negative", addr, k)
			}
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

func (u *Usage) value(r *Resource, key string) (Dec, bool) {
	if u == nil {
		return Dec{}, false
	}
	for _, a := range usageKeys(r) {
		if v, ok := u.byAddr[a][key]; ok {
			d, _ := numOf(v, Dec{})
			return d, true
		}
	}
	return Dec{}, false
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
