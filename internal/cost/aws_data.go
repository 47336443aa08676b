package cost

// Data services: S3, DynamoDB, EFS, ElastiCache, OpenSearch and Redshift.

import (
	"fmt"
	"strings"
)

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
		for _, ch := range s3Charges[cl.usage] {
			c.usage(fmt.Sprintf("%s (%s)", ch.label, cl.label), c.key("aws", "s3", ch.item), cl.usage+"."+ch.usage, ch.per, ch.what)
		}
	}
	c.dataOut("aws")
}

// s3Charge is one thing a storage class bills besides its storage, by
// Infracost's usage key within the class.
type s3Charge struct {
	usage, label, item, what string
	per                      Dec
}

// s3Charges are each storage class's requests, lifecycle transitions into
// it, retrievals and its other tiers: what S3 lists for the class.
var s3Charges = func() map[string][]s3Charge {
	requests := func(class string) []s3Charge {
		return []s3Charge{
			{"monthly_tier_1_requests", "PUT, COPY, POST, LIST requests", class + "put", "requests", thousand},
			{"monthly_tier_2_requests", "GET, SELECT and other requests", class + "get", "requests", thousand},
		}
	}
	transitions := func(class string) s3Charge {
		return s3Charge{"monthly_lifecycle_transition_requests", "Lifecycle transitions", class + "transition", "transition requests", thousand}
	}
	return map[string][]s3Charge{
		"standard": requests(""),
		"intelligent_tiering": append(requests(""),
			s3Charge{"infrequent_access_storage_gb", "Storage, infrequent access tier", "standard-ia", "GB", Int(1)},
			s3Charge{"archive_access_storage_gb", "Storage, archive access tier", "it-archive", "GB", Int(1)},
			s3Charge{"deep_archive_access_storage_gb", "Storage, deep archive access tier", "it-deep-archive", "GB", Int(1)},
			s3Charge{"monitored_objects", "Monitoring and automation", "it-monitoring", "objects monitored", thousand},
			transitions("intelligent-tiering-")),
		"standard_infrequent_access": append(requests("standard-ia-"), transitions("standard-ia-"),
			s3Charge{"monthly_data_retrieval_gb", "Retrievals", "standard-ia-retrieval", "GB retrieved", Int(1)}),
		"one_zone_infrequent_access": append(requests("one-zone-ia-"), transitions("one-zone-ia-"),
			s3Charge{"monthly_data_retrieval_gb", "Retrievals", "one-zone-ia-retrieval", "GB retrieved", Int(1)}),
		"glacier_flexible_retrieval": append(requests("glacier-"), transitions("glacier-"),
			s3Charge{"monthly_standard_data_retrieval_gb", "Retrievals, standard", "glacier-retrieval-standard", "GB retrieved", Int(1)},
			s3Charge{"monthly_expedited_data_retrieval_gb", "Retrievals, expedited", "glacier-retrieval-expedited", "GB retrieved", Int(1)},
			s3Charge{"monthly_expedited_data_retrieval_requests", "Retrieval requests, expedited", "glacier-retrieval-requests-expedited", "retrieval requests", thousand}),
		"glacier_deep_archive": append(requests("deep-archive-"), transitions("deep-archive-"),
			s3Charge{"monthly_standard_data_retrieval_gb", "Retrievals, standard", "deep-archive-retrieval-standard", "GB retrieved", Int(1)},
			s3Charge{"monthly_bulk_data_retrieval_gb", "Retrievals, bulk", "deep-archive-retrieval-bulk", "GB retrieved", Int(1)},
			s3Charge{"monthly_standard_data_retrieval_requests", "Retrieval requests, standard", "deep-archive-retrieval-requests-standard", "retrieval requests", thousand},
			s3Charge{"monthly_bulk_data_retrieval_requests", "Retrieval requests, bulk", "deep-archive-retrieval-requests-bulk", "retrieval requests", thousand}),
	}
}()

