package cost

// Compute Engine and GKE: machine types, sustained use, GPUs, disks and
// node pools.

import (
	"fmt"
	"strconv"
	"strings"
)

// machine is a Compute Engine machine type's family, vCPUs and memory (GB),
// or its shared-core price key.
type machine struct {
	family, shared string
	vcpus, memGB   Dec
	// custom: a custom machine type of N1, N2 or N2D, billed at the
	// family's custom rates; extGB of its memory beyond the family's
	// most per vCPU is extended memory, at its own rate.
	custom bool
	extGB  Dec
}

// customMaxGBPerVCPU is the memory a custom machine type may have per
// vCPU before the rest is extended memory.
var customMaxGBPerVCPU = map[string]string{"n1": "6.5", "n2": "8", "n2d": "8"}

// memPerVCPU: GB per vCPU of the predefined shapes.
var memPerVCPU = map[string]map[string]string{
	"e2":  {"standard": "4", "highmem": "8", "highcpu": "1"},
	"n2":  {"standard": "4", "highmem": "8", "highcpu": "1"},
	"n2d": {"standard": "4", "highmem": "8", "highcpu": "1"},
	"c3":  {"standard": "4", "highmem": "8", "highcpu": "2"},
	"t2d": {"standard": "4"},
	"n1":  {"standard": "3.75", "highmem": "6.5", "highcpu": "0.9"},
	"c2":  {"standard": "4"},
}

// sustainedUse are the families Compute Engine discounts for running
// much of a month, with the rate of each quarter of the month: the first
// quarter at the full price, later quarters cheaper.
var sustainedUse = map[string][4]string{
	"n1": {"1", "0.8", "0.6", "0.4"},
	"n2": {"1", "0.8678", "0.733", "0.6"}, "n2d": {"1", "0.8678", "0.733", "0.6"}, "c2": {"1", "0.8678", "0.733", "0.6"},
}

// sustainedUseDiscount is the share of the list price taken off a
// family's vCPU and memory when each instance runs hours a month (the
// estimate's duration, up to a month); zero for families without one.
func sustainedUseDiscount(family string, hours Dec) Dec {
	rates, ok := sustainedUse[family]
	if !ok {
		return Dec{}
	}
	used := hours.Div(Int(HoursPerMonth)).Min(Int(1))
	quarter := D("0.25")
	var paid Dec
	for i, r := range rates {
		in := used.Sub(quarter.Mul(Int(int64(i)))).Min(quarter)
		if in.Sign() <= 0 {
			break
		}
		paid = paid.Add(in.Mul(D(r)))
	}
	return Int(1).Sub(paid.Div(used))
}

func parseMachine(mt string) (machine, error) {
	switch mt {
	case "e2-micro", "e2-small", "e2-medium", "f1-micro", "g1-small":
		return machine{shared: mt}, nil
	}
	parts := strings.Split(mt, "-")
	if parts[0] == "custom" { // N1's custom types have no family prefix
		parts = append([]string{"n1"}, parts...)
	}
	if (len(parts) == 4 || (len(parts) == 5 && parts[4] == "ext")) && parts[1] == "custom" {
		cpus, err1 := strconv.Atoi(parts[2])
		mb, err2 := strconv.Atoi(parts[3])
		if err1 == nil && err2 == nil && cpus > 0 && mb > 0 {
			m := machine{family: parts[0], vcpus: Int(int64(cpus)), memGB: Int(int64(mb)).Div(Int(1024))}
			if m.family == "e2" && len(parts) == 4 {
				return m, nil // E2 custom types are billed at E2's rates
			}
			if most, ok := customMaxGBPerVCPU[m.family]; ok {
				m.custom = true
				if len(parts) == 5 {
					if over := m.memGB.Sub(m.vcpus.Mul(D(most))); over.Sign() > 0 {
						m.extGB, m.memGB = over, m.memGB.Sub(over)
					}
				}
				return m, nil
			}
		}
	}
	if len(parts) == 3 {
		per, ok := memPerVCPU[parts[0]][parts[1]]
		cpus, err := strconv.Atoi(parts[2])
		if ok && err == nil && cpus > 0 {
			return machine{family: parts[0], vcpus: Int(int64(cpus)), memGB: Int(int64(cpus)).Mul(D(per))}, nil
		}
	}
	return machine{}, fmt.Errorf("machine type %q is not in the catalog (e2, n2, n2d, c2, c3, t2d, n1 predefined types, and e2, n1, n2 and n2d custom types are)", mt)
}

