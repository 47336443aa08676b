package cost

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
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
type Unknown struct {
	Why string
	Ref string // the address of the resource it comes from, when one is named
}

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
	// Usage are the usage keys pricing read for the resource.
	Usage          []UsageKey `json:"usage,omitempty"`
	monthly, prior Dec
}

// UsageKey is a usage value a resource's price depends on.
type UsageKey struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	// Type is number or string.
	Type  string `json:"type"`
	Given bool   `json:"given"`
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
	// Today is the date support calendars are read on (EKS extended
	// support); zero means today.
	Today time.Time
	// Live, when set, prices what the catalog lacks from a cloud's own
	// price API (with the environment's credentials).
	Live PriceLookup
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
	// usageRead are the usage keys read; unresolved the components left
	// out for a wrong usage value.
	usageRead  []UsageKey
	unresolved []string
	// spot: capacity that can be taken back, priced at on-demand rates
	// with no discount for sustained use.
	spot bool
	// monthlyHours is how long an instance runs a month (usage
	// monthly_hrs); zero means all month.
	monthlyHours Dec
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
	// scaling are Application Auto Scaling targets by resource id and
	// dimension ("table/orders" "dynamodb:table:WriteCapacityUnits").
	scaling map[[2]string]*Resource
	// live memoises live lookups by key: a 10,000-resource plan asks
	// for the same missing price once.
	live map[string]liveAnswer
	// resources are the resources being priced by address, for those
	// one takes values from (a node group's launch template); byName
	// indexes them by type and name attribute, when first asked.
	resources   map[string]*Resource
	byName      map[[2]string]*Resource
	autoscalers map[string]*Resource // by the instance group they target
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
	if opts.Today.IsZero() {
		opts.Today = time.Now().UTC()
	}
	// Pricing fills in regions and counts: on copies, so an input can be
	// estimated again with other options.
	planned = slices.Clone(planned)
	if prior != nil {
		prior = slices.Clone(prior)
	}
	e := &engine{opts: opts, cat: opts.Catalog, hours: Int(int64(opts.DurationHours)), regions: map[string]map[string]bool{}, seen: map[string]int{},
		scaling: scalingTargets(planned), resources: resourceIndex(planned)}
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
		e.resources, e.byName, e.autoscalers = resourceIndex(prior), nil, nil
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
		case !e.regions[prov][r.Region] && r.Region != "" && (e.opts.Live == nil || !e.opts.Live.Covers(prov)):
			c.problem = fmt.Sprintf("unknown %s region %q (priced regions: %s)", strings.ToUpper(prov), r.Region, strings.Join(e.cat.Regions(prov), ", "))
		}
	}
	if c.problem == "" {
		m(c)
	}
	rc := &ResourceCost{Address: r.Address, Type: r.Type, Region: r.Region, Count: n, Components: c.comps, Notes: c.notes, Usage: c.usageRead}
	if est != nil {
		est.Unresolved = append(est.Unresolved, c.unresolved...)
		for _, k := range e.opts.Usage.given(r) {
			if !slices.ContainsFunc(c.usageRead, func(u UsageKey) bool { return u.Key == k || strings.HasPrefix(u.Key, k+".") }) {
				rc.Notes = append(rc.Notes, fmt.Sprintf("usage key %s is not one opsmcp reads for %s; it is ignored", k, r.Type))
			}
		}
	}
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
