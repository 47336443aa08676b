package cost

// EC2 instances: their rate (OS, tenancy, reservation), CPU credits and
// EBS volumes.

import (
	"fmt"
	"strings"
)

// ec2Rate chooses an instance's rate: its operating system (usage
// operating_system) and tenancy choose the on-demand price, and a
// reservation (usage reserved_instance_type, _term and _payment_option,
// as Infracost names them) its reserved rate, the upfront fee spread over
// every hour of the term; without one, a Compute Savings Plan (usage
// savings_plan_term and _payment_option) its plan rate — AWS applies
// reservations first. A commitment the catalog has no rate for is priced
// on demand, the most it can cost, and says so.
func (c *costing) ec2Rate(typ, tenancy string) (key, label, assumption string, ok bool) {
	os, _, ok := c.usageText("operating_system", "operating system: linux, windows, rhel, suse", "linux", "windows", "rhel", "suse")
	if !ok {
		return "", "", "", false
	}
	if os == "" {
		os = "linux"
	}
	if tenancy == "host" {
		// AWS bills the host (aws_ec2_host), not the instances on it.
		c.note("tenancy host: runs on a Dedicated Host, billed per host (aws_ec2_host), not per instance hour")
		return "", "", "", true
	}
	key = EC2Key(c.r.Region, typ, os, tenancy == "dedicated")
	label = map[string]string{"linux": "Linux/UNIX", "windows": "Windows", "rhel": "RHEL", "suse": "SUSE"}[os]
	if tenancy == "dedicated" {
		label += ", dedicated"
	}
	base := key
	if key, assumption = c.reservation(base, typ, true); assumption != "" {
		return key, label + ", reserved", assumption, true
	}
	if key, assumption = c.savingsPlan(base, typ); assumption != "" {
		return key, label + ", Compute Savings Plan", assumption, true
	}
	return base, label + ", on-demand", "", true
}

// savingsPlan chooses a Compute Savings Plan rate for an on-demand key
// from the usage keys savings_plan_term and savings_plan_payment_option
// (named as Infracost names a reservation's); as for a reservation, the
// on-demand key when none is given or the catalog has no rate.
func (c *costing) savingsPlan(base, what string) (key, assumption string) {
	term, termGiven, ok1 := c.usageText("savings_plan_term", "Compute Savings Plan term: 1_year or 3_year", "1_year", "3_year")
	pay, payGiven, ok2 := c.usageText("savings_plan_payment_option", "Compute Savings Plan payment: no_upfront, partial_upfront or all_upfront", "no_upfront", "partial_upfront", "all_upfront")
	switch {
	case !ok1 || !ok2 || (!termGiven && !payGiven):
	case !termGiven || !payGiven:
		c.note("a Compute Savings Plan needs savings_plan_term and savings_plan_payment_option: priced on demand")
	case c.priced(SavingsPlanKey(base, term, pay)):
		return SavingsPlanKey(base, term, pay), fmt.Sprintf("Compute Savings Plan %s %s (usage savings_plan_*): the plan's hourly rate, assuming the commitment covers the instance", term, pay)
	default:
		c.note("no Compute Savings Plan %s %s rate for %s in the catalog: priced on demand, the most it can cost (opsmcp prices refresh fetches plan rates)", term, pay, what)
	}
	return base, ""
}

// reservation chooses a reserved rate for the on-demand key base from
// Infracost's usage keys: reserved_instance_term and _payment_option, and
// for EC2 (withClass) reserved_instance_type — other services sell one
// class, standard. Without a reservation, or when the catalog has no rate
// for it (which a note then says), it is base: the on-demand rate, the
// most the resource can cost.
func (c *costing) reservation(base, what string, withClass bool) (key, assumption string) {
	class, classGiven, ok1 := "standard", true, true
	if withClass {
		class, classGiven, ok1 = c.usageText("reserved_instance_type", "reservation: standard or convertible", "standard", "convertible")
	}
	term, termGiven, ok2 := c.usageText("reserved_instance_term", "reservation term: 1_year or 3_year", "1_year", "3_year")
	pay, payGiven, ok3 := c.usageText("reserved_instance_payment_option", "reservation payment: no_upfront, partial_upfront or all_upfront", "no_upfront", "partial_upfront", "all_upfront")
	needed := "reserved_instance_term and reserved_instance_payment_option"
	if withClass {
		needed = "reserved_instance_type, " + needed
	}
	switch {
	case !ok1 || !ok2 || !ok3 || (!termGiven && !payGiven && (!withClass || !classGiven)):
	case !classGiven || !termGiven || !payGiven:
		c.note("a reservation needs %s: priced on demand", needed)
	case c.priced(ReservedKey(base, class, term, pay)):
		return ReservedKey(base, class, term, pay), fmt.Sprintf("reserved %s %s %s (usage reserved_instance_*): the hourly rate with any upfront fee spread over the term", class, term, pay)
	default:
		c.note("no reserved %s %s %s rate for %s in the catalog: priced on demand, the most it can cost (opsmcp prices refresh fetches reserved rates)", class, term, pay, what)
	}
	return base, ""
}