// vm prices n machines of type mt for the duration.
func (c *costing) vm(label, mt string, n Dec) {
	m, err := parseMachine(mt)
	if err != nil {
		c.fail("%v", err)
		return
	}
	if m.shared != "" {
		c.hourly(fmt.Sprintf("%s (%s × %s)", label, n, mt), c.key("gcp", "compute", m.shared), n)
		return
	}
	run := c.runHours().Mul(c.count).Mul(n)
	cpu, ram := c.key("gcp", "compute", m.family+"-vcpu"), c.key("gcp", "compute", m.family+"-ram")
	if m.custom {
		cpu, ram = c.key("gcp", "compute", m.family+"-custom-vcpu"), c.key("gcp", "compute", m.family+"-custom-ram")
	}
	if cpu, ram, assumption := c.committedUse(cpu, ram, mt); assumption != "" {
		c.add(fmt.Sprintf("%s vCPUs, committed (%s × %s: %s vCPUs)", label, n, mt, m.vcpus), cpu, run.Mul(m.vcpus), false, assumption)
		c.add(fmt.Sprintf("%s memory, committed (%s × %s: %s GB)", label, n, mt, m.memGB), ram, run.Mul(m.memGB), false, assumption)
		return // committed usage earns no sustained use discount
	}
	first := len(c.comps)
	c.add(fmt.Sprintf("%s vCPUs (%s × %s: %s vCPUs)", label, n, mt, m.vcpus), cpu, run.Mul(m.vcpus), false, "")
	c.add(fmt.Sprintf("%s memory (%s × %s: %s GB)", label, n, mt, m.memGB), ram, run.Mul(m.memGB), false, "")
	if m.extGB.Sign() > 0 {
		c.add(fmt.Sprintf("%s extended memory (%s × %s: %s GB)", label, n, mt, m.extGB), c.key("gcp", "compute", m.family+"-custom-ram-extended"), run.Mul(m.extGB), false, "")
	}
	if c.spot {
		return
	}
	// Sustained use: the vCPU and memory lines just added, discounted.
	hours := c.monthlyHours
	if hours.IsZero() {
		hours = c.e.hours.Min(Int(HoursPerMonth)) // each month of a longer estimate runs whole
	}
	if off := sustainedUseDiscount(m.family, hours); off.Sign() > 0 && len(c.comps) > first {
		var list Dec
		for _, comp := range c.comps[first:] {
			list = list.Add(comp.monthly)
		}
		cut := list.Mul(off).Neg()
		c.comps = append(c.comps, Component{Name: fmt.Sprintf("%s sustained use discount (%s%% of vCPUs and memory, running %s hours a month)", label, off.Mul(Int(100)).Round(2), hours),
			Unit: "USD", Quantity: Int(1), UnitPrice: Price(cut), HourlyCost: Price(cut.Div(c.e.hours)), MonthlyCost: Cents(cut),
			PriceSource: "Compute Engine sustained use discounts, applied automatically", monthly: cut})
	}
}

// committedUse chooses resource-based committed use rates for a machine's
// vCPU and memory keys from the usage key committed_use_term (1_year or
// 3_year), when the catalog has both; otherwise the on-demand keys, with a
// note when a commitment was asked for.
func (c *costing) committedUse(cpu, ram, mt string) (cpuKey, ramKey, assumption string) {
	term, given, ok := c.usageText("committed_use_term", "Compute Engine committed use term: 1_year or 3_year", "1_year", "3_year")
	switch {
	case !ok || !given:
	case c.spot:
		c.note("committed_use_term: spot/preemptible capacity is not covered by a commitment")
	case c.priced(CommitKey(cpu, term)) && c.priced(CommitKey(ram, term)):
		return CommitKey(cpu, term), CommitKey(ram, term), fmt.Sprintf("committed use %s (usage committed_use_term): the commitment's vCPU and memory rates, assuming it covers the machine", term)
	default:
		c.note("no %s committed use rate for %s in the catalog: priced on demand with sustained use discounts (opsmcp prices refresh fetches commitment rates)", term, mt)
	}
	return cpu, ram, ""
}

