package cost

// AWS services priced beyond compute and storage: load balancers, EKS,
// S3, Lambda, logs, addresses, DNS and what follows.

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
	typ := "t3.medium"
	if types, ok := c.attr("instance_types").([]any); ok && len(types) > 0 {
		typ, _ = types[0].(string)
		if len(types) > 1 {
			c.note("several instance_types: priced as %s", typ)
		}
	} else {
		c.note("instance_types not set: t3.medium assumed (the EKS default)")
	}
	if c.str("capacity_type", false) == "SPOT" {
		c.note("spot: priced at the on-demand rate, the most spot capacity can cost")
	}
	if v, given, ok := c.usageNumber("instances", "number of nodes"); ok && given {
		nodes = v
	}
	key, label, assumption, ok := c.ec2Rate(typ)
	if !ok {
		return
	}
	c.add(fmt.Sprintf("Nodes (%s × %s, %s)", nodes, typ, label), key, c.e.hours.Mul(c.count).Mul(nodes), false, assumption)
	disk, _ := c.num("disk_size", Int(20))
	c.monthly(fmt.Sprintf("Node volumes (gp2, %s GB × %s)", disk, nodes), c.key("aws", "ebs", "gp2"), disk.Mul(nodes))
}

func awsFargateProfile(c *costing) {
	c.usageHourly("Fargate vCPU", c.key("aws", "fargate", "vcpu-hour"), "average_vcpus", "vCPUs of pods")
	c.usageHourly("Fargate memory", c.key("aws", "fargate", "gb-hour"), "average_memory_gb", "GB of pods")
}

// s3Classes are the storage classes of Infracost's nested S3 usage
// (standard.storage_gb...) and their catalog items.
var s3Classes = []struct{ usage, item, label string }{
	{"standard", "standard", "Standard"},
	{"intelligent_tiering", "intelligent-tiering", "Intelligent-Tiering"},
	{"standard_infrequent_access", "standard-ia", "Standard-IA"},
	{"one_zone_infrequent_access", "one-zone-ia", "One Zone-IA"},
	{"glacier_flexible_retrieval", "glacier", "Glacier Flexible Retrieval"},
	{"glacier_deep_archive", "deep-archive", "Glacier Deep Archive"},
}

func awsS3Bucket(c *costing) {
	// Infracost nests usage by storage class; opsmcp also reads the
	// flat keys as Standard.
	if _, flat, _ := c.e.opts.Usage.number(c.r, "storage_gb"); flat {
		c.usage("Storage (Standard)", c.key("aws", "s3", "standard"), "storage_gb", Int(1), "GB")
		c.usage("PUT, COPY, POST, LIST requests", c.key("aws", "s3", "put"), "monthly_tier_1_requests", thousand, "requests")
		c.usage("GET, SELECT and other requests", c.key("aws", "s3", "get"), "monthly_tier_2_requests", thousand, "requests")
		c.dataOut("aws")
		return
	}
	for _, cl := range s3Classes {
		storage := cl.usage + ".storage_gb"
		if cl.usage == "intelligent_tiering" {
			storage = cl.usage + ".frequent_access_storage_gb"
		}
		if _, given, _ := c.usageNumber(storage, "GB stored in "+cl.label); !given && cl.usage != "standard" {
			continue
		}
		c.usage(fmt.Sprintf("Storage (%s)", cl.label), c.key("aws", "s3", cl.item), storage, Int(1), "GB")
		if cl.usage == "intelligent_tiering" {
			c.usage("Storage (Intelligent-Tiering, infrequent access)", c.key("aws", "s3", "standard-ia"), cl.usage+".infrequent_access_storage_gb", Int(1), "GB")
			c.usage("Intelligent-Tiering monitoring", c.key("aws", "s3", "it-monitoring"), cl.usage+".monitored_objects", thousand, "objects monitored")
		}
		if cl.usage == "standard" || cl.usage == "intelligent_tiering" {
			c.usage(fmt.Sprintf("PUT, COPY, POST, LIST requests (%s)", cl.label), c.key("aws", "s3", "put"), cl.usage+".monthly_tier_1_requests", thousand, "requests")
			c.usage(fmt.Sprintf("GET, SELECT and other requests (%s)", cl.label), c.key("aws", "s3", "get"), cl.usage+".monthly_tier_2_requests", thousand, "requests")
		}
	}
	c.dataOut("aws")
}

