package cost

import (
	"fmt"
	"strconv"
	"strings"
)

// Google Cloud resource types and how each is priced.

func init() {
	for t, m := range map[string]mapper{
		"google_compute_instance":               gcpInstance,
		"google_compute_disk":                   gcpDisk,
		"google_container_cluster":              gkeCluster,
		"google_container_node_pool":            gkeNodePool,
		"google_sql_database_instance":          gcpSQL,
		"google_storage_bucket":                 gcsBucket,
		"google_compute_router_nat":             gcpNAT,
		"google_compute_forwarding_rule":        gcpForwardingRule,
		"google_compute_global_forwarding_rule": gcpForwardingRule,
		"google_compute_address":                gcpAddress,
		"google_compute_global_address":         gcpAddress,
		"google_dns_managed_zone":               func(c *costing) { c.monthly("Managed zone", "gcp/dns/global/zone", Int(1)) },
		"google_cloud_run_service":              gcpCloudRun,
		"google_cloud_run_v2_service":           gcpCloudRun,
		"google_redis_instance":                 gcpRedis,
		"google_pubsub_topic": func(c *costing) {
			c.usage("Message delivery", "gcp/pubsub/global/tib", "monthly_message_data_tb", Int(1), "TiB")
		},
		"google_secret_manager_secret": func(c *costing) {
			c.versionsAndOperations("Active secret versions", "gcp/secretmanager/global/version", "active_secret_versions",
				"Access operations", "gcp/secretmanager/global/operations", "monthly_access_operations")
		},
		"google_kms_crypto_key": func(c *costing) {
			c.versionsAndOperations("Key versions", "gcp/kms/global/key-version", "key_versions",
				"Key operations", "gcp/kms/global/operations", "monthly_key_operations")
		},
		"google_cloudfunctions_function":               gcpFunction,
		"google_compute_instance_group_manager":        gcpInstanceGroupManager,
		"google_compute_region_instance_group_manager": gcpInstanceGroupManager,
	} {
		mappers[t] = m
	}
	for _, t := range strings.Fields(`google_compute_network google_compute_subnetwork google_compute_firewall
		google_compute_router google_project_iam_member google_project_iam_binding google_project_iam_policy
		google_service_account google_service_account_key google_service_account_iam_member google_project_service
		google_storage_bucket_iam_member google_storage_bucket_iam_binding google_compute_instance_template
		google_compute_health_check google_compute_backend_service google_compute_url_map
		google_compute_target_http_proxy google_compute_target_https_proxy google_compute_managed_ssl_certificate
		google_sql_database google_sql_user google_dns_record_set google_pubsub_subscription
		google_secret_manager_secret_version google_kms_key_ring google_compute_route google_compute_network_peering
		google_compute_region_instance_template google_compute_autoscaler google_compute_region_autoscaler`) {
		freeTypes[t] = true
	}
}

// gcpRegionOf finds a Google resource's region: region, or zone/location
// without its zone letter.
func gcpRegionOf(attrs map[string]any) string {
	for _, k := range []string{"region", "zone", "location"} {
		if s, ok := attrs[k].(string); ok && s != "" {
			s = strings.ToLower(s)
			if parts := strings.Split(s, "-"); len(parts) == 3 && len(parts[2]) == 1 {
				return parts[0] + "-" + parts[1]
			}
			return s
		}
	}
	return ""
}

// sqlShape is a Cloud SQL tier's vCPUs and memory: db-custom-CPUS-MB, or
// a legacy predefined db-n1-standard-N (3.75 GB a vCPU) or db-n1-highmem-N
// (6.5 GB a vCPU), priced by vCPU and memory alike.
func sqlShape(tier string) (cpus, gb Dec, err error) {
	parts := strings.Split(tier, "-")
	if len(parts) == 4 && parts[1] == "custom" {
		n, err1 := strconv.Atoi(parts[2])
		mb, err2 := strconv.Atoi(parts[3])
		if err1 == nil && err2 == nil && n > 0 {
			return Int(int64(n)), Int(int64(mb)).Div(Int(1024)), nil
		}
	}
	if len(parts) == 4 && parts[1] == "n1" {
		per := map[string]string{"standard": "3.75", "highmem": "6.5"}[parts[2]]
		n, err := strconv.Atoi(parts[3])
		if per != "" && err == nil && n > 0 {
			return Int(int64(n)), Int(int64(n)).Mul(D(per)), nil
		}
	}
	return Dec{}, Dec{}, fmt.Errorf("tier %q is not db-custom-CPUS-MEMORY_MB, db-n1-standard-N or db-n1-highmem-N", tier)
}