func (c *costing) pd(label, typ string, gb Dec) {
	switch typ {
	case "pd-standard", "pd-balanced", "pd-ssd", "pd-extreme":
	default:
		c.fail("%s: disk type %q is not one of pd-standard, pd-balanced, pd-ssd, pd-extreme", label, typ)
		return
	}
	c.monthly(fmt.Sprintf("%s (%s, %s GB)", label, typ, gb), c.key("gcp", "disk", typ), gb)
}

func gcpInstance(c *costing) {
	mt := c.str("machine_type", true)
	if mt == "" {
		return
	}
	if s := c.block("scheduling"); s != nil && (s["preemptible"] == true || s["provisioning_model"] == "SPOT") {
		c.note("spot/preemptible: priced at the on-demand rate, the most it can cost, without sustained use discounts")
		c.spot = true
	}
	if !c.readMonthlyHours() {
		return
	}
	c.vm("Instance", mt, Int(1))
	if !c.gpus("GPUs", c.attr("guest_accelerator"), Int(1)) {
		return
	}
	params := firstBlock(c.block("boot_disk")["initialize_params"])
	typ, _ := params["type"].(string)
	size, ok := numOf(params["size"], Dec{})
	var assumed []string
	if typ == "" {
		typ = "pd-standard"
		assumed = append(assumed, "pd-standard")
	}
	if !ok || size.IsZero() {
		size = Int(10)
		assumed = append(assumed, "10 GB")
	}
	if len(assumed) > 0 {
		c.note("boot disk: %s assumed (the image decides; set boot_disk.initialize_params to be exact)", strings.Join(assumed, ", "))
	}
	c.pd("Boot disk", typ, size)
	// Local SSDs (scratch_disk), 375 GB each unless size says otherwise,
	// are billed by the GB-month while the instance exists.
	var local Dec
	for _, d := range blocks(c.attr("scratch_disk")) {
		gb, ok := numOf(d["size"], Int(375))
		if !ok {
			c.fail("scratch_disk: size is not known")
			return
		}
		local = local.Add(gb)
	}
	if local.Sign() > 0 {
		c.monthly(fmt.Sprintf("Local SSD (%s GB)", local), c.key("gcp", "disk", "local-ssd"), local)
	}
	c.dataOut("gcp")
}

// gpus prices the GPUs guest_accelerator blocks (accel) attach to each of
// n machines; false when one is not known (and the resource fails).
func (c *costing) gpus(label string, accel any, n Dec) bool {
	for _, g := range blocks(accel) {
		typ, _ := g["type"].(string)
		count, ok := numOf(g["count"], Int(1))
		if typ == "" || !ok {
			c.fail("guest_accelerator: type and count must be known")
			return false
		}
		c.add(fmt.Sprintf("%s (%s × %s)", label, count.Mul(n), typ), c.key("gcp", "gpu", typ), c.runHours().Mul(c.count).Mul(count).Mul(n), false, "")
	}
	return true
}

// gcpDisk prices a persistent disk of its size: given, else its image's
// or snapshot's (followed through the resources estimated), else the size
// gcloud and the console give a blank disk (500 GB standard, 100 GB other).
func gcpDisk(c *costing) {
	typ := c.str("type", false)
	if typ == "" {
		typ = "pd-standard"
	}
	size, ok := c.num("size", Dec{})
	switch {
	case ok && size.Sign() > 0:
	case c.attr("image") != nil || c.attr("snapshot") != nil:
		if size, ok = c.diskSourceSize(c.r.Attributes, 0); !ok {
			c.fail("size is not set and its image or snapshot is not among the resources estimated; set size to price it")
			return
		}
		c.note("size %s GB, its image's or snapshot's", size)
	case !ok:
		c.fail("size is not known")
		return
	default:
		size = Int(100)
		if typ == "pd-standard" {
			size = Int(500)
		}
		c.note("size not set: %s GB assumed (what gcloud and the console give a blank %s disk)", size, typ)
	}
	c.pd("Disk", typ, size)
}