// requestChunks is how many billed requests one is for SQS and SNS,
// which bill each 64 KB of a request as one (usage request_size_kb).
func (c *costing) requestChunks() Dec { return c.meteredIn("request_size_kb", 64) }

func awsSQS(c *costing) {
	c.requestsTiered("Requests", "monthly_requests", "requests", c.requestChunks(), []tier{{Dec{}, c.key("aws", "sqs", "requests"), ""}})
}

func awsSNS(c *costing) {
	c.requestsTiered("Publishes", "monthly_requests", "publishes", c.requestChunks(), []tier{{Dec{}, c.key("aws", "sns", "requests"), ""}})
}

func awsLambda(c *costing) {
	mem, _ := c.num("memory_size", Int(128))
	arch, item := "x86_64", "gb-second"
	if a, ok := c.attr("architectures").([]any); ok && len(a) > 0 && a[0] == "arm64" {
		arch, item = "arm64", "gb-second-arm"
	}
	c.usage("Requests", c.key("aws", "lambda", "requests"), "monthly_requests", million, "requests")
	reqs, given, ok := c.usageNumber("monthly_requests", "requests per month")
	ms, msGiven, msOK := c.usageNumber("request_duration_ms", "average duration of a request in milliseconds")
	if !ok || !msOK {
		return
	}
	// Duration is billed per GB-second of memory configured, in tiers
	// per month: the first 6 billion GB-seconds, the next 9 billion, then
	// the rest.
	gbs := reqs.Mul(ms).Div(thousand).Mul(mem).Div(Int(1024)).Mul(c.count).Mul(c.months())
	assumption := fmt.Sprintf("%s requests × %s ms × %s MB per month", reqs, ms, mem)
	if !given || !msGiven {
		assumption = fmt.Sprintf("no usage given: set usage %s.monthly_requests and request_duration_ms (%s MB, %s)", c.r.Address, mem, arch)
	}
	c.tiered(fmt.Sprintf("Duration (%s MB, %s)", mem, arch), gbs, []tier{
		{Int(6_000_000_000), c.key("aws", "lambda", item), "first 6B GB-seconds"},
		{Int(15_000_000_000), c.key("aws", "lambda", item+"-tier2"), "next 9B GB-seconds"},
		{Dec{}, c.key("aws", "lambda", item+"-tier3"), "over 15B GB-seconds"},
	}, true, assumption)
	// Ephemeral storage above the 512 MB included, per GB-second.
	if st := c.block("ephemeral_storage"); st != nil {
		if size, ok := numOf(st["size"], Int(512)); ok && size.Cmp(Int(512)) > 0 {
			extra := size.Sub(Int(512)).Div(Int(1024))
			c.add(fmt.Sprintf("Ephemeral storage (%s MB over the 512 included)", size.Sub(Int(512))), c.key("aws", "lambda", "ephemeral-gb-second"),
				reqs.Mul(ms).Div(thousand).Mul(extra).Mul(c.count).Mul(c.months()), true, assumption)
		}
	}
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

func awsElastiCacheCluster(c *costing) {
	if c.attr("replication_group_id") != nil {
		c.note("a member of a replication group: its nodes are priced on the aws_elasticache_replication_group")
		return
	}
	node := c.str("node_type", true)
	if node == "" {
		return
	}
	n, _ := c.num("num_cache_nodes", Int(1))
	c.cacheNodes(node, n)
}

// cacheNodes prices n nodes: Valkey has its own (lower) rate, Redis and
// Memcached one rate; a reservation its reserved rate.
func (c *costing) cacheNodes(node string, n Dec) {
	key, label := c.key("aws", "elasticache", node), ""
	if c.str("engine", false) == "valkey" {
		key, label = key+"/valkey", "Valkey "
	}
	key, assumption := c.reservation(key, node, false)
	c.add(fmt.Sprintf("%sCache nodes (%s × %s)", label, n, node), key, c.e.hours.Mul(c.count).Mul(n), false, assumption)
}

func awsElastiCacheReplicationGroup(c *costing) {
	node := c.str("node_type", true)
	if node == "" {
		return
	}
	n, _ := c.num("num_cache_clusters", Dec{})
	if n.IsZero() {
		groups, _ := c.num("num_node_groups", Int(1))
		replicas, _ := c.num("replicas_per_node_group", Dec{})
		n = groups.Mul(replicas.Add(Int(1)))
	}
	c.cacheNodes(node, n)
}

// scalingTargets indexes the Application Auto Scaling targets among
// resources, which set the capacity of what they scale (DynamoDB tables).
func scalingTargets(rs []Resource) map[[2]string]map[string]any {
	out := map[[2]string]map[string]any{}
	for _, r := range rs {
		if r.Type != "aws_appautoscaling_target" {
			continue
		}
		id, _ := r.Attributes["resource_id"].(string)
		dim, _ := r.Attributes["scalable_dimension"].(string)
		if id != "" && dim != "" {
			out[[2]string{id, dim}] = r.Attributes
		}
	}
	return out
}

// scaledCapacity is a table's (or index's) provisioned capacity: an
// auto scaling target's minimum when one scales it — the least it runs at
// — else the declared capacity.
func (c *costing) scaledCapacity(resourceID, dimension string, declared Dec) Dec {
	t, ok := c.e.scaling[[2]string{resourceID, dimension}]
	if !ok {
		return declared
	}
	lo, okLo := numOf(t["min_capacity"], Dec{})
	hi, _ := numOf(t["max_capacity"], Dec{})
	if !okLo {
		return declared
	}
	c.note("%s is auto scaled between %s and %s: priced at the minimum, %s", strings.TrimPrefix(dimension, "dynamodb:"), lo, hi, lo)
	return lo
}

func awsDynamoDB(c *costing) {
	if c.str("billing_mode", false) == "PAY_PER_REQUEST" {
		c.usage("Write request units", c.key("aws", "dynamodb", "write-requests"), "monthly_write_request_units", million, "write request units")
		c.usage("Read request units", c.key("aws", "dynamodb", "read-requests"), "monthly_read_request_units", million, "read request units")
	} else {
		name := "table/" + c.str("name", false)
		w, _ := c.num("write_capacity", Dec{})
		r, _ := c.num("read_capacity", Dec{})
		w = c.scaledCapacity(name, "dynamodb:table:WriteCapacityUnits", w)
		r = c.scaledCapacity(name, "dynamodb:table:ReadCapacityUnits", r)
		// Global secondary indexes have their own provisioned capacity.
		for _, gsi := range blocks(c.attr("global_secondary_index")) {
			gw, _ := numOf(gsi["write_capacity"], Dec{})
			gr, _ := numOf(gsi["read_capacity"], Dec{})
			index, _ := gsi["name"].(string)
			gw = c.scaledCapacity(name+"/index/"+index, "dynamodb:index:WriteCapacityUnits", gw)
			gr = c.scaledCapacity(name+"/index/"+index, "dynamodb:index:ReadCapacityUnits", gr)
			w, r = w.Add(gw), r.Add(gr)
		}
		c.hourly(fmt.Sprintf("Provisioned write capacity (%s WCU)", w), c.key("aws", "dynamodb", "wcu"), w)
		c.hourly(fmt.Sprintf("Provisioned read capacity (%s RCU)", r), c.key("aws", "dynamodb", "rcu"), r)
	}
	c.usage("Storage", c.key("aws", "dynamodb", "storage"), "storage_gb", Int(1), "GB")
	if pitr := c.block("point_in_time_recovery"); pitr != nil && pitr["enabled"] == true {
		c.usage("Point-in-time recovery backups", c.key("aws", "dynamodb", "pitr"), "pitr_backup_storage_gb", Int(1), "GB")
	}
	c.usage("On-demand backups", c.key("aws", "dynamodb", "backup"), "on_demand_backup_storage_gb", Int(1), "GB")
	c.usage("Restores", c.key("aws", "dynamodb", "restore"), "monthly_data_restored_gb", Int(1), "GB restored")
	if c.boolean("stream_enabled") {
		c.usage("Streams read request units", c.key("aws", "dynamodb", "streams-reads"), "monthly_streams_read_request_units", Int(100_000), "streams read request units")
	}
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
		c.usage("Data processed", c.key("aws", "vpce", "gb"), "monthly_data_processed_gb", Int(1), "GB")
	default:
		c.fail("vpc_endpoint_type %q is not in the catalog", t)
	}
}