// scalingTargets indexes the Application Auto Scaling targets among
// resources, which set the capacity of what they scale (DynamoDB tables,
// ElastiCache replication groups):
// by resource_id and dimension, and, where the id is known only after
// apply, by the address of the table it names and the dimension.
func scalingTargets(rs []Resource) map[[2]string]*Resource {
	out := map[[2]string]*Resource{}
	for i := range rs {
		r := &rs[i]
		if r.Type != "aws_appautoscaling_target" {
			continue
		}
		dim, _ := r.Attributes["scalable_dimension"].(string)
		switch id := r.Attributes["resource_id"].(type) {
		case string:
			if id != "" && dim != "" {
				out[[2]string{id, dim}] = r
			}
		case Unknown:
			// An index's id also names the index: the table alone is not enough.
			if id.Ref != "" && dim != "" && !strings.Contains(dim, ":index:") {
				out[[2]string{"@" + id.Ref, dim}] = r
			}
		}
	}
	return out
}

// scaledCapacity is a scalable dimension's capacity (a table's or index's
// provisioned capacity, a replication group's shards or replicas): when an
// auto scaling target scales it, the capacity its usage gives (Infracost's
// capacity on the target), else its minimum — the least it runs at; else
// the declared capacity. An assumption says the figure is from usage.
func (c *costing) scaledCapacity(resourceID, dimension string, declared Dec) (capacity Dec, assumption string) {
	t, ok := c.e.scaling[[2]string{resourceID, dimension}]
	if !ok {
		if t, ok = c.e.scaling[[2]string{"@" + c.r.Address, dimension}]; !ok {
			return declared, ""
		}
	}
	what := dimension[strings.IndexByte(dimension, ':')+1:] // "table:ReadCapacityUnits"
	if v, given, err := c.e.opts.Usage.number(t, "capacity"); given && err == nil {
		return v, fmt.Sprintf("%s auto scaled: %s on average (usage capacity of %s)", what, v, t.Address)
	}
	lo, okLo := numOf(t.Attributes["min_capacity"], Dec{})
	hi, _ := numOf(t.Attributes["max_capacity"], Dec{})
	if !okLo {
		return declared, ""
	}
	c.note("%s is auto scaled between %s and %s: priced at the minimum, %s (usage capacity on %s sets the average)", what, lo, hi, lo, t.Address)
	return lo, ""
}

func awsDynamoDB(c *costing) {
	if c.str("billing_mode", false) == "PAY_PER_REQUEST" {
		c.usage("Write request units", c.key("aws", "dynamodb", "write-requests"), "monthly_write_request_units", million, "write request units")
		c.usage("Read request units", c.key("aws", "dynamodb", "read-requests"), "monthly_read_request_units", million, "read request units")
		c.dynamoReplicas(true, Dec{})
	} else {
		name := "table/" + c.str("name", false)
		w, _ := c.num("write_capacity", Dec{})
		r, _ := c.num("read_capacity", Dec{})
		w, wUsage := c.scaledCapacity(name, "dynamodb:table:WriteCapacityUnits", w)
		r, rUsage := c.scaledCapacity(name, "dynamodb:table:ReadCapacityUnits", r)
		// Global secondary indexes have their own provisioned capacity.
		for _, gsi := range blocks(c.attr("global_secondary_index")) {
			gw, _ := numOf(gsi["write_capacity"], Dec{})
			gr, _ := numOf(gsi["read_capacity"], Dec{})
			index, _ := gsi["name"].(string)
			gw, _ = c.scaledCapacity(name+"/index/"+index, "dynamodb:index:WriteCapacityUnits", gw)
			gr, _ = c.scaledCapacity(name+"/index/"+index, "dynamodb:index:ReadCapacityUnits", gr)
			w, r = w.Add(gw), r.Add(gr)
		}
		hours := c.e.hours.Mul(c.count)
		c.add(fmt.Sprintf("Provisioned write capacity (%s WCU)", w), c.key("aws", "dynamodb", "wcu"), hours.Mul(w), wUsage != "", wUsage)
		c.add(fmt.Sprintf("Provisioned read capacity (%s RCU)", r), c.key("aws", "dynamodb", "rcu"), hours.Mul(r), rUsage != "", rUsage)
		c.dynamoReplicas(false, w)
	}
	c.usage("Storage", c.key("aws", "dynamodb", "storage"), "storage_gb", Int(1), "GB")
	// Continuous backups and streams bill only when on; usage that gives
	// their volume says they are (the table may turn them on elsewhere).
	if pitr := c.block("point_in_time_recovery"); (pitr != nil && pitr["enabled"] == true) || c.usageGiven("pitr_backup_storage_gb") {
		c.usage("Point-in-time recovery backups", c.key("aws", "dynamodb", "pitr"), "pitr_backup_storage_gb", Int(1), "GB")
	}
	c.usage("On-demand backups", c.key("aws", "dynamodb", "backup"), "on_demand_backup_storage_gb", Int(1), "GB")
	c.usage("Restores", c.key("aws", "dynamodb", "restore"), "monthly_data_restored_gb", Int(1), "GB restored")
	if c.boolean("stream_enabled") || c.usageGiven("monthly_streams_read_request_units") {
		c.usage("Streams read request units", c.key("aws", "dynamodb", "streams-reads"), "monthly_streams_read_request_units", Int(100_000), "streams read request units")
	}
}