// diskSourceSize is the size a disk, image or snapshot (attrs) has from
// what it is made of: its own size, or its image's, snapshot's or source
// disk's, followed through the resources estimated.
func (c *costing) diskSourceSize(attrs map[string]any, depth int) (Dec, bool) {
	if depth > 8 {
		return Dec{}, false
	}
	for _, k := range []string{"size", "disk_size_gb"} {
		if v, ok := numOf(attrs[k], Dec{}); ok && v.Sign() > 0 {
			return v, true
		}
	}
	for _, src := range []struct{ attr, typ string }{
		{"image", "google_compute_image"}, {"source_image", "google_compute_image"},
		{"snapshot", "google_compute_snapshot"}, {"source_snapshot", "google_compute_snapshot"},
		{"source_disk", "google_compute_disk"}} {
		if r := c.referenced(src.typ, attrs[src.attr]); r != nil {
			return c.diskSourceSize(r.Attributes, depth+1)
		}
	}
	return Dec{}, false
}

func gkeCluster(c *costing) {
	c.hourly("Cluster management fee", "gcp/gke/global/cluster-hour", Int(1))
	if c.boolean("enable_autopilot") {
		// Pods bill what they request: given here as averages (Infracost's
		// keys), or from the manifests with pricing gke-autopilot.
		c.usageHourly("Autopilot vCPU", c.key("gcp", "autopilot", "vcpu-hour"), "autopilot_vcpu_count", "vCPUs requested by pods")
		c.usageHourly("Autopilot memory", c.key("gcp", "autopilot", "gb-hour"), "autopilot_memory_gb", "GB of memory requested by pods")
		c.usageHourly("Autopilot ephemeral storage", c.key("gcp", "autopilot", "ephemeral-gb-hour"), "autopilot_ephemeral_storage_gb", "GB of ephemeral storage requested by pods")
		c.note("Autopilot: pods are priced from their requests (usage autopilot_*, or estimate the Kubernetes manifests with pricing gke-autopilot)")
		return
	}
	// Inline node pools replace the default pool.
	pools := blocks(c.attr("node_pool"))
	for i, p := range pools {
		label := fmt.Sprintf("Node pool %d", i+1)
		if name, ok := p["name"].(string); ok && name != "" {
			label = "Node pool " + name
		}
		n, perZone, ok := c.poolNodes(p, fmt.Sprintf("node_pool[%d].", i), label)
		if !ok {
			return
		}
		if perZone {
			n = n.Mul(c.zones(p, c.r.Attributes))
		}
		c.gkeNodes(label, n, firstBlock(p["node_config"]))
	}
	if c.boolean("remove_default_node_pool") || len(pools) > 0 {
		return
	}
	n, given, ok := c.usageNumber("nodes", "nodes per zone of the default node pool")
	if !ok || !given {
		// Not set, it is known only after apply in a plan.
		if n, ok = c.num("initial_node_count", Dec{}); !ok || c.attr("initial_node_count") == nil {
			n = Int(3)
			c.note("default node pool: initial_node_count not set, 3 nodes a zone assumed (the default of gcloud and the console)")
		}
	}
	c.gkeNodes("Default node pool", n.Mul(c.zones(nil, c.r.Attributes)), c.block("node_config"))
}