// requestsTiered prices a usage count of requests per month through
// per-million tiers; per is how many billed requests one is (a large
// request is metered as several).
func (c *costing) requestsTiered(name, usageKey, what string, per Dec, tiers []tier) {
	v, given, ok := c.usageNumber(usageKey, name+": "+what+" per month")
	if !ok {
		return
	}
	assumption := fmt.Sprintf("%s %s per month (usage %s)", v, what, usageKey)
	if !given {
		assumption = fmt.Sprintf("no usage given: 0 %s per month assumed; set usage %s.%s", what, c.r.Address, usageKey)
	}
	for i := range tiers {
		tiers[i].upTo = tiers[i].upTo.Div(million) // tiers are priced per million
	}
	c.tiered(name, v.Mul(per).Mul(c.count).Mul(c.months()).Div(million), tiers, true, assumption)
}

// meteredIn is how many billed units a size in KB is, metered in
// increments of step KB (a 600 KB request is two 512 KB requests).
func (c *costing) meteredIn(usageKey string, step int64) Dec {
	size, given, ok := c.usageNumber(usageKey, fmt.Sprintf("average size in KB, metered in %d KB increments", step))
	if !ok || !given || size.Sign() <= 0 {
		return Int(1)
	}
	return size.Div(Int(step)).Ceil()
}