// dynamoReplicas prices a global table's replicas: each replica region
// bills the table's writes again — replicated write capacity (wcu) or, on
// demand, request units, at that region's write rates, which AWS made the
// same in November 2024 — and stores a copy of the table.
func (c *costing) dynamoReplicas(onDemand bool, wcu Dec) {
	for _, rep := range blocks(c.attr("replica")) {
		region, ok := rep["region_name"].(string)
		if !ok || region == "" {
			c.fail("replica: region_name is not known")
			return
		}
		if region == c.r.Region {
			c.note("a replica in %s, the table's own region, is the table itself", region)
			continue
		}
		key := func(item string) string { return "aws/dynamodb/" + region + "/" + item }
		if onDemand {
			c.usage(fmt.Sprintf("Replicated write request units (%s)", region), key("write-requests"), "monthly_write_request_units", million, "write request units")
		} else {
			c.hourly(fmt.Sprintf("Replicated write capacity (%s, %s rWCU)", region, wcu), key("wcu"), wcu)
		}
		c.usage(fmt.Sprintf("Replica storage (%s)", region), key("storage"), "storage_gb", Int(1), "GB")
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
		// Only what is provisioned above the baseline the Standard storage
		// earns (50 KB/s a GB) is billed.
		billed, assumption := mibps, ""
		if gb, given, err := c.e.opts.Usage.number(c.r, "storage_gb"); given && err == nil && item == "standard" {
			base := gb.Mul(D("0.05"))
			billed = mibps.Sub(base).Max(Dec{})
			assumption = fmt.Sprintf("%s MB/s provisioned less the %s MB/s baseline of %s GB of Standard storage (usage storage_gb)", mibps, base, gb)
		}
		c.add(fmt.Sprintf("Provisioned throughput (%s MB/s above the baseline)", billed), c.key("aws", "efs", "provisioned-throughput"), billed.Mul(c.count).Mul(c.months()), assumption != "", assumption)
	case "elastic":
		c.note("elastic throughput is billed per GB read and written, which this estimate does not include")
	}
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
	c.cacheNodes(node, n, "")
	c.cacheBackups()
}

// cacheBackups prices the backups Redis and Valkey keep beyond the first
// (which is free): snapshot_storage_size_gb (usage) for each day of
// snapshot_retention_limit after the first.
func (c *costing) cacheBackups() {
	if c.str("engine", false) == "memcached" {
		return
	}
	days, _ := c.num("snapshot_retention_limit", Dec{})
	if days.Cmp(Int(1)) <= 0 {
		return
	}
	size, given, ok := c.usageNumber("snapshot_storage_size_gb", "GB of one backup")
	if !ok {
		return
	}
	kept := days.Sub(Int(1))
	assumption := fmt.Sprintf("%s GB a backup (usage snapshot_storage_size_gb) × %s days kept beyond the free one", size, kept)
	if !given {
		assumption = fmt.Sprintf("no usage given: 0 GB a backup assumed; set usage %s.snapshot_storage_size_gb", c.r.Address)
	}
	c.add(fmt.Sprintf("Backup storage (%s days beyond the first)", kept), c.key("aws", "elasticache", "backup-storage"), size.Mul(kept).Mul(c.count).Mul(c.months()), true, assumption)
}

