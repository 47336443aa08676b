package cost

import (
	"fmt"
	"strings"
)

// AWS resource types and how each is priced. A type that costs nothing
// by itself is in freeTypes; one that is neither is reported unsupported.

var million = Int(1_000_000)
var thousand = Int(1_000)

func init() {
	for t, m := range map[string]mapper{
		"aws_instance":                           awsInstance,
		"aws_ebs_volume":                         awsEBSVolume,
		"aws_ebs_snapshot":                       awsEBSSnapshot,
		"aws_db_instance":                        awsDBInstance,
		"aws_rds_cluster":                        awsRDSCluster,
		"aws_rds_cluster_instance":               awsRDSClusterInstance,
		"aws_nat_gateway":                        awsNATGateway,
		"aws_lb":                                 awsLB,
		"aws_alb":                                awsLB,
		"aws_elb":                                awsClassicLB,
		"aws_eks_cluster":                        awsEKSCluster,
		"aws_eks_node_group":                     awsEKSNodeGroup,
		"aws_eks_fargate_profile":                awsFargateProfile,
		"aws_s3_bucket":                          awsS3Bucket,
		"aws_lambda_function":                    awsLambda,
		"aws_cloudwatch_log_group":               awsLogGroup,
		"aws_cloudwatch_metric_alarm":            fixedMonthly("Standard alarm", "cloudwatch", "alarm"),
		"aws_cloudwatch_dashboard":               fixedMonthly("Dashboard", "cloudwatch", "dashboard"),
		"aws_eip":                                awsEIP,
		"aws_route53_zone":                       awsRoute53Zone,
		"aws_elasticache_cluster":                awsElastiCacheCluster,
		"aws_elasticache_replication_group":      awsElastiCacheReplicationGroup,
		"aws_dynamodb_table":                     awsDynamoDB,
		"aws_kms_key":                            fixedMonthly("Customer managed key", "kms", "key"),
		"aws_secretsmanager_secret":              fixedMonthly("Secret", "secretsmanager", "secret"),
		"aws_sqs_queue":                          awsSQS,
		"aws_sns_topic":                          awsSNS,
		"aws_ecr_repository":                     usageOnly("Storage", "ecr", "storage", "storage_gb", Int(1), "GB"),
		"aws_efs_file_system":                    awsEFS,
		"aws_vpc_endpoint":                       awsVPCEndpoint,
		"aws_api_gateway_rest_api":               awsRESTAPI,
		"aws_apigatewayv2_api":                   awsHTTPAPI,
		"aws_kinesis_stream":                     awsKinesisStream,
		"aws_vpn_connection":                     hourlyOnly("VPN connection", "vpn", "hour"),
		"aws_ec2_transit_gateway_vpc_attachment": awsTGWAttachment,
		"aws_sfn_state_machine":                  awsStateMachine,
		"aws_wafv2_web_acl":                      awsWebACL,
		"aws_transfer_server":                    awsTransferServer,
		"aws_opensearch_domain":                  awsOpenSearchDomain,
		"aws_elasticsearch_domain":               awsOpenSearchDomain,
		"aws_redshift_cluster":                   awsRedshiftCluster,
	} {
		mappers[t] = m
	}
	for _, t := range strings.Fields(`aws_vpc aws_subnet aws_security_group aws_security_group_rule
		aws_vpc_security_group_ingress_rule aws_vpc_security_group_egress_rule aws_internet_gateway
		aws_egress_only_internet_gateway aws_route_table aws_route aws_route_table_association
		aws_main_route_table_association aws_default_route_table aws_default_security_group aws_default_vpc
		aws_network_acl aws_network_acl_rule aws_iam_role aws_iam_policy aws_iam_role_policy
		aws_iam_role_policy_attachment aws_iam_instance_profile aws_iam_user aws_iam_user_policy aws_iam_group
		aws_iam_policy_attachment aws_iam_openid_connect_provider aws_iam_service_linked_role
		aws_s3_bucket_policy aws_s3_bucket_versioning aws_s3_bucket_public_access_block
		aws_s3_bucket_server_side_encryption_configuration aws_s3_bucket_acl aws_s3_bucket_ownership_controls
		aws_s3_bucket_lifecycle_configuration aws_lb_listener aws_lb_listener_rule aws_lb_target_group
		aws_lb_target_group_attachment aws_alb_listener aws_alb_target_group aws_db_subnet_group
		aws_db_parameter_group aws_rds_cluster_parameter_group aws_elasticache_subnet_group aws_key_pair
		aws_launch_template aws_launch_configuration aws_placement_group aws_eks_addon aws_ecs_cluster
		aws_ecs_task_definition aws_cloudwatch_log_stream aws_kms_alias aws_acm_certificate
		aws_acm_certificate_validation aws_route53_record aws_sns_topic_subscription aws_sqs_queue_policy
		aws_lambda_permission aws_vpc_endpoint_route_table_association aws_eip_association aws_volume_attachment
		aws_cloudwatch_event_target aws_lambda_event_source_mapping aws_api_gateway_resource
		aws_api_gateway_method aws_api_gateway_integration aws_api_gateway_deployment aws_api_gateway_stage
		aws_apigatewayv2_stage aws_apigatewayv2_route aws_apigatewayv2_integration aws_ecr_lifecycle_policy
		aws_ecr_repository_policy aws_secretsmanager_secret_version aws_kms_key_policy aws_appautoscaling_target
		aws_appautoscaling_policy`) {
		freeTypes[t] = true
	}
}

