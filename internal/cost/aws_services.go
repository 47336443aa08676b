package cost

// AWS networking, containers and the rest: load balancers, EKS and
// Fargate, logs and alarms, addresses, DNS, endpoints, WAF, Transfer.

import (
	"fmt"
	"strings"
	"time"
)

func awsLB(c *costing) {
	switch t := c.str("load_balancer_type", false); t {
	case "", "application":
		c.hourly("Application load balancer", c.key("aws", "elb", "alb-hour"), Int(1))
		c.capacityUnits("Load balancer capacity units", c.key("aws", "elb", "alb-lcu"), "average_lcus", "LCUs",
			[]lcuDimension{{"new_connections", "new connections a second", 25}, {"active_connections", "active connections a minute", 3000},
				{"processed_bytes_gb", "GB processed an hour", 1}, {"rule_evaluations", "rule evaluations a second", 1000}})
	case "network":
		c.hourly("Network load balancer", c.key("aws", "elb", "nlb-hour"), Int(1))
		c.capacityUnits("Network load balancer capacity units", c.key("aws", "elb", "nlb-lcu"), "average_nlcus", "NLCUs",
			[]lcuDimension{{"new_connections", "new connections (flows) a second", 800}, {"active_connections", "active connections a minute", 100000},
				{"processed_bytes_gb", "GB processed an hour", 1}})
	default:
		c.fail("load_balancer_type %q is not in the catalog", t)
	}
	c.dataOut("aws")
}

// lcuDimension is one measure of load a capacity unit covers: per units
// of the usage key make one LCU.
type lcuDimension struct {
	key, what string
	per       int64
}

// capacityUnits prices a load balancer's capacity units as AWS bills
// them: each hour, the largest of its dimensions (new connections, active
// connections, bytes processed, rule evaluations) in LCUs, from
// Infracost's usage keys — or an hourly average of LCUs given directly
// (averageKey).
func (c *costing) capacityUnits(name, key, averageKey, unit string, dims []lcuDimension) {
	if avg, given, ok := c.usageNumber(averageKey, unit+" an hour on average"); !ok {
		return
	} else if given {
		c.add(name, key, avg.Mul(c.e.hours).Mul(c.count), true, fmt.Sprintf("%s %s an hour on average (usage %s)", avg, unit, averageKey))
		return
	}
	var most Dec
	var why []string
	for _, d := range dims {
		v, given, ok := c.usageNumber(d.key, d.what+" on average")
		if !ok || !given {
			continue
		}
		n := v.Div(Int(d.per))
		why = append(why, fmt.Sprintf("%s %s = %s %s", v, d.what, n, unit))
		most = most.Max(n)
	}
	assumption := fmt.Sprintf("no usage given: 0 %s assumed; set usage %s.new_connections, active_connections, processed_bytes_gb", unit, c.r.Address)
	if len(why) > 0 {
		assumption = fmt.Sprintf("the largest dimension each hour: %s", strings.Join(why, "; "))
	}
	c.add(name, key, most.Mul(c.e.hours).Mul(c.count), true, assumption)
}

func awsClassicLB(c *costing) {
	c.hourly("Classic load balancer", c.key("aws", "elb", "clb-hour"), Int(1))
	c.usage("Data processed", c.key("aws", "elb", "clb-gb"), "monthly_data_processed_gb", Int(1), "GB")
}

// eksStandardSupportEnds is when each Kubernetes minor version leaves
// EKS standard support (the EKS Kubernetes release calendar); a cluster
// on it after that pays the extended support rate.
var eksStandardSupportEnds = map[string]string{
	"1.23": "2023-10-11", "1.24": "2024-01-31", "1.25": "2024-05-01", "1.26": "2024-06-11", "1.27": "2024-07-24",
	"1.28": "2024-11-26", "1.29": "2025-03-23", "1.30": "2025-07-23", "1.31": "2025-11-26", "1.32": "2026-03-23", "1.33": "2026-07-29",
}

func awsEKSCluster(c *costing) {
	v := c.str("version", false)
	if end, ok := eksStandardSupportEnds[v]; ok && c.e.opts.Today.Format(time.DateOnly) > end {
		c.add(fmt.Sprintf("EKS cluster (Kubernetes %s, extended support)", v), c.key("aws", "eks", "cluster-hour-extended"), c.e.hours.Mul(c.count), false,
			fmt.Sprintf("Kubernetes %s left standard support on %s: the extended support rate applies", v, end))
		return
	}
	c.hourly("EKS cluster", c.key("aws", "eks", "cluster-hour"), Int(1))
}