func gcpSQL(c *costing) {
	s := c.block("settings")
	tier, _ := s["tier"].(string)
	if tier == "" {
		c.fail("settings.tier is not set")
		return
	}
	ha, label := Int(1), "zonal"
	if s["availability_type"] == "REGIONAL" {
		ha, label = Int(2), "regional (HA)"
	}
	switch {
	case tier == "db-f1-micro" || tier == "db-g1-small":
		c.hourly(fmt.Sprintf("Instance (%s, %s)", tier, label), c.key("gcp", "sql", tier), ha)
	case strings.HasPrefix(tier, "db-custom-") || strings.HasPrefix(tier, "db-n1-"):
		cpus, gb, err := sqlShape(tier)
		if err != nil {
			c.fail("%v", err)
			return
		}
		if e, _ := s["edition"].(string); e == "ENTERPRISE_PLUS" {
			c.fail("edition ENTERPRISE_PLUS: the catalog has Cloud SQL Enterprise rates only")
			return
		}
		if v, _ := c.attr("database_version").(string); strings.HasPrefix(v, "SQLSERVER") {
			c.fail("%s: SQL Server licences are not in the catalog", v)
			return
		}
		c.hourly(fmt.Sprintf("vCPUs (%s, %s)", cpus, label), c.key("gcp", "sql", "vcpu-hour"), cpus.Mul(ha))
		c.hourly(fmt.Sprintf("Memory (%s GB, %s)", gb, label), c.key("gcp", "sql", "ram-hour"), gb.Mul(ha))
	default:
		c.fail("tier %q is not in the catalog (db-custom-*, db-n1-standard-*, db-n1-highmem-*, db-f1-micro and db-g1-small are)", tier)
		return
	}
	size, _ := numOf(s["disk_size"], Int(10))
	dt, _ := s["disk_type"].(string)
	item := "storage-ssd"
	if dt == "PD_HDD" {
		item = "storage-hdd"
	}
	c.monthly(fmt.Sprintf("Storage (%s GB, %s)", size, label), c.key("gcp", "sql", item), size.Mul(ha))
	c.usage("Backups", c.key("gcp", "sql", "backup"), "backup_storage_gb", Int(1), "GB of backups")
}

// gcsMultiRegions are Cloud Storage's multi-region locations; other
// locations that are not a region are dual-regions (NAM4, EUR4, ...).
var gcsMultiRegions = map[string]bool{"US": true, "EU": true, "ASIA": true}