// fixedMonthly is one unit per month of each resource (a key, a zone).
func fixedMonthly(name, service, item string) mapper {
	return func(c *costing) { c.monthly(name, c.key("aws", service, item), Int(1)) }
}

// hourlyOnly is one unit per hour of each resource.
func hourlyOnly(name, service, item string) mapper {
	return func(c *costing) { c.hourly(name, c.key("aws", service, item), Int(1)) }
}

// usageOnly is a resource whose whole cost is one usage quantity.
func usageOnly(name, service, item, usageKey string, per Dec, what string) mapper {
	return func(c *costing) { c.usage(name, c.key("aws", service, item), usageKey, per, what) }
}

// ec2Rate chooses an instance's rate: its operating system (usage
// operating_system) and tenancy choose the on-demand price, and a
// reservation (usage reserved_instance_type, _term and _payment_option,
// as Infracost names them) its reserved rate, the upfront fee spread over
// every hour of the term. A reservation the catalog has no rate for is
// priced on demand, the most it can cost, and says so.
func (c *costing) ec2Rate(typ string) (key, label, assumption string, ok bool) {
	os, _, ok := c.usageText("operating_system", "operating system: linux, windows, rhel, suse", "linux", "windows", "rhel", "suse")
	if !ok {
		return "", "", "", false
	}
	if os == "" {
		os = "linux"
	}
	tenancy := c.str("tenancy", false)
	if tenancy == "host" {
		c.fail("tenancy host: a Dedicated Host is billed per host, not per instance")
		return "", "", "", false
	}
	key = EC2Key(c.r.Region, typ, os, tenancy == "dedicated")
	label = map[string]string{"linux": "Linux/UNIX", "windows": "Windows", "rhel": "RHEL", "suse": "SUSE"}[os]
	if tenancy == "dedicated" {
		label += ", dedicated"
	}
	key, assumption = c.reservation(key, typ, true)
	if assumption != "" {
		return key, label + ", reserved", assumption, true
	}
	return key, label + ", on-demand", "", true
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
	typ := c.str("instance_type", true)
	if typ == "" {
		return
	}
	if len(blocks(c.attr("instance_market_options"))) > 0 {
		c.note("spot: priced at the on-demand rate, the most a spot instance can cost")
	}
	key, label, assumption, ok := c.ec2Rate(typ)
	if !ok || !c.readMonthlyHours() {
		return
	}
	if !c.monthlyHours.IsZero() {
		assumption = strings.TrimPrefix(assumption+"; ", "; ") + fmt.Sprintf("%s hours a month (usage monthly_hrs)", c.monthlyHours)
	}
	c.add(fmt.Sprintf("Instance usage (%s, %s)", label, typ), key, c.runHours().Mul(c.count), false, assumption)
	c.cpuCredits(typ)
	root := c.block("root_block_device")
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
	c.ebs("Root volume", vt, size, iops, tput)
	for i, b := range blocks(c.attr("ebs_block_device")) {
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
		c.ebs(fmt.Sprintf("EBS volume %d", i+1), vt, size, iops, tput)
	}
	c.dataOut("aws")
}