func awsEKSNodeGroup(c *costing) {
	sc := c.block("scaling_config")
	nodes, ok := numOf(sc["desired_size"], Dec{})
	if !ok || sc == nil {
		c.fail("scaling_config.desired_size is not known")
		return
	}
	tmpl := c.launchTemplate()
	typ := "t3.medium"
	if types, ok := c.attr("instance_types").([]any); ok && len(types) > 0 {
		typ, _ = types[0].(string)
		if len(types) > 1 {
			c.note("several instance_types: priced as %s", typ)
		}
	} else if t, ok := tmpl["instance_type"].(string); ok && t != "" {
		typ = t
	} else {
		c.note("instance_types not set: t3.medium assumed (the EKS default)")
	}
	if c.str("capacity_type", false) == "SPOT" {
		c.note("spot: priced at the on-demand rate, the most spot capacity can cost")
	}
	if v, given, ok := c.usageNumber("instances", "number of nodes"); ok && given {
		nodes = v
	}
	tenancy, _ := firstBlock(tmpl["placement"])["tenancy"].(string)
	key, label, assumption, ok := c.ec2Rate(typ, tenancy)
	if !ok {
		return
	}
	if key != "" { // "": on Dedicated Hosts
		c.add(fmt.Sprintf("Nodes (%s × %s, %s)", nodes, typ, label), key, c.e.hours.Mul(c.count).Mul(nodes), false, assumption)
		c.cpuCredits(typ, nodes, firstBlock(tmpl["credit_specification"]))
	}
	if tmpl != nil {
		// With a launch template, the template's volumes are the nodes'
		// (EKS refuses disk_size then).
		c.templateVolumes(tmpl, nodes, Int(20))
		return
	}
	disk, _ := c.num("disk_size", Int(20))
	c.monthly(fmt.Sprintf("Node volumes (gp2, %s GB × %s)", disk, nodes), c.key("aws", "ebs", "gp2"), disk.Mul(nodes))
}

func awsFargateProfile(c *costing) {
	c.usageHourly("Fargate vCPU", c.key("aws", "fargate", "vcpu-hour"), "average_vcpus", "vCPUs of pods")
	c.usageHourly("Fargate memory", c.key("aws", "fargate", "gb-hour"), "average_memory_gb", "GB of pods")
}

// awsMetricAlarm bills each metric an alarm evaluates (a metric_query's
// metrics, not its expressions), at the high-resolution rate when one is
// read more often than each minute; an anomaly detection band is three
// metrics (the metric and its two bounds).
func awsMetricAlarm(c *costing) {
	metrics, high, anomaly := Int(1), false, false
	period := func(v any) {
		if p, ok := numOf(v, Dec{}); ok && p.Sign() > 0 && p.Cmp(Int(60)) < 0 {
			high = true
		}
	}
	period(c.attr("period"))
	if queries := blocks(c.attr("metric_query")); len(queries) > 0 {
		n := int64(0)
		for _, q := range queries {
			if m := firstBlock(q["metric"]); m != nil {
				n++
				period(m["period"])
			}
			if e, _ := q["expression"].(string); strings.Contains(strings.ToUpper(e), "ANOMALY_DETECTION_BAND") {
				anomaly = true
			}
		}
		metrics = Int(max(n, 1))
	}
	name, item := "Standard resolution", "alarm"
	if high {
		name, item = "High resolution", "alarm-high"
	}
	if anomaly {
		name, metrics = name+" anomaly detection", Int(3)
	}
	c.monthly(fmt.Sprintf("%s (%s alarm metrics)", name, metrics), c.key("aws", "cloudwatch", item), metrics)
}

// awsKMSKey bills the key a month and its requests (usage
// monthly_requests): asymmetric keys but RSA 2048 at their own rate.
func awsKMSKey(c *costing) {
	c.monthly("Customer managed key", c.key("aws", "kms", "key"), Int(1))
	spec := c.str("customer_master_key_spec", false)
	if spec == "" {
		spec = c.str("key_spec", false)
	}
	item := "requests"
	if (strings.HasPrefix(spec, "RSA_") && spec != "RSA_2048") || strings.HasPrefix(spec, "ECC_") {
		item = "asymmetric-requests"
	}
	c.usage("Requests", c.key("aws", "kms", item), "monthly_requests", Int(10_000), "requests")
}