// gcsBucket prices a bucket where its location says — a region, a
// multi-region (US, EU, ASIA) or a dual-region — by storage class, with
// its operations, data retrieval (Nearline, Coldline, Archive) and network
// egress by destination (Infracost's monthly_egress_data_transfer_gb).
func gcsBucket(c *costing) {
	class := strings.ToLower(c.str("storage_class", false))
	if class == "" {
		class = "standard"
	}
	if class == "multi_regional" || class == "regional" {
		class = "standard"
	}
	switch class {
	case "standard", "nearline", "coldline", "archive":
	default:
		c.fail("storage_class %q is not in the catalog", class)
		return
	}
	key := c.key("gcp", "gcs", class)
	where := ""
	loc := strings.ToUpper(c.str("location", false))
	switch {
	case loc == "":
	case gcsMultiRegions[loc]:
		key, where = "gcp/gcs/global/multi-region-"+class, ", multi-region "+loc
	case !strings.Contains(loc, "-") || c.block("custom_placement_config") != nil:
		key, where = "gcp/gcs/global/dual-region-"+class, ", dual-region "+loc
	default:
		key = "gcp/gcs/" + strings.ToLower(loc) + "/" + class
	}
	c.usage(fmt.Sprintf("Storage (%s%s)", class, where), key, "storage_gb", Int(1), "GB")
	c.usage("Class A operations", c.key("gcp", "gcs", "class-a"), "monthly_class_a_operations", thousand, "operations")
	c.usage("Class B operations", c.key("gcp", "gcs", "class-b"), "monthly_class_b_operations", thousand, "operations")
	if class != "standard" {
		if c.usageGiven("monthly_class_a_operations") || c.usageGiven("monthly_class_b_operations") {
			c.note("operations priced at Standard's rates: the catalog has no %s operation prices", class)
		}
		c.usage("Data retrieval", "gcp/gcs/global/retrieval-"+class, "monthly_data_retrieval_gb", Int(1), "GB retrieved")
	} else if v, given, ok := c.usageNumber("monthly_data_retrieval_gb", "GB retrieved per month"); ok && given && v.Sign() > 0 {
		c.note("Standard storage has no retrieval fee: monthly_data_retrieval_gb costs nothing here")
	}
	c.gcsEgress()
	if !c.usageGiven("monthly_egress_data_transfer_gb") {
		c.dataOut("gcp") // the generic key, when the bucket's own is not used
	}
}

// gcsEgress prices a bucket's network egress by destination, the first
// TiB, the next 9 and beyond each at their rate, a month.
func (c *costing) gcsEgress() {
	const k = "monthly_egress_data_transfer_gb."
	if v, given, ok := c.usageNumber(k+"same_continent", "GB sent within the continent"); ok && given {
		c.add("Egress within the continent", "gcp/gcs/global/egress-same-continent", v.Mul(c.count).Mul(c.months()), true,
			fmt.Sprintf("%s GB a month (usage %ssame_continent)", v, k))
	}
	for _, dest := range []struct{ key, label string }{
		{"worldwide", "worldwide, but Asia and Australia"}, {"asia", "Asia, but China (Hong Kong included)"},
		{"china", "China, but Hong Kong"}, {"australia", "Australia"}} {
		v, given, ok := c.usageNumber(k+dest.key, "GB sent to "+dest.label)
		if !ok || !given {
			continue
		}
		c.tiered("Egress to "+dest.label, v.Mul(c.count).Mul(c.months()), []tier{
			{Int(1024), "gcp/gcs/global/egress-" + dest.key + "-1", "first TiB"},
			{Int(10 * 1024), "gcp/gcs/global/egress-" + dest.key + "-2", "next 9 TiB"},
			{Dec{}, "gcp/gcs/global/egress-" + dest.key + "-3", "over 10 TiB"}},
			true, fmt.Sprintf("%s GB a month (usage %s%s)", v, k, dest.key))
	}
}

func gcpNAT(c *costing) {
	vms, given, ok := c.usageNumber("assigned_vms", "VMs that use the gateway")
	if !ok {
		return
	}
	assumption := fmt.Sprintf("%s VMs use the gateway (usage assigned_vms)", vms)
	if !given {
		assumption = fmt.Sprintf("no usage given: 0 VMs assumed; set usage %s.assigned_vms", c.r.Address)
	}
	c.add("Gateway (per VM, up to 32)", c.key("gcp", "nat", "vm-hour"), vms.Min(Int(32)).Mul(c.e.hours).Mul(c.count), true, assumption)
	c.usage("Data processed", c.key("gcp", "nat", "gb"), "monthly_data_processed_gb", Int(1), "GB")
}

// gcpForwardingRule: the first five rules of a region share one hourly
// price; each one after that has its own.
func gcpForwardingRule(c *costing) {
	region := c.r.Region
	for range c.r.Count {
		k := c.e.seen["forwarding-rule/"+region]
		c.e.seen["forwarding-rule/"+region]++
		if k < 5 {
			c.add("Forwarding rule (one fifth of the first-five price)", c.key("gcp", "lb", "rule-first5"), c.e.hours.Div(Int(5)), false, "")
		} else {
			c.add("Forwarding rule (after the first five)", c.key("gcp", "lb", "rule-extra"), c.e.hours, false, "")
		}
	}
}