func awsInstance(c *costing) {
	var tmpl map[string]any
	if c.block("launch_template") != nil {
		tmpl = c.launchTemplate()
	}
	typ, _ := c.attr("instance_type").(string)
	if t, ok := tmpl["instance_type"].(string); typ == "" && ok {
		typ = t
	}
	if typ == "" {
		c.str("instance_type", true) // says why it is missing
		return
	}
	if len(blocks(c.attr("instance_market_options"))) > 0 {
		c.note("spot: priced at the on-demand rate, the most a spot instance can cost")
	}
	tenancy := c.str("tenancy", false)
	if tenancy == "" {
		tenancy, _ = firstBlock(tmpl["placement"])["tenancy"].(string)
	}
	key, label, assumption, ok := c.ec2Rate(typ, tenancy)
	if !ok || !c.readMonthlyHours() {
		return
	}
	if !c.monthlyHours.IsZero() {
		assumption = strings.TrimPrefix(assumption+"; ", "; ") + fmt.Sprintf("%s hours a month (usage monthly_hrs)", c.monthlyHours)
	}
	if key != "" { // "": on a Dedicated Host
		c.add(fmt.Sprintf("Instance usage (%s, %s)", label, typ), key, c.runHours().Mul(c.count), false, assumption)
		spec := c.block("credit_specification")
		if spec == nil {
			spec = firstBlock(tmpl["credit_specification"])
		}
		c.cpuCredits(typ, Int(1), spec)
	}
	if c.attr("monitoring") == true {
		// Detailed monitoring is billed as CloudWatch metrics: the seven
		// an instance sends each minute.
		c.monthly("EC2 detailed monitoring (7 metrics)", c.key("aws", "cloudwatch", "metric"), Int(7))
	}
	// A template's volumes stand for the root_block_device not given.
	if c.block("root_block_device") != nil || !c.templateVolumes(tmpl, Int(1), Int(8)) {
		c.rootDevice(c.r.Attributes, Int(1))
	}
	c.ebsDevices(c.r.Attributes, Int(1))
	c.dataOut("aws")
}

// rootDevice prices the root_block_device of an instance or a launch
// configuration (attrs), n of it.
func (c *costing) rootDevice(attrs map[string]any, n Dec) {
	root := firstBlock(attrs["root_block_device"])
	vt, _ := root["volume_type"].(string)
	size, sizeKnown := numOf(root["volume_size"], Dec{})
	var assumed []string
	if vt == "" {
		vt = "gp2"
		assumed = append(assumed, "type gp2")
	}
	if size.IsZero() || !sizeKnown {
		size = Int(8)
		assumed = append(assumed, "8 GB")
	}
	if len(assumed) > 0 {
		c.note("root volume: %s assumed (the AMI decides; set root_block_device to be exact)", strings.Join(assumed, ", "))
	}
	iops, _ := numOf(root["iops"], Dec{})
	tput, _ := numOf(root["throughput"], Dec{})
	c.ebs("Root volume", vt, size, iops, tput, n)
}

// ebsDevices prices the ebs_block_device volumes of an instance or a
// launch configuration (attrs), n of each.
func (c *costing) ebsDevices(attrs map[string]any, n Dec) {
	for i, b := range blocks(attrs["ebs_block_device"]) {
		vt, _ := b["volume_type"].(string)
		if vt == "" {
			vt = "gp2"
		}
		size, ok := numOf(b["volume_size"], Dec{})
		if !ok || size.IsZero() {
			c.fail("ebs_block_device %d: volume_size is not known", i)
			return
		}
		iops, _ := numOf(b["iops"], Dec{})
		tput, _ := numOf(b["throughput"], Dec{})
		c.ebs(fmt.Sprintf("EBS volume %d", i+1), vt, size, iops, tput, n)
	}
}

// launchTemplate is the attributes of the aws_launch_template the
// resource's launch_template block names, by id or name, when it is among
// the resources estimated; nil, and a note saying so, when it is not.
func (c *costing) launchTemplate() map[string]any {
	lt := c.block("launch_template")
	if lt == nil {
		return nil
	}
	return c.launchedFrom("aws_launch_template", "launch template", lt["id"], lt["name"])
}