// awsSecret bills the secret a month and its API calls (usage
// monthly_requests).
func awsSecret(c *costing) {
	c.monthly("Secret", c.key("aws", "secretsmanager", "secret"), Int(1))
	c.usage("API calls", c.key("aws", "secretsmanager", "api-calls"), "monthly_requests", Int(10_000), "API calls")
}

func awsLogGroup(c *costing) {
	c.usage("Data ingested", c.key("aws", "logs", "ingest"), "monthly_data_ingested_gb", Int(1), "GB")
	c.usage("Storage", c.key("aws", "logs", "storage"), "storage_gb", Int(1), "GB")
	c.usage("Insights queries", c.key("aws", "logs", "scanned"), "monthly_data_scanned_gb", Int(1), "GB scanned")
}

func awsEIP(c *costing) {
	c.hourly("Public IPv4 address", c.key("aws", "eip", "hour"), Int(1))
}

func awsRoute53Zone(c *costing) {
	c.monthly("Hosted zone", "aws/route53/global/zone", Int(1))
	c.usage("Standard queries", "aws/route53/global/queries", "monthly_queries", million, "queries")
}

func awsVPCEndpoint(c *costing) {
	switch t := c.str("vpc_endpoint_type", false); t {
	case "", "Gateway":
		c.note("gateway endpoints are free")
	case "Interface":
		azs := Int(1)
		if s, ok := c.attr("subnet_ids").([]any); ok && len(s) > 0 {
			azs = Int(int64(len(s)))
		} else {
			c.note("subnet_ids not known: one AZ assumed")
		}
		c.hourly(fmt.Sprintf("Interface endpoint (%s AZs)", azs), c.key("aws", "vpce", "hour"), azs)
		gb, _, assumption, ok := c.usageAmount("monthly_data_processed_gb", "GB processed per month", "GB")
		if !ok {
			return
		}
		const pb = 1024 * 1024 // GB
		c.tiered("Data processed", gb.Mul(c.count).Mul(c.months()), []tier{
			{Int(pb), c.key("aws", "vpce", "gb"), "first PB"},
			{Int(5 * pb), c.key("aws", "vpce", "gb-tier2"), "next 4 PB"},
			{Dec{}, c.key("aws", "vpce", "gb-tier3"), "over 5 PB"}}, true, assumption)
	case "GatewayLoadBalancer":
		c.hourly("Gateway Load Balancer endpoint", c.key("aws", "vpce", "gwlb-hour"), Int(1))
		c.usage("Data processed", c.key("aws", "vpce", "gwlb-gb"), "monthly_data_processed_gb", Int(1), "GB")
	default:
		c.fail("vpc_endpoint_type %q is not in the catalog", t)
	}
}

func awsTGWAttachment(c *costing) {
	c.hourly("Transit gateway attachment", c.key("aws", "tgw", "attachment-hour"), Int(1))
	c.usage("Data processed", c.key("aws", "tgw", "gb"), "monthly_data_processed_gb", Int(1), "GB")
}

func awsWebACL(c *costing) {
	c.monthly("Web ACL", c.key("aws", "waf", "acl"), Int(1))
	rules := Int(int64(len(blocks(c.attr("rule")))))
	// Rules inside rule groups bill like the ACL's own (Infracost's keys).
	for _, k := range []string{"rule_group_rules", "managed_rule_group_rules"} {
		if v, given, ok := c.usageNumber(k, "rules in rule groups the ACL uses"); ok && given {
			rules = rules.Add(v)
		}
	}
	if rules.Sign() > 0 {
		c.monthly(fmt.Sprintf("Rules (%s)", rules), c.key("aws", "waf", "rule"), rules)
	}
	c.usage("Requests", c.key("aws", "waf", "requests"), "monthly_requests", million, "requests")
}

func awsTransferServer(c *costing) {
	n := Int(1)
	if p, ok := c.attr("protocols").([]any); ok && len(p) > 0 {
		n = Int(int64(len(p)))
	}
	c.hourly(fmt.Sprintf("Endpoint protocols (%s)", n), c.key("aws", "transfer", "hour"), n)
	c.usage("Data downloaded", c.key("aws", "transfer", "gb"), "monthly_data_downloaded_gb", Int(1), "GB")
	c.usage("Data uploaded", c.key("aws", "transfer", "gb"), "monthly_data_uploaded_gb", Int(1), "GB")
}