// cacheNodes prices n nodes: Valkey has its own (lower) rate, Redis and
// Memcached one rate; a reservation its reserved rate. scaled, when not
// empty, says auto scaling targets set n.
func (c *costing) cacheNodes(node string, n Dec, scaled string) {
	key, label := c.key("aws", "elasticache", node), ""
	if c.str("engine", false) == "valkey" {
		key, label = key+"/valkey", "Valkey "
	}
	key, assumption := c.reservation(key, node, false)
	if scaled != "" {
		assumption = strings.Trim(scaled+"; "+assumption, "; ")
	}
	c.add(fmt.Sprintf("%sCache nodes (%s × %s)", label, n, node), key, c.e.hours.Mul(c.count).Mul(n), scaled != "", assumption)
}

// awsElastiCacheReplicationGroup prices a replication group's nodes: its
// cache clusters (num_cache_clusters, or the older number_cache_clusters),
// or in cluster mode its shards × (1 + replicas each), from the top-level
// attributes or the older cluster_mode block, as auto scaling targets set
// them when they scale the group.
func awsElastiCacheReplicationGroup(c *costing) {
	node := c.str("node_type", true)
	if node == "" {
		return
	}
	n, _ := c.num("num_cache_clusters", Dec{})
	if n.IsZero() {
		n, _ = c.num("number_cache_clusters", Dec{})
	}
	if n.IsZero() {
		mode := c.block("cluster_mode")
		groups, _ := c.num("num_node_groups", Dec{})
		if groups.IsZero() {
			groups, _ = numOf(mode["num_node_groups"], Int(1))
		}
		replicas, _ := c.num("replicas_per_node_group", Dec{})
		if replicas.IsZero() {
			replicas, _ = numOf(mode["replicas_per_node_group"], Dec{})
		}
		id := "replication-group/" + c.str("replication_group_id", false)
		var scaled []string
		groups, a := c.scaledCapacity(id, "elasticache:replication-group:NodeGroups", groups)
		scaled = append(scaled, a)
		replicas, a = c.scaledCapacity(id, "elasticache:replication-group:Replicas", replicas)
		scaled = append(scaled, a)
		n = groups.Mul(replicas.Add(Int(1)))
		c.cacheNodes(node, n, strings.Trim(strings.Join(scaled, "; "), "; "))
		c.cacheBackups()
		return
	}
	c.cacheNodes(node, n, "")
	c.cacheBackups()
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
		wt = strings.Replace(wt, ".elasticsearch", ".search", 1)
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
	if iops, _ := numOf(ebs["iops"], Dec{}); vt == "io1" && iops.Sign() > 0 {
		c.monthly(fmt.Sprintf("Provisioned IOPS (%s × %s)", iops, n), c.key("aws", "opensearch", "iops-io1"), iops.Mul(n))
	}
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
	// Concurrency scaling beyond the free credits bills the cluster's
	// nodes by the second at their on-demand rate.
	if secs, _, assumption, ok := c.usageAmount("excess_concurrency_scaling_secs", "seconds of concurrency scaling beyond the free credits", "seconds beyond the free credits"); ok {
		c.add(fmt.Sprintf("Concurrency scaling (%s × %s)", n, node), c.key("aws", "redshift", node), secs.Mul(n).Mul(c.count).Mul(c.months()).Div(Int(3600)), true, assumption)
	}
	c.usage("Spectrum", c.key("aws", "redshift", "spectrum"), "spectrum_data_scanned_tb", Int(1), "TB scanned")
	if gb, _, assumption, ok := c.usageAmount("backup_storage_gb", "GB of backups beyond the free allowance", "GB of backups"); ok {
		c.tiered("Backup storage", gb.Mul(c.count).Mul(c.months()), []tier{
			{Int(50 * 1024), c.key("aws", "redshift", "backup-1"), "first 50 TB"},
			{Int(500 * 1024), c.key("aws", "redshift", "backup-2"), "next 450 TB"},
			{Dec{}, c.key("aws", "redshift", "backup-3"), "over 500 TB"}}, true, assumption)
	}
}
