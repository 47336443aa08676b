package cost

import "fmt"

// awsAutoscalingGroup prices the instances an EC2 Auto Scaling group runs:
// desired_capacity of them (else min_size, what the group starts with; usage
// instances overrides both), as its launch configuration or launch template
// declares them — instance type, tenancy, volumes, CPU credits, detailed
// monitoring. A mixed instances policy is priced as its first override (in
// instances for its weighted capacity), its spot share at on-demand rates,
// the most it can cost.
func awsAutoscalingGroup(c *costing) {
	n, given, ok := c.usageNumber("instances", "number of instances")
	if !ok || !given {
		// A plan knows desired_capacity only when the configuration sets it.
		if d, known := c.num("desired_capacity", Dec{}); known && c.attr("desired_capacity") != nil {
			n = d
		} else if n, ok = c.num("min_size", Dec{}); !ok {
			c.fail("desired_capacity and min_size are not known")
			return
		} else {
			c.note("desired_capacity not set: min_size, %s, the instances the group starts with", n)
		}
	}
	var from map[string]any
	template := true
	typ := ""
	switch mip := c.block("mixed_instances_policy"); {
	case c.attr("launch_configuration") != nil && c.attr("launch_configuration") != "":
		template = false
		from = c.launchedFrom("aws_launch_configuration", "launch configuration", c.attr("launch_configuration"))
	case c.block("launch_template") != nil:
		from = c.launchTemplate()
	case mip != nil:
		lt := firstBlock(mip["launch_template"])
		spec := firstBlock(lt["launch_template_specification"])
		from = c.launchedFrom("aws_launch_template", "launch template", spec["launch_template_id"], spec["launch_template_name"])
		if n, typ, ok = c.mixedInstances(mip, n); !ok {
			return
		}
	default:
		c.fail("no launch_configuration, launch_template or mixed_instances_policy")
		return
	}
	if typ == "" {
		typ, _ = from["instance_type"].(string)
	}
	if typ == "" {
		c.fail("the instance type is not known: its launch configuration or template is not among the resources estimated, or sets none")
		return
	}
	tenancy, _ := from["placement_tenancy"].(string)
	monitoring := from["enable_monitoring"] != false // a launch configuration's default
	var credits map[string]any
	if template {
		tenancy, _ = firstBlock(from["placement"])["tenancy"].(string)
		monitoring = firstBlock(from["monitoring"])["enabled"] == true
		credits = firstBlock(from["credit_specification"])
	}
	key, label, assumption, ok := c.ec2Rate(typ, tenancy)
	if !ok {
		return
	}
	if key != "" { // "": on Dedicated Hosts
		c.add(fmt.Sprintf("Instances (%s × %s, %s)", n, typ, label), key, c.e.hours.Mul(c.count).Mul(n), false, assumption)
		c.cpuCredits(typ, n, credits)
	}
	if monitoring {
		c.monthly(fmt.Sprintf("EC2 detailed monitoring (7 metrics × %s)", n), c.key("aws", "cloudwatch", "metric"), Int(7).Mul(n))
	}
	if template {
		if !c.templateVolumes(from, n, Int(8)) {
			c.note("root volume: 8 GB gp2 assumed (the AMI decides)")
			c.ebs("Root volume", "gp2", Int(8), Dec{}, Dec{}, n)
		}
		return
	}
	c.rootDevice(from, n)
	c.ebsDevices(from, n)
}

// mixedInstances is how many instances of which type a mixed instances
// policy runs for a capacity: its first override's type, capacity divided
// by the override's weight; a note says how many of them are spot.
func (c *costing) mixedInstances(mip map[string]any, capacity Dec) (n Dec, typ string, ok bool) {
	n = capacity
	overrides := blocks(firstBlock(mip["launch_template"])["override"])
	if len(overrides) > 0 {
		typ, _ = overrides[0]["instance_type"].(string)
		weight, ok := numOf(overrides[0]["weighted_capacity"], Int(1))
		if !ok || weight.Sign() <= 0 {
			c.fail("mixed_instances_policy: the first override's weighted_capacity is not known")
			return n, "", false
		}
		n = capacity.Div(weight).Ceil()
		if typ != "" {
			c.note("mixed instances: priced as the first override, %s (weight %s): %s instances for a capacity of %s", typ, weight, n, capacity)
		}
	}
	dist := firstBlock(mip["instances_distribution"])
	base, ok1 := numOf(dist["on_demand_base_capacity"], Int(0))
	pct, ok2 := numOf(dist["on_demand_percentage_above_base_capacity"], Int(100))
	if !ok1 || !ok2 {
		c.fail("mixed_instances_policy: instances_distribution is not known")
		return n, "", false
	}
	if above := n.Sub(base); above.Sign() > 0 && pct.Cmp(Int(100)) < 0 {
		onDemand := above.Mul(pct).Div(Int(100)).Ceil()
		c.note("%s of %s instances are spot: priced at the on-demand rate, the most they can cost", above.Sub(onDemand), n)
	}
	return n, typ, true
}