// poolNodes is how many nodes a node pool (a google_container_node_pool's
// attributes, or a cluster's node_pool block) runs: usage nodes (under
// prefix), node_count, an autoscaler's minimum, or initial_node_count —
// per zone, or in all (perZone false) for total_min_node_count.
func (c *costing) poolNodes(p map[string]any, prefix, label string) (n Dec, perZone, ok bool) {
	if v, given, vok := c.usageNumber(prefix+"nodes", "nodes per zone"); vok && given {
		return v, true, true
	}
	if n, ok := numOf(p["node_count"], Dec{}); ok && n.Sign() > 0 {
		return n, true, true
	}
	if as := firstBlock(p["autoscaling"]); as != nil {
		if n, ok := numOf(as["min_node_count"], Dec{}); ok && n.Sign() > 0 {
			c.note("%s: autoscaling, priced at the minimum node count, %s per zone", strings.ToLower(label), n)
			return n, true, true
		}
		if n, ok := numOf(as["total_min_node_count"], Dec{}); ok && n.Sign() > 0 {
			c.note("%s: autoscaling, priced at the minimum node count, %s in all", strings.ToLower(label), n)
			return n, false, true
		}
		c.note("%s: autoscaling from zero nodes", strings.ToLower(label))
		return Dec{}, true, true
	}
	// initial_node_count not set is known only after apply in a plan.
	if n, ok := numOf(p["initial_node_count"], Dec{}); ok && p["initial_node_count"] != nil {
		return n, true, true
	}
	c.note("%s: node_count not set, 3 nodes a zone assumed (the default of gcloud and the console)", strings.ToLower(label))
	return Int(3), true, true
}

// gkeNodes prices GKE nodes of a node_config (nc): machines (e2-medium
// when unset, GKE's default) and their boot disks (100 GB pd-balanced).
func (c *costing) gkeNodes(label string, nodes Dec, nc map[string]any) {
	if nc["preemptible"] == true || nc["spot"] == true {
		c.note("%s: spot/preemptible, priced at the on-demand rate, the most it can cost", strings.ToLower(label))
		// For this pool's machines only: a cluster's other pools keep
		// their sustained use discounts.
		c.spot = true
		defer func() { c.spot = false }()
	}
	mt, _ := nc["machine_type"].(string)
	if mt == "" {
		mt = "e2-medium"
		c.note("%s: machine_type e2-medium assumed (the GKE default)", strings.ToLower(label))
	}
	c.vm(label, mt, nodes)
	if !c.gpus(label+" GPUs", nc["guest_accelerator"], nodes) {
		return
	}
	disk, _ := numOf(nc["disk_size_gb"], Int(100))
	dt, _ := nc["disk_type"].(string)
	if dt == "" {
		dt = "pd-balanced"
	}
	c.pd(label+" disks", dt, disk.Mul(nodes))
	if n, _ := numOf(nc["local_ssd_count"], Dec{}); n.Sign() > 0 {
		c.monthly(fmt.Sprintf("%s local SSDs (%s × 375 GB a node)", label, n), c.key("gcp", "disk", "local-ssd"), n.Mul(Int(375)).Mul(nodes))
	}
}

// zones is how many zones a GKE node pool spans: its node_locations, else
// its cluster's; 3 for a regional location (the pool's, else the
// cluster's), else 1. pool or cluster may be nil.
func (c *costing) zones(pool, cluster map[string]any) Dec {
	for _, m := range []map[string]any{pool, cluster} {
		if l, ok := m["node_locations"].([]any); ok && len(l) > 0 {
			return Int(int64(len(l)))
		}
	}
	for _, m := range []map[string]any{pool, cluster} {
		if loc, ok := m["location"].(string); ok && loc != "" {
			if strings.Count(loc, "-") == 1 {
				c.note("regional location %s: nodes in 3 zones assumed", loc)
				return Int(3)
			}
			return Int(1)
		}
	}
	return Int(1)
}

func gkeNodePool(c *costing) {
	n, perZone, ok := c.poolNodes(c.r.Attributes, "", "Nodes")
	if !ok {
		return
	}
	if perZone {
		var cluster map[string]any
		if r := c.referenced("google_container_cluster", c.attr("cluster")); r != nil {
			cluster = r.Attributes
		}
		n = n.Mul(c.zones(c.r.Attributes, cluster))
	}
	c.gkeNodes("Nodes", n, c.block("node_config"))
}