// launchedFrom is the attributes of the resource of type typ that one of
// refs (an id's or name's value) names, when it is among the resources
// estimated; nil, and a note saying so, when it is not.
func (c *costing) launchedFrom(typ, what string, refs ...any) map[string]any {
	for _, ref := range refs {
		if r := c.referenced(typ, ref); r != nil {
			c.note("instance type, volumes and CPU credits as %s %s declares them", what, r.Address)
			return r.Attributes
		}
	}
	for _, ref := range refs {
		if r, guessed := c.referencedOrOnly(typ, ref); guessed {
			c.note("its %s is named through a local or variable: %s, the only one in its module, assumed", what, r.Address)
			return r.Attributes
		}
	}
	c.note("its %s is not among the resources estimated: priced without it", what)
	return nil
}

// templateVolumes prices the EBS volumes a launch template maps, n of each
// (a volume without a size: defaultSize, the AMI's usual); false when it
// maps none.
func (c *costing) templateVolumes(tmpl map[string]any, n, defaultSize Dec) bool {
	mapped := false
	for i, m := range blocks(tmpl["block_device_mappings"]) {
		ebs := firstBlock(m["ebs"])
		if ebs == nil {
			continue // an instance store or a suppressed device: no EBS charge
		}
		mapped = true
		label := fmt.Sprintf("Volume %d", i+1)
		if d, ok := m["device_name"].(string); ok && d != "" {
			label = "Volume " + d
		}
		vt, _ := ebs["volume_type"].(string)
		if vt == "" {
			vt = "gp2" // EC2's default for a mapping that names no type
		}
		size, ok := numOf(ebs["volume_size"], Dec{})
		if !ok {
			c.fail("%s: volume_size is not known", label)
			return true
		}
		if size.IsZero() {
			size = defaultSize
			c.note("%s: no volume_size, %s GB assumed (the AMI's snapshot decides)", label, size)
		}
		iops, _ := numOf(ebs["iops"], Dec{})
		tput, _ := numOf(ebs["throughput"], Dec{})
		c.ebs(label, vt, size, iops, tput, n)
	}
	if !mapped && tmpl != nil {
		c.note("the launch template maps no EBS volume: the AMI's root volume, %s GB gp2, assumed", defaultSize)
		c.ebs("Root volume", "gp2", defaultSize, Dec{}, Dec{}, n)
		return true
	}
	return mapped
}

// awsEC2Host prices a Dedicated Host by the hour, per instance family
// (instance_family, or instance_type's), whatever runs on it; a host
// reservation by Infracost's reserved_instance_term and _payment_option.
func awsEC2Host(c *costing) {
	family := c.str("instance_family", false)
	if family == "" {
		typ := c.str("instance_type", false)
		if typ == "" {
			c.fail("instance_family or instance_type is not known: a Dedicated Host is priced by its instance family")
			return
		}
		family, _, _ = strings.Cut(typ, ".")
	}
	base := EC2HostKey(c.r.Region, family)
	key, assumption := c.reservation(base, "Dedicated Host "+family, false)
	label := "on-demand"
	if assumption != "" {
		label = "reserved"
	}
	c.add(fmt.Sprintf("Dedicated Host (%s, %s)", family, label), key, c.e.hours.Mul(c.count), false, assumption)
}

