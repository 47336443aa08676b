package cost

// AWS services priced beyond compute and storage: load balancers, EKS,
// S3, Lambda, logs, addresses, DNS and what follows.

import "fmt"

func awsLB(c *costing) {
	switch t := c.str("load_balancer_type", false); t {
	case "", "application":
		c.hourly("Application load balancer", c.key("aws", "elb", "alb-hour"), Int(1))
		c.usageHourly("Load balancer capacity units", c.key("aws", "elb", "alb-lcu"), "average_lcus", "LCUs")
	case "network":
		c.hourly("Network load balancer", c.key("aws", "elb", "nlb-hour"), Int(1))
		c.usageHourly("Network load balancer capacity units", c.key("aws", "elb", "nlb-lcu"), "average_nlcus", "NLCUs")
	default:
		c.fail("load_balancer_type %q is not in the catalog", t)
	}
	c.dataOut("aws")
}

func awsClassicLB(c *costing) {
	c.hourly("Classic load balancer", c.key("aws", "elb", "clb-hour"), Int(1))
	c.usage("Data processed", c.key("aws", "elb", "clb-gb"), "monthly_data_processed_gb", Int(1), "GB")
}

func awsEKSCluster(c *costing) {
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
	c.hourly(fmt.Sprintf("Nodes (%s × %s, on-demand)", nodes, typ), c.key("aws", "ec2", typ), nodes)
	disk, _ := c.num("disk_size", Int(20))
	c.monthly(fmt.Sprintf("Node volumes (gp2, %s GB × %s)", disk, nodes), c.key("aws", "ebs", "gp2"), disk.Mul(nodes))
}

func awsFargateProfile(c *costing) {
	c.usageHourly("Fargate vCPU", c.key("aws", "fargate", "vcpu-hour"), "average_vcpus", "vCPUs of pods")
	c.usageHourly("Fargate memory", c.key("aws", "fargate", "gb-hour"), "average_memory_gb", "GB of pods")
}

func awsS3Bucket(c *costing) {
	c.usage("Storage (Standard)", c.key("aws", "s3", "standard"), "storage_gb", Int(1), "GB")
	c.usage("PUT, COPY, POST, LIST requests", c.key("aws", "s3", "put"), "monthly_tier_1_requests", thousand, "requests")
	c.usage("GET, SELECT and other requests", c.key("aws", "s3", "get"), "monthly_tier_2_requests", thousand, "requests")
	c.dataOut("aws")
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
	gbs := reqs.Mul(ms).Div(thousand).Mul(mem).Div(Int(1024))
	assumption := fmt.Sprintf("%s requests × %s ms × %s MB per month", reqs, ms, mem)
	if !given || !msGiven {
		assumption = fmt.Sprintf("no usage given: set usage %s.monthly_requests and request_duration_ms (%s MB, %s)", c.r.Address, mem, arch)
	}
	c.add(fmt.Sprintf("Duration (%s MB, %s)", mem, arch), c.key("aws", "lambda", item), gbs.Mul(c.count).Mul(c.months()), true, assumption)
}

func awsLogGroup(c *costing) {
	c.usage("Data ingested", c.key("aws", "logs", "ingest"), "monthly_data_ingested_gb", Int(1), "GB")
	c.usage("Storage", c.key("aws", "logs", "storage"), "storage_gb", Int(1), "GB")
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

func awsDynamoDB(c *costing) {
	if c.str("billing_mode", false) == "PAY_PER_REQUEST" {
		c.usage("Write request units", c.key("aws", "dynamodb", "write-requests"), "monthly_write_request_units", million, "write request units")
		c.usage("Read request units", c.key("aws", "dynamodb", "read-requests"), "monthly_read_request_units", million, "read request units")
	} else {
		w, _ := c.num("write_capacity", Dec{})
		r, _ := c.num("read_capacity", Dec{})
		c.hourly(fmt.Sprintf("Provisioned write capacity (%s WCU)", w), c.key("aws", "dynamodb", "wcu"), w)
		c.hourly(fmt.Sprintf("Provisioned read capacity (%s RCU)", r), c.key("aws", "dynamodb", "rcu"), r)
	}
	c.usage("Storage", c.key("aws", "dynamodb", "storage"), "storage_gb", Int(1), "GB")
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

func awsHTTPAPI(c *costing) {
	if p := c.str("protocol_type", false); p != "" && p != "HTTP" {
		c.fail("protocol_type %s is not in the catalog (HTTP APIs are)", p)
		return
	}
	c.usage("Requests", c.key("aws", "apigw", "http-requests"), "monthly_requests", million, "requests")
}

func awsKinesisStream(c *costing) {
	if m := c.block("stream_mode_details"); m != nil && m["stream_mode"] == "ON_DEMAND" {
		c.fail("on-demand mode is not in the catalog")
		return
	}
	shards, ok := c.num("shard_count", Dec{})
	if !ok || shards.IsZero() {
		c.fail("shard_count is not known")
		return
	}
	c.hourly(fmt.Sprintf("Shards (%s)", shards), c.key("aws", "kinesis", "shard-hour"), shards)
	c.usage("PUT payload units", c.key("aws", "kinesis", "put-units"), "monthly_put_units", million, "PUT payload units")
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
	if n := len(blocks(c.attr("rule"))); n > 0 {
		c.monthly(fmt.Sprintf("Rules (%d)", n), c.key("aws", "waf", "rule"), Int(int64(n)))
	}
	c.usage("Requests", c.key("aws", "waf", "requests"), "monthly_requests", million, "requests")
}

func awsTransferServer(c *costing) {
	n := Int(1)
	if p, ok := c.attr("protocols").([]any); ok && len(p) > 0 {
		n = Int(int64(len(p)))
	}
	c.hourly(fmt.Sprintf("Endpoint protocols (%s)", n), c.key("aws", "transfer", "hour"), n)
}