func awsRESTAPI(c *costing) {
	c.requestsTiered("Requests", "monthly_requests", "requests", Int(1), []tier{
		{Int(333_000_000), c.key("aws", "apigw", "rest-requests"), "first 333M"},
		{Int(1_000_000_000), c.key("aws", "apigw", "rest-requests-tier2"), "next 667M"},
		{Int(20_000_000_000), c.key("aws", "apigw", "rest-requests-tier3"), "next 19B"},
		{Dec{}, c.key("aws", "apigw", "rest-requests-tier4"), "over 20B"},
	})
}

func awsHTTPAPI(c *costing) {
	switch p := c.str("protocol_type", false); p {
	case "", "HTTP":
		c.requestsTiered("Requests", "monthly_requests", "requests", c.meteredIn("request_size_kb", 512), []tier{
			{Int(300_000_000), c.key("aws", "apigw", "http-requests"), "first 300M"},
			{Dec{}, c.key("aws", "apigw", "http-requests-tier2"), "over 300M"},
		})
	case "WEBSOCKET":
		c.requestsTiered("Messages", "monthly_messages", "messages", c.meteredIn("message_size_kb", 32), []tier{
			{Int(1_000_000_000), c.key("aws", "apigw", "websocket-messages"), "first 1B"},
			{Dec{}, c.key("aws", "apigw", "websocket-messages-tier2"), "over 1B"},
		})
		c.usage("Connection minutes", c.key("aws", "apigw", "websocket-minutes"), "monthly_connection_mins", million, "connection minutes")
	default:
		c.fail("protocol_type %q is not HTTP or WEBSOCKET", p)
	}
}

func awsKinesisStream(c *costing) {
	extended := false
	if h, ok := c.num("retention_period", Int(24)); ok && h.Cmp(Int(24)) > 0 {
		extended = true
	}
	if m := c.block("stream_mode_details"); m != nil && m["stream_mode"] == "ON_DEMAND" {
		c.hourly("Stream (on-demand)", c.key("aws", "kinesis", "on-demand-stream-hour"), Int(1))
		c.usage("Data ingested", c.key("aws", "kinesis", "on-demand-in"), "monthly_on_demand_data_in_gb", Int(1), "GB in")
		c.usage("Data retrieved", c.key("aws", "kinesis", "on-demand-out"), "monthly_on_demand_data_out_gb", Int(1), "GB out")
		if extended {
			c.usage("Extended retention", c.key("aws", "kinesis", "on-demand-extended-retention"), "monthly_on_demand_extended_retention_gb", Int(1), "GB kept 1–7 days")
		}
		return
	}
	shards, ok := c.num("shard_count", Dec{})
	if !ok || shards.IsZero() {
		c.fail("shard_count is not known")
		return
	}
	c.hourly(fmt.Sprintf("Shards (%s)", shards), c.key("aws", "kinesis", "shard-hour"), shards)
	c.usage("PUT payload units", c.key("aws", "kinesis", "put-units"), "monthly_provisioned_put_units", million, "PUT payload units (25 KB each)")
	if extended {
		c.hourly(fmt.Sprintf("Extended retention (%s shards)", shards), c.key("aws", "kinesis", "extended-retention-shard-hour"), shards)
	}
}

