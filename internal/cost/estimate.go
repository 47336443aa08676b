package cost

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// HoursPerMonth is the month the clouds price by (365 × 24 / 12).
const HoursPerMonth = 730

// Resource is one thing to price: a Terraform resource instance, a
// Kubernetes workload, or an entry of an inline list.
type Resource struct {
	Address    string         `json:"address,omitempty"`
	Type       string         `json:"type"`
	Region     string         `json:"region,omitempty"`
	Count      int            `json:"count,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Unknown stands for an attribute whose value is not known before apply
// (a plan's after_unknown, or a reference in HCL).
type Unknown struct{ Why string }

// Component is one priced line of a resource.
type Component struct {
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Quantity Dec    `json:"quantity"`
	// UnitPrice is exact; HourlyCost is the component's cost per hour.
	UnitPrice   Price  `json:"unit_price"`
	HourlyCost  Price  `json:"hourly_cost"`
	MonthlyCost Cents  `json:"monthly_cost"`
	UsageBased  bool   `json:"usage_based"`
	Assumption  string `json:"assumption,omitempty"`
	PriceSource string `json:"price_source"`
	PriceDate   string `json:"price_date"`
	monthly     Dec
}

// ResourceCost is a resource's components and total; for a plan, also
// what it cost before and the difference.
type ResourceCost struct {
	Address     string      `json:"address"`
	Type        string      `json:"type"`
	Region      string      `json:"region,omitempty"`
	Count       int         `json:"count"`
	MonthlyCost Cents       `json:"monthly_cost"`
	Components  []Component `json:"components"`
	// Action is the plan's change: create, update, delete, replace, no-op.
	Action           string   `json:"action,omitempty"`
	PriorMonthlyCost *Cents   `json:"prior_monthly_cost,omitempty"`
	DiffMonthlyCost  *Cents   `json:"diff_monthly_cost,omitempty"`
	Notes            []string `json:"notes,omitempty"`
	monthly, prior   Dec
}

// TypeCount is a resource type and how many resources of it.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Unpriced is a supported resource that could not be priced, and why.
type Unpriced struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Reason  string `json:"reason"`
}

// Estimate is the result of an estimate.
type Estimate struct {
	DurationHours    int            `json:"duration_hours"`
	TotalMonthlyCost Cents          `json:"total_monthly_cost"`
	PriorMonthlyCost *Cents         `json:"prior_monthly_cost,omitempty"`
	DiffMonthlyCost  *Cents         `json:"diff_monthly_cost,omitempty"`
	Resources        []ResourceCost `json:"resources"`
	// Unsupported resource types are not priced and not in the total.
	Unsupported []TypeCount `json:"unsupported"`
	Free        []TypeCount `json:"free"`
	// Unpriced resources are supported but lack a price or a value.
	Unpriced []Unpriced `json:"unpriced,omitempty"`
	// Unresolved is what the input did not let us know (HCL expressions,
	// modules, usage for absent resources).
	Unresolved  []string    `json:"unresolved,omitempty"`
	Prices      PriceSource `json:"prices"`
	total, prev Dec
	plan        bool
}

// PriceSource says which catalogs priced the estimate.
type PriceSource struct {
	Catalog     string `json:"catalog"`
	CatalogDate string `json:"catalog_date"`
	LiveCache   string `json:"live_cache,omitempty"`
	LiveDate    string `json:"live_date,omitempty"`
}

// Options control an estimate.
type Options struct {
	// DurationHours is the period "monthly" figures cover (default 730).
	DurationHours int
	// IncludeDataTransfer prices data transfer out when usage gives it.
	IncludeDataTransfer bool
	Usage               *Usage
	// Catalog is the price catalog (default: the embedded one).
	Catalog *Catalog
	// DefaultRegion prices resources that name no region (and Kubernetes
	// workloads).
	DefaultRegion string
	Kubernetes    KubePricing
}

// mapper prices one resource type.
type mapper func(c *costing)

// costing is one resource being priced.
type costing struct {
	e       *engine
	r       *Resource
	count   Dec
	comps   []Component
	notes   []string
	problem string // why it cannot be priced, when it cannot
}

type engine struct {
	opts    Options
	cat     *Catalog
	hours   Dec
	months  Dec                        // hours / 730
	regions map[string]map[string]bool // provider → region → known
	// seen counts by type and region, for prices that depend on how many
	// there are (forwarding rules).
	seen map[string]int
	// egress is internet egress GB by provider/region (dataOut).
	egress map[string]Dec
}

// EstimateResources prices planned resources; prior, when not nil, is what exists
// now (a plan's before): the estimate then has prior and diff figures.
func EstimateResources(planned []Resource, prior []Resource, actions map[string]string, opts Options) (*Estimate, error) {
	if opts.DurationHours == 0 {
		opts.DurationHours = HoursPerMonth
	}
	if opts.DurationHours < 0 {
		return nil, fmt.Errorf("duration_hours %d: must be positive", opts.DurationHours)
	}
	if opts.Catalog == nil {
		opts.Catalog = Embedded()
	}
	// Pricing fills in regions and counts: on copies, so an input can be
	// estimated again with other options.
	planned = slices.Clone(planned)
	if prior != nil {
		prior = slices.Clone(prior)
	}
	e := &engine{opts: opts, cat: opts.Catalog, hours: Int(int64(opts.DurationHours)), regions: map[string]map[string]bool{}, seen: map[string]int{}}
	e.months = e.hours.Div(Int(HoursPerMonth))
	for _, p := range []string{"aws", "gcp"} {
		e.regions[p] = map[string]bool{}
		for _, r := range e.cat.Regions(p) {
			e.regions[p][r] = true
		}
	}
	est := &Estimate{DurationHours: opts.DurationHours, Unsupported: []TypeCount{}, Free: []TypeCount{}, Resources: []ResourceCost{}}
	est.Prices = PriceSource{Catalog: Embedded().Source, CatalogDate: Embedded().Date}
	if opts.Catalog != Embedded() {
		est.Prices.LiveCache, est.Prices.LiveDate = opts.Catalog.Source, opts.Catalog.Date
	}
	for _, r := range append(append([]Resource(nil), planned...), prior...) {
		if r.Count < 0 {
			return nil, fmt.Errorf("%s: count %d is negative", orAddr(r), r.Count)
		}
	}
	unsupported, free := map[string]int{}, map[string]int{}
	priced := map[string]*ResourceCost{}
	var order []string
	for i := range planned {
		r := &planned[i]
		rc, ok := e.price(r, est, unsupported, free)
		if ok {
			priced[rc.Address] = rc
			order = append(order, rc.Address)
		}
	}
	for _, rc := range e.egressResources() {
		priced[rc.Address] = &rc
		order = append(order, rc.Address)
	}
	if prior != nil {
		est.plan = true
		e.seen, e.egress = map[string]int{}, nil
		var before []*ResourceCost
		for i := range prior {
			if rc, ok := e.price(&prior[i], nil, map[string]int{}, map[string]int{}); ok {
				before = append(before, rc)
			}
		}
		for _, rc := range e.egressResources() {
			before = append(before, &rc)
		}
		for _, rc := range before {
			if cur, has := priced[rc.Address]; has {
				cur.prior = rc.monthly
			} else {
				// Deleted: nothing planned, all of it was before.
				gone := &ResourceCost{Address: rc.Address, Type: rc.Type, Region: rc.Region, Count: rc.Count, Components: []Component{}, prior: rc.monthly}
				priced[rc.Address] = gone
				order = append(order, rc.Address)
			}
		}
	}
	sort.Strings(order)
	for _, a := range order {
		rc := priced[a]
		rc.MonthlyCost = Cents(rc.monthly)
		if act, ok := actions[a]; ok {
			rc.Action = act
		}
		if est.plan {
			p, d := Cents(rc.prior), Cents(rc.monthly.Sub(rc.prior))
			rc.PriorMonthlyCost, rc.DiffMonthlyCost = &p, &d
			est.prev = est.prev.Add(rc.prior)
		}
		est.total = est.total.Add(rc.monthly)
		est.Resources = append(est.Resources, *rc)
	}
	est.TotalMonthlyCost = Cents(est.total)
	if est.plan {
		p, d := Cents(est.prev), Cents(est.total.Sub(est.prev))
		est.PriorMonthlyCost, est.DiffMonthlyCost = &p, &d
	}
	est.Unsupported, est.Free = typeCounts(unsupported), typeCounts(free)
	if opts.Usage != nil {
		for _, a := range opts.Usage.unused(planned) {
			est.Unresolved = append(est.Unresolved, fmt.Sprintf("usage is given for %s, which is not among the resources estimated", a))
		}
	}
	sort.Strings(est.Unresolved)
	return est, nil
}

func orAddr(r Resource) string {
	if r.Address != "" {
		return r.Address
	}
	return r.Type
}

func typeCounts(m map[string]int) []TypeCount {
	out := []TypeCount{}
	for t, n := range m {
		out = append(out, TypeCount{Type: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// price prices one resource. It returns false for free and unsupported
// types (counted in the maps) and for zero counts.
func (e *engine) price(r *Resource, est *Estimate, unsupported, free map[string]int) (*ResourceCost, bool) {
	if r.Count == 0 {
		r.Count = 1
	}
	n := r.Count
	if r.Address == "" {
		r.Address = r.Type
	}
	if r.Type == kubeType && r.Region == "" {
		r.Region = e.opts.DefaultRegion
	}
	if freeTypes[r.Type] || (strings.HasPrefix(r.Type, "kubernetes_") && r.Type != kubeType) {
		free[r.Type] += n
		return nil, false
	}
	m, ok := mappers[r.Type]
	if !ok {
		unsupported[r.Type] += n
		return nil, false
	}
	c := &costing{e: e, r: r, count: Int(int64(n))}
	if prov := providerOf(r.Type); prov != "" && !globalTypes[r.Type] {
		if r.Region == "" {
			r.Region = regionFromAttrs(prov, r.Attributes)
		}
		if r.Region == "" {
			r.Region = e.opts.DefaultRegion
		}
		switch {
		case r.Region == "" && prov == "aws":
			c.problem = "no region: set the provider's region, or the resource's region"
		case r.Region == "" && prov == "gcp":
			c.problem = "no region: set the provider's region, or the resource's zone or region"
		case !e.regions[prov][r.Region] && r.Region != "":
			c.problem = fmt.Sprintf("unknown %s region %q (priced regions: %s)", strings.ToUpper(prov), r.Region, strings.Join(e.cat.Regions(prov), ", "))
		}
	}
	if c.problem == "" {
		m(c)
	}
	rc := &ResourceCost{Address: r.Address, Type: r.Type, Region: r.Region, Count: n, Components: c.comps, Notes: c.notes}
	if rc.Components == nil {
		rc.Components = []Component{}
	}
	if c.problem != "" {
		// Never a silent $0: what cannot be priced is listed, and its
		// partial components are not counted.
		rc.Components = []Component{}
		if est != nil {
			est.Unpriced = append(est.Unpriced, Unpriced{Address: r.Address, Type: r.Type, Reason: c.problem})
		}
		rc.Notes = append(rc.Notes, "not priced: "+c.problem)
	}
	for _, comp := range rc.Components {
		rc.monthly = rc.monthly.Add(comp.monthly)
	}
	return rc, true
}

// regionFromAttrs finds a region in a resource's own attributes: a GCP
// region, zone or location; an AWS availability zone.
func regionFromAttrs(provider string, attrs map[string]any) string {
	if provider == "gcp" {
		return gcpRegionOf(attrs)
	}
	if az, ok := attrs["availability_zone"].(string); ok && len(az) > 1 {
		if last := az[len(az)-1]; last >= 'a' && last <= 'z' {
			return az[:len(az)-1]
		}
	}
	return ""
}

func providerOf(typ string) string {
	switch {
	case strings.HasPrefix(typ, "aws_"):
		return "aws"
	case strings.HasPrefix(typ, "google_"):
		return "gcp"
	}
	return ""
}

// fail marks the resource unpriceable, keeping the first reason.
func (c *costing) fail(format string, args ...any) {
	if c.problem == "" {
		c.problem = fmt.Sprintf(format, args...)
	}
}

func (c *costing) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// add prices qty units (for the whole duration, all instances) of key.
func (c *costing) add(name, key string, qty Dec, usage bool, assumption string) {
	p, ok := c.e.cat.Lookup(key)
	if !ok {
		c.fail("no price for %s (%s)", name, key)
		return
	}
	monthly := qty.Mul(p.USD)
	c.comps = append(c.comps, Component{Name: name, Unit: p.Unit, Quantity: qty, UnitPrice: Price(p.USD),
		HourlyCost: Price(monthly.Div(c.e.hours)), MonthlyCost: Cents(monthly), UsageBased: usage, Assumption: assumption,
		PriceSource: p.Source, PriceDate: p.Date, monthly: monthly})
}

// hourly prices per-hour units (instance hours) for every instance:
// hours × count × per.
func (c *costing) hourly(name, key string, per Dec) {
	c.add(name, key, c.e.hours.Mul(c.count).Mul(per), false, "")
}

// monthly prices a per-month quantity of each instance (GB-months, keys),
// prorated to the duration.
func (c *costing) monthly(name, key string, perInstance Dec) {
	c.add(name, key, perInstance.Mul(c.count).Mul(c.months()), false, "")
}

func (c *costing) months() Dec { return c.e.months }

// usage prices a usage-based quantity given per month per instance in the
// usage under usageKey (0 when not given, and the assumption says so),
// divided by per (1,000,000 for a per-1M price).
func (c *costing) usage(name, key, usageKey string, per Dec, what string) {
	v, given := c.e.opts.Usage.value(c.r, usageKey)
	assumption := fmt.Sprintf("%s %s per month (usage %s)", v.String(), what, usageKey)
	if !given {
		assumption = fmt.Sprintf("no usage given: 0 %s per month assumed; set usage %s.%s", what, c.r.Address, usageKey)
	}
	if per.IsZero() {
		per = Int(1)
	}
	c.add(name, key, v.Mul(c.count).Mul(c.months()).Div(per), true, assumption)
}

// key builds a price key in the resource's region.
func (c *costing) key(provider, service, item string) string {
	return provider + "/" + service + "/" + c.r.Region + "/" + item
}

// Attribute access. Plan JSON and HCL both give blocks as lists of objects.

func (c *costing) attr(name string) any { return c.r.Attributes[name] }

// str is a string attribute, "" when absent; an unknown value fails the
// resource when required.
func (c *costing) str(name string, required bool) string {
	switch v := c.attr(name).(type) {
	case string:
		return v
	case Unknown:
		if required {
			c.fail("%s is not known until apply%s", name, why(v))
		}
	case nil:
		if required {
			c.fail("%s is not set", name)
		}
	default:
		return fmt.Sprint(v)
	}
	return ""
}

func why(u Unknown) string {
	if u.Why == "" {
		return ""
	}
	return " (" + u.Why + ")"
}

// num is a numeric attribute or def; ok is false when it is unknown.
func (c *costing) num(name string, def Dec) (Dec, bool) {
	return numOf(c.attr(name), def)
}

func numOf(v any, def Dec) (Dec, bool) {
	switch v := v.(type) {
	case nil:
		return def, true
	case Unknown:
		return def, false
	case float64:
		return Float(v), true
	case int:
		return Int(int64(v)), true
	case int64:
		return Int(v), true
	case Dec:
		return v, true
	case string:
		if d, err := ParseDec(v); err == nil {
			return d, true
		}
	case interface{ String() string }:
		if d, err := ParseDec(v.String()); err == nil {
			return d, true
		}
	}
	return def, false
}

func (c *costing) boolean(name string) bool {
	switch v := c.attr(name).(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(v)
		return b
	}
	return false
}

// block is the first object of a nested block ("root_block_device").
func (c *costing) block(name string) map[string]any {
	return firstBlock(c.attr(name))
}

func firstBlock(v any) map[string]any {
	switch v := v.(type) {
	case []any:
		if len(v) > 0 {
			m, _ := v[0].(map[string]any)
			return m
		}
	case map[string]any:
		return v
	}
	return nil
}

func blocks(v any) []map[string]any {
	var out []map[string]any
	switch v := v.(type) {
	case []any:
		for _, b := range v {
			if m, ok := b.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, v)
	}
	return out
}

// Merge adds estimates of several inputs (workspaces) into one: resources,
// totals, and the unsupported, free, unpriced and unresolved lists. The
// result has prior and diff figures when any input had them; an input
// that is not a plan counts as unchanged (its resources have no prior).
func Merge(ests ...*Estimate) *Estimate {
	if len(ests) == 1 {
		return ests[0]
	}
	out := &Estimate{Resources: []ResourceCost{}, Unsupported: []TypeCount{}, Free: []TypeCount{}}
	var total, prior Dec
	plan := false
	unsupported, free := map[string]int{}, map[string]int{}
	for _, e := range ests {
		out.DurationHours = e.DurationHours
		out.Prices = e.Prices
		out.Resources = append(out.Resources, e.Resources...)
		out.Unpriced = append(out.Unpriced, e.Unpriced...)
		out.Unresolved = append(out.Unresolved, e.Unresolved...)
		total = total.Add(Dec(e.TotalMonthlyCost))
		if e.PriorMonthlyCost != nil {
			plan = true
			prior = prior.Add(Dec(*e.PriorMonthlyCost))
		} else {
			// Not a plan: as far as anyone knows, it costs what it did.
			prior = prior.Add(Dec(e.TotalMonthlyCost))
		}
		for _, t := range e.Unsupported {
			unsupported[t.Type] += t.Count
		}
		for _, t := range e.Free {
			free[t.Type] += t.Count
		}
	}
	out.TotalMonthlyCost = Cents(total)
	if plan {
		p, d := Cents(prior), Cents(total.Sub(prior))
		out.PriorMonthlyCost, out.DiffMonthlyCost = &p, &d
	}
	out.Unsupported, out.Free = typeCounts(unsupported), typeCounts(free)
	sort.Strings(out.Unresolved)
	return out
}