func gcpAddress(c *costing) {
	if c.str("address_type", false) == "INTERNAL" {
		c.note("internal addresses are free")
		return
	}
	if c.r.Type == "google_compute_global_address" && c.r.Region == "" {
		return
	}
	c.hourly("External IPv4 address", c.key("gcp", "ip", "hour"), Int(1))
}

// gcpCloudRun prices a Cloud Run service (v1 or v2) by its containers'
// CPU and memory limits: with request-based billing, the time instances
// serve requests (requests × duration ÷ the requests an instance serves at
// once) and the requests; with CPU always allocated (cpu-throttling off,
// cpu_idle false), each instance's whole lifetime (usage instance_hrs,
// else its minimum instances all month) and no request fee.
func gcpCloudRun(c *costing) {
	cpu, mem := Int(1), D("0.5")
	tmpl := c.block("template")
	annotations := []any{firstBlock(tmpl["metadata"])["annotations"], c.block("metadata")["annotations"]}
	spec := tmpl
	if s := firstBlock(tmpl["spec"]); s != nil {
		spec = s
	}
	always := false
	if ctr := firstBlock(spec["containers"]); ctr != nil {
		res := firstBlock(ctr["resources"])
		if lim, ok := res["limits"].(map[string]any); ok {
			if v, ok := lim["cpu"].(string); ok {
				if d, err := parseCPU(v); err == nil {
					cpu = d
				}
			}
			if v, ok := lim["memory"].(string); ok {
				if d, err := parseMemGB(v); err == nil {
					mem = d
				}
			}
		}
		always = res["cpu_idle"] == false // v2
	}
	minInstances, _ := numOf(firstBlock(tmpl["scaling"])["min_instance_count"], Dec{}) // v2
	for _, a := range annotations {
		m, _ := a.(map[string]any)
		if v := m["run.googleapis.com/cpu-throttling"]; v == false || v == "false" {
			always = true
		}
		if v, ok := numOf(m["autoscaling.knative.dev/minScale"], Dec{}); ok && v.Sign() > 0 {
			minInstances = v
		}
	}
	if always {
		hrs, given, ok := c.usageNumber("instance_hrs", "instance-hours a month")
		if !ok {
			return
		}
		assumption := fmt.Sprintf("%s instance-hours a month (usage instance_hrs)", hrs)
		if !given {
			hrs = minInstances.Mul(c.e.hours).Div(c.months()) // a month's worth
			assumption = fmt.Sprintf("no usage given: its %s minimum instances all month; set usage %s.instance_hrs", minInstances, c.r.Address)
		}
		secs := hrs.Mul(Int(3600)).Mul(c.count).Mul(c.months())
		c.add(fmt.Sprintf("CPU always allocated (%s vCPU)", cpu), c.key("gcp", "run", "always-vcpu-second"), secs.Mul(cpu), true, assumption)
		c.add(fmt.Sprintf("Memory (%s GiB, CPU always allocated)", mem), c.key("gcp", "run", "always-gib-second"), secs.Mul(mem), true, assumption)
		c.usageNumber("monthly_requests", "requests per month") // no request fee: read so the key is known
		return
	}
	reqs, given, ok := c.usageNumber("monthly_requests", "requests per month")
	ms, _, msOK := c.usageNumber("average_request_duration_ms", "average duration of a request in milliseconds")
	conc, concGiven, concOK := c.usageNumber("concurrent_requests_per_instance", "requests an instance serves at once on average")
	if !ok || !msOK || !concOK {
		return
	}
	if !concGiven || conc.Sign() <= 0 {
		conc = Int(1)
	}
	seconds := reqs.Mul(ms).Div(thousand).Div(conc)
	assumption := fmt.Sprintf("%s requests × %s ms, %s at once (usage concurrent_requests_per_instance)", reqs, ms, conc)
	if !concGiven {
		assumption = fmt.Sprintf("%s requests × %s ms, one at a time (the most it is billed; set usage %s.concurrent_requests_per_instance)", reqs, ms, c.r.Address)
	}
	if !given {
		assumption = fmt.Sprintf("no usage given: set usage %s.monthly_requests and average_request_duration_ms", c.r.Address)
	}
	c.add(fmt.Sprintf("CPU (%s vCPU)", cpu), c.key("gcp", "run", "vcpu-second"), seconds.Mul(cpu).Mul(c.count).Mul(c.months()), true, assumption)
	c.add(fmt.Sprintf("Memory (%s GiB)", mem), c.key("gcp", "run", "gib-second"), seconds.Mul(mem).Mul(c.count).Mul(c.months()), true, assumption)
	c.usage("Requests", c.key("gcp", "run", "requests"), "monthly_requests", million, "requests")
}