func awsEFS(c *costing) {
	name, item := "Storage (Standard)", "standard"
	if c.attr("availability_zone_name") != nil {
		name, item = "Storage (One Zone)", "one-zone"
	}
	c.usage(name, c.key("aws", "efs", item), "storage_gb", Int(1), "GB")
	switch c.str("throughput_mode", false) {
	case "provisioned":
		mibps, ok := c.num("provisioned_throughput_in_mibps", Dec{})
		if !ok {
			c.fail("provisioned_throughput_in_mibps is not known")
			return
		}
		c.monthly(fmt.Sprintf("Provisioned throughput (%s MB/s)", mibps), c.key("aws", "efs", "provisioned-throughput"), mibps)
	case "elastic":
		c.note("elastic throughput is billed per GB read and written, which this estimate does not include")
	}
}

func awsTGWAttachment(c *costing) {
	c.hourly("Transit gateway attachment", c.key("aws", "tgw", "attachment-hour"), Int(1))
	c.usage("Data processed", c.key("aws", "tgw", "gb"), "monthly_data_processed_gb", Int(1), "GB")
}

func awsStateMachine(c *costing) {
	if t := c.str("type", false); t == "EXPRESS" {
		c.fail("EXPRESS state machines are not in the catalog")
		return
	}
	c.usage("State transitions", c.key("aws", "sfn", "transitions"), "monthly_transitions", thousand, "state transitions")
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

func awsOpenSearchDomain(c *costing) {
	cc := c.block("cluster_config")
	typ, _ := cc["instance_type"].(string)
	if typ == "" {
		typ = "m5.large.search" // the provider's default (r5.large on older domains)
		c.note("cluster_config.instance_type not set: m5.large.search assumed")
	}
	typ = strings.Replace(typ, ".elasticsearch", ".search", 1)
	n, _ := numOf(cc["instance_count"], Int(1))
	key, assumption := c.reservation(c.key("aws", "opensearch", typ), typ, false)
	c.add(fmt.Sprintf("Instances (%s × %s)", n, typ), key, c.e.hours.Mul(c.count).Mul(n), false, assumption)
	if cc["dedicated_master_enabled"] == true {
		mt, _ := cc["dedicated_master_type"].(string)
		mn, _ := numOf(cc["dedicated_master_count"], Int(3))
		if mt == "" {
			mt = typ
		}
		mt = strings.Replace(mt, ".elasticsearch", ".search", 1)
		c.hourly(fmt.Sprintf("Dedicated masters (%s × %s)", mn, mt), c.key("aws", "opensearch", mt), mn)
	}
	if cc["warm_enabled"] == true {
		wt, _ := cc["warm_type"].(string)
		wn, _ := numOf(cc["warm_count"], Int(2))
		c.hourly(fmt.Sprintf("UltraWarm nodes (%s × %s)", wn, wt), c.key("aws", "opensearch", wt), wn)
	}
	ebs := c.block("ebs_options")
	if ebs == nil || ebs["ebs_enabled"] == false {
		return
	}
	size, ok := numOf(ebs["volume_size"], Int(10))
	if !ok {
		c.fail("ebs_options.volume_size is not known")
		return
	}
	vt, _ := ebs["volume_type"].(string)
	if vt == "" {
		vt = "gp2"
	}
	c.monthly(fmt.Sprintf("Storage (%s, %s GB × %s)", vt, size, n), c.key("aws", "opensearch", "storage-"+vt), size.Mul(n))
}

func awsRedshiftCluster(c *costing) {
	node := c.str("node_type", true)
	if node == "" {
		return
	}
	n, _ := c.num("number_of_nodes", Int(1))
	key, assumption := c.reservation(c.key("aws", "redshift", node), node, false)
	c.add(fmt.Sprintf("Nodes (%s × %s)", n, node), key, c.e.hours.Mul(c.count).Mul(n), false, assumption)
	if strings.HasPrefix(node, "ra3.") {
		c.usage("Managed storage", c.key("aws", "redshift", "managed-storage"), "managed_storage_gb", Int(1), "GB")
	}
}