// burstableVCPUs are the vCPUs of T instance sizes, for CPU credits.
var burstableVCPUs = map[string]int64{"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8}

// cpuCredits prices a burstable instance's CPU credits beyond its
// baseline (Infracost's monthly_cpu_credit_hrs and vcpu_count): T3, T3a
// and T4g run unlimited by default, T2 only when credit_specification
// says so.
func (c *costing) cpuCredits(typ string) {
	family, size, _ := strings.Cut(typ, ".")
	switch family {
	case "t3", "t3a", "t4g":
	case "t2":
		if cs := c.block("credit_specification"); cs == nil || cs["cpu_credits"] != "unlimited" {
			return
		}
	default:
		return
	}
	if cs := c.block("credit_specification"); cs != nil && cs["cpu_credits"] == "standard" {
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
	c.add(fmt.Sprintf("CPU credits (%s vCPUs × %s hours)", vcpus, hrs), c.key("aws", "ec2", "cpu-credits-"+family[:2]), hrs.Mul(vcpus).Mul(c.count).Mul(c.months()), true,
		fmt.Sprintf("%s hours of bursting a month (usage monthly_cpu_credit_hrs) on %s vCPUs", hrs, vcpus))
}

// ebs prices one volume of each instance: storage, and for gp3 the IOPS
// and throughput above the free baseline, for io1/io2 the provisioned IOPS.
func (c *costing) ebs(label, vt string, size, iops, throughput Dec) {
	switch vt {
	case "gp2", "gp3", "io1", "io2", "st1", "sc1", "standard":
	default:
		c.fail("%s: volume type %q is not one of gp2, gp3, io1, io2, st1, sc1, standard", label, vt)
		return
	}
	c.monthly(fmt.Sprintf("%s storage (%s, %s GB)", label, vt, size), c.key("aws", "ebs", vt), size)
	switch vt {
	case "gp3":
		if over := iops.Sub(Int(3000)); over.Sign() > 0 {
			c.monthly(fmt.Sprintf("%s IOPS over 3,000 (%s)", label, over), c.key("aws", "ebs", "gp3-iops"), over)
		}
		if over := throughput.Sub(Int(125)); over.Sign() > 0 {
			c.monthly(fmt.Sprintf("%s throughput over 125 MB/s (%s)", label, over), c.key("aws", "ebs", "gp3-throughput"), over)
		}
	case "io1", "io2":
		if iops.IsZero() {
			c.fail("%s: %s needs iops", label, vt)
			return
		}
		if vt == "io2" && iops.Cmp(Int(32000)) > 0 {
			c.note("%s: io2 IOPS over 32,000 are cheaper than the first-tier price used here", label)
		}
		c.monthly(fmt.Sprintf("%s provisioned IOPS (%s)", label, iops), c.key("aws", "ebs", vt+"-iops"), iops)
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
	c.ebs("Volume", vt, size, iops, tput)
}

func awsEBSSnapshot(c *costing) {
	c.usage("Snapshot storage", c.key("aws", "ebs", "snapshot"), "monthly_storage_gb", Int(1), "GB (changed blocks)")
}

// rdsEngine maps a Terraform engine name to the catalog's; alias is the
// engine whose prices the embedded tables list it at, if any.
func rdsEngine(engine string) (name, alias string, ok bool) {
	switch engine {
	case "postgres", "mysql", "aurora-postgresql", "aurora-mysql", "sqlserver-ex", "sqlserver-web", "sqlserver-se", "sqlserver-ee", "oracle-se2", "oracle-ee":
		return engine, "", true
	case "mariadb": // RDS lists MariaDB at MySQL's prices
		return "mariadb", "mysql", true
	case "aurora":
		return "aurora-mysql", "", true
	case "oracle-se2-cdb", "oracle-ee-cdb": // the multitenant architecture is the same price
		return strings.TrimSuffix(engine, "-cdb"), "", true
	}
	return "", "", false
}

// rdsInstance prices a database instance's hours: the engine, licence and
// deployment choose the rate; a reservation its reserved rate.
func (c *costing) rdsInstance(engine, class string, multiAZ bool) bool {
	name, alias, ok := rdsEngine(engine)
	if !ok {
		c.fail("engine %q: not one of postgres, mysql, mariadb, aurora-postgresql, aurora-mysql, sqlserver-ex/web/se/ee, oracle-se2, oracle-ee", engine)
		return false
	}
	// Oracle Enterprise is sold on RDS only with your own licence.
	byol := c.str("license_model", false) == "bring-your-own-license" || name == "oracle-ee"
	key := RDSKey(c.r.Region, name, class, byol, false)
	if alias != "" && !c.priced(key) {
		key = RDSKey(c.r.Region, alias, class, byol, false)
	}
	azs, label := Int(1), "Single-AZ"
	if multiAZ {
		label = "Multi-AZ"
		if k := RDSKey(c.r.Region, name, class, byol, true); c.priced(k) {
			key = k
		} else {
			azs = Int(2)
			c.note("Multi-AZ priced as two Single-AZ instances, as RDS lists it")
		}
	}
	if byol {
		label += ", bring your own licence"
	}
	key, assumption := c.reservation(key, class, false)
	c.add(fmt.Sprintf("Database instance (%s, %s, %s)", engine, class, label), key, c.e.hours.Mul(c.count).Mul(azs), false, assumption)
	return true
}

// rdsGP3Baseline is the IOPS and throughput (MB/s) a gp3 RDS volume
// includes: more from 400 GB, except for SQL Server.
func rdsGP3Baseline(engine string, size Dec) (iops, throughput Dec) {
	if !strings.HasPrefix(engine, "sqlserver") && size.Cmp(Int(400)) >= 0 {
		return Int(12000), Int(500)
	}
	return Int(3000), Int(125)
}

func awsDBInstance(c *costing) {
	engine, class := c.str("engine", true), c.str("instance_class", true)
	if engine == "" || class == "" {
		return
	}
	multiAZ := c.boolean("multi_az")
	if !c.rdsInstance(engine, class, multiAZ) {
		return
	}
	if strings.HasPrefix(engine, "aurora") {
		c.note("storage and I/O of an Aurora instance are priced on its aws_rds_cluster")
		return
	}
	azs, label := Int(1), "Single-AZ"
	if multiAZ {
		azs, label = Int(2), "Multi-AZ" // a standby holds a full copy
	}
	st := c.str("storage_type", false)
	if st == "" {
		st = "gp2"
		if c.attr("iops") != nil {
			st = "io1"
		}
	}
	size, ok := c.num("allocated_storage", Dec{})
	if !ok || size.IsZero() {
		if c.attr("replicate_source_db") != nil || c.attr("snapshot_identifier") != nil {
			c.note("allocated_storage is not set: the storage comes from the source database, which this estimate cannot see")
			return
		}
		c.fail("allocated_storage is not known")
		return
	}
	switch st {
	case "gp2", "gp3", "io1", "io2", "standard":
	default:
		c.fail("storage_type %q is not one of gp2, gp3, io1, io2, standard", st)
		return
	}
	c.monthly(fmt.Sprintf("Storage (%s, %s GB, %s)", st, size, label), c.key("aws", "rds", "storage-"+st), size.Mul(azs))
	iops, _ := c.num("iops", Dec{})
	switch st {
	case "io1", "io2":
		c.monthly(fmt.Sprintf("Provisioned IOPS (%s, %s)", iops, label), c.key("aws", "rds", st+"-iops"), iops.Mul(azs))
	case "gp3":
		baseIOPS, baseTput := rdsGP3Baseline(engine, size)
		if over := iops.Sub(baseIOPS); over.Sign() > 0 {
			c.monthly(fmt.Sprintf("IOPS over the %s included (%s, %s)", baseIOPS, over, label), c.key("aws", "rds", "gp3-iops"), over.Mul(azs))
		}
		tput, _ := c.num("storage_throughput", Dec{})
		if over := tput.Sub(baseTput); over.Sign() > 0 {
			c.monthly(fmt.Sprintf("Throughput over the %s MB/s included (%s MB/s, %s)", baseTput, over, label), c.key("aws", "rds", "gp3-throughput"), over.Mul(azs))
		}
	}
}

func awsRDSCluster(c *costing) {
	engine := c.str("engine", false)
	if engine == "" {
		engine = "aurora-mysql" // the provider's default, "aurora"
	}
	if name, _, ok := rdsEngine(engine); !ok || !strings.HasPrefix(name, "aurora") {
		c.fail("engine %q: the catalog prices Aurora clusters (aurora-postgresql, aurora-mysql)", engine)
		return
	}
	c.usage("Storage", c.key("aws", "rds", "aurora-storage"), "storage_gb", Int(1), "GB")
	c.usage("I/O requests", c.key("aws", "rds", "aurora-io"), "monthly_io_requests", million, "I/O requests")
	switch {
	case c.str("engine_mode", false) == "serverless":
		// Aurora Serverless v1 bills the cluster's capacity units.
		c.usageHourly("Serverless v1 capacity", c.key("aws", "rds", "aurora-acu-v1"), "capacity_units_per_hr", "ACUs")
	case c.block("serverlessv2_scaling_configuration") != nil:
		sv2 := c.block("serverlessv2_scaling_configuration")
		v, given, ok := c.usageNumber("average_acus", "Aurora Serverless v2 capacity units on average")
		if !ok {
			return
		}
		if given {
			c.add("Serverless v2 capacity", c.key("aws", "rds", "aurora-acu"), v.Mul(c.e.hours).Mul(c.count), true,
				fmt.Sprintf("%s ACUs on average (usage average_acus)", v))
		} else {
			minACU, _ := numOf(sv2["min_capacity"], Float(0.5))
			c.add("Serverless v2 capacity", c.key("aws", "rds", "aurora-acu"), minACU.Mul(c.e.hours).Mul(c.count), true,
				fmt.Sprintf("no usage given: min_capacity %s ACUs all the time assumed; set usage %s.average_acus, or capacity_units_per_hr on its db.serverless instances", minACU, c.r.Address))
		}
	}
}

func awsRDSClusterInstance(c *costing) {
	engine, class := c.str("engine", false), c.str("instance_class", true)
	if class == "" {
		return
	}
	if class == "db.serverless" {
		// Infracost's key for v2 capacity is on the instance; without it
		// the cluster prices its minimum capacity.
		if _, given, ok := c.usageNumber("capacity_units_per_hr", "Aurora Serverless v2 capacity units an hour on average"); ok && given {
			c.usageHourly("Serverless v2 capacity", c.key("aws", "rds", "aurora-acu"), "capacity_units_per_hr", "ACUs")
		} else {
			c.note("db.serverless: capacity is priced on the cluster (Aurora Serverless v2 ACUs) unless usage capacity_units_per_hr is given here")
		}
		return
	}
	if engine == "" {
		engine = "aurora-mysql"
	}
	if name, _, ok := rdsEngine(engine); !ok || !strings.HasPrefix(name, "aurora") {
		c.fail("engine %q is not an Aurora engine", engine)
		return
	}
	c.rdsInstance(engine, class, false)
}

func awsNATGateway(c *costing) {
	c.hourly("NAT gateway", c.key("aws", "nat", "hour"), Int(1))
	c.usage("Data processed", c.key("aws", "nat", "gb"), "monthly_data_processed_gb", Int(1), "GB")
}

// usageHourly prices an hourly average given in usage (LCUs, vCPUs).
func (c *costing) usageHourly(name, key, usageKey, what string) {
	v, given, ok := c.usageNumber(usageKey, what+" on average")
	if !ok {
		return
	}
	assumption := fmt.Sprintf("%s %s on average (usage %s)", v, what, usageKey)
	if !given {
		assumption = fmt.Sprintf("no usage given: 0 %s assumed; set usage %s.%s", what, c.r.Address, usageKey)
	}
	c.add(name, key, v.Mul(c.e.hours).Mul(c.count), true, assumption)
}