// burstableVCPUs are the vCPUs of T instance sizes, for CPU credits.
var burstableVCPUs = map[string]int64{"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8}

// cpuCredits prices a burstable instance's CPU credits beyond its
// baseline (Infracost's monthly_cpu_credit_hrs and vcpu_count): T3, T3a
// and T4g run unlimited by default, T2 only when credit_specification
// says so; instances is how many run (a node group's nodes).
func (c *costing) cpuCredits(typ string, instances Dec, spec map[string]any) {
	family, size, _ := strings.Cut(typ, ".")
	switch family {
	case "t3", "t3a", "t4g":
	case "t2":
		if spec["cpu_credits"] != "unlimited" {
			return
		}
	default:
		return
	}
	if spec["cpu_credits"] == "standard" {
		return
	}
	hrs, given, ok := c.usageNumber("monthly_cpu_credit_hrs", "hours a month the instance bursts above its baseline")
	if !ok || !given || hrs.IsZero() {
		return
	}
	vcpus, vGiven, ok := c.usageNumber("vcpu_count", "vCPUs of the instance type")
	if !ok {
		return
	}
	if !vGiven {
		n, known := burstableVCPUs[size]
		if !known {
			return
		}
		if family == "t2" && (size == "nano" || size == "micro" || size == "small") {
			n = 1
		}
		vcpus = Int(n)
	}
	c.add(fmt.Sprintf("CPU credits (%s vCPUs × %s hours)", vcpus, hrs), c.key("aws", "ec2", "cpu-credits-"+family[:2]), hrs.Mul(vcpus).Mul(instances).Mul(c.count).Mul(c.months()), true,
		fmt.Sprintf("%s hours of bursting a month (usage monthly_cpu_credit_hrs) on %s vCPUs", hrs, vcpus))
}

// ebs prices n volumes of each instance: storage, and for gp3 the IOPS
// and throughput above the free baseline, for io1/io2 the provisioned IOPS.
func (c *costing) ebs(label, vt string, size, iops, throughput, n Dec) {
	switch vt {
	case "gp2", "gp3", "io1", "io2", "st1", "sc1", "standard":
	default:
		c.fail("%s: volume type %q is not one of gp2, gp3, io1, io2, st1, sc1, standard", label, vt)
		return
	}
	times := ""
	if n.Cmp(Int(1)) != 0 {
		times = " × " + n.String()
	}
	c.monthly(fmt.Sprintf("%s storage (%s, %s GB%s)", label, vt, size, times), c.key("aws", "ebs", vt), size.Mul(n))
	switch vt {
	case "gp3":
		if over := iops.Sub(Int(3000)); over.Sign() > 0 {
			c.monthly(fmt.Sprintf("%s IOPS over 3,000 (%s%s)", label, over, times), c.key("aws", "ebs", "gp3-iops"), over.Mul(n))
		}
		if over := throughput.Sub(Int(125)); over.Sign() > 0 {
			c.monthly(fmt.Sprintf("%s throughput over 125 MB/s (%s%s)", label, over, times), c.key("aws", "ebs", "gp3-throughput"), over.Mul(n))
		}
	case "io1", "io2":
		if iops.IsZero() {
			c.fail("%s: %s needs iops", label, vt)
			return
		}
		if vt == "io2" && iops.Cmp(Int(32000)) > 0 {
			c.note("%s: io2 IOPS over 32,000 are cheaper than the first-tier price used here", label)
		}
		c.monthly(fmt.Sprintf("%s provisioned IOPS (%s%s)", label, iops, times), c.key("aws", "ebs", vt+"-iops"), iops.Mul(n))
	}
}

func awsEBSVolume(c *costing) {
	vt := c.str("type", false)
	if vt == "" {
		vt = "gp2"
		c.note("type gp2 assumed (the provider's default)")
	}
	size, ok := c.num("size", Dec{})
	if !ok || size.IsZero() {
		if c.attr("snapshot_id") != nil {
			c.fail("size is not set: it comes from the snapshot; set size to price it")
		} else {
			c.fail("size is not known")
		}
		return
	}
	iops, _ := c.num("iops", Dec{})
	tput, _ := c.num("throughput", Dec{})
	c.ebs("Volume", vt, size, iops, tput, Int(1))
	if vt == "standard" {
		// Magnetic volumes also bill each I/O request.
		c.usage("I/O requests (magnetic)", c.key("aws", "ebs", "standard-io"), "monthly_standard_io_requests", million, "I/O requests")
	}
}

// awsEBSSnapshot bills the snapshot's stored GB (usage monthly_storage_gb,
// else the size of the volume it copies, when that is among the
// resources: the most a first, full snapshot holds), in the standard or
// the archive tier.
func awsEBSSnapshot(c *costing) {
	name, item := "Snapshot storage", "snapshot"
	if c.str("storage_tier", false) == "archive" {
		name, item = "Snapshot storage (archive tier)", "snapshot-archive"
	}
	gb, given, assumption, ok := c.usageAmount("monthly_storage_gb", "GB stored (changed blocks)", "GB stored")
	if !ok {
		return
	}
	if !given {
		if v := c.referenced("aws_ebs_volume", c.attr("volume_id")); v != nil {
			if size, ok := numOf(v.Attributes["size"], Dec{}); ok && size.Sign() > 0 {
				gb = size
				assumption = fmt.Sprintf("no usage given: the %s GB of %s, the most a full snapshot of it holds; set usage %s.monthly_storage_gb", size, v.Address, c.r.Address)
			}
		}
	}
	c.add(name, c.key("aws", "ebs", item), gb.Mul(c.count).Mul(c.months()), true, assumption)
}