func gcpRedis(c *costing) {
	gb, ok := c.num("memory_size_gb", Dec{})
	if !ok || gb.IsZero() {
		c.fail("memory_size_gb is not known")
		return
	}
	item, label := "basic-", "Basic"
	if c.str("tier", false) == "STANDARD_HA" {
		item, label = "standard-", "Standard"
	}
	// The whole capacity bills at its capacity tier's rate.
	tier := "m5"
	for _, t := range []struct {
		upTo int64
		name string
	}{{4, "m1"}, {10, "m2"}, {35, "m3"}, {100, "m4"}} {
		if gb.Cmp(Int(t.upTo)) <= 0 {
			tier = t.name
			break
		}
	}
	c.hourly(fmt.Sprintf("Capacity (%s %s, %s GB)", label, strings.ToUpper(tier), gb), c.key("gcp", "redis", item+tier), gb)
}

// versionsAndOperations prices secrets and keys: versions kept (usage,
// else one) and operations per 10,000.
func (c *costing) versionsAndOperations(name, key, versionsKey, opsName, opsKey, opsUsage string) {
	v, given, ok := c.usageNumber(versionsKey, "versions kept")
	if !ok {
		return
	}
	assumption := fmt.Sprintf("%s (usage %s)", v, versionsKey)
	if !given {
		v, assumption = Int(1), fmt.Sprintf("one assumed; set usage %s.%s", c.r.Address, versionsKey)
	}
	c.add(fmt.Sprintf("%s (%s)", name, v), key, v.Mul(c.count).Mul(c.months()), given, assumption)
	c.usage(opsName, opsKey, opsUsage, Int(10_000), "operations")
}

// functionCompute is Cloud Functions (1st gen) compute per 100 ms, by the
// memory (and the CPU that comes with it) a function is given.
var functionCompute = map[int64]string{128: "mb128", 256: "mb256", 512: "mb512", 1024: "mb1024", 2048: "mb2048", 4096: "mb4096", 8192: "mb8192"}

func gcpFunction(c *costing) {
	key := "monthly_function_invocations"
	if _, given, _ := c.e.opts.Usage.number(c.r, "monthly_invocations"); given {
		key = "monthly_invocations" // opsmcp's earlier name
	}
	c.usage("Invocations", c.key("gcp", "functions", "invocations"), key, million, "invocations")
	inv, given, ok := c.usageNumber(key, "invocations per month")
	ms, msGiven, msOK := c.usageNumber("request_duration_ms", "average duration of an invocation in milliseconds")
	if !ok || !msOK {
		return
	}
	mem, _ := c.num("available_memory_mb", Int(256))
	m, err := strconv.ParseInt(mem.Round(0), 10, 64)
	tier, known := functionCompute[m]
	if err != nil || !known {
		c.fail("available_memory_mb %s is not a Cloud Functions memory size (128, 256, 512, 1024, 2048, 4096, 8192)", mem)
		return
	}
	assumption := fmt.Sprintf("%s invocations × %s ms, billed in 100 ms increments", inv, ms)
	if !given || !msGiven {
		assumption = fmt.Sprintf("no usage given: set usage %s.%s and request_duration_ms", c.r.Address, key)
	}
	units := ms.Div(Int(100)).Ceil()
	c.add(fmt.Sprintf("Compute (%s MB)", mem), c.key("gcp", "functions", tier), inv.Mul(units).Mul(c.count).Mul(c.months()), true, assumption)
	c.usage("Outbound data", c.key("gcp", "functions", "egress"), "monthly_outbound_data_gb", Int(1), "GB")
}
