package cost

// RDS and Aurora: engines, licences, deployments, storage and capacity.

import (
	"fmt"
	"strings"
	"time"
)

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
func (c *costing) rdsInstance(engine, class string, multiAZ, ioOptimized bool) bool {
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
	hours := c.e.hours.Mul(c.count).Mul(azs)
	if ioOptimized {
		// Aurora I/O-Optimized instances cost 30% more than Standard's.
		label += ", I/O-Optimized: 1.3 × the Standard rate"
		hours = hours.Mul(D("1.3"))
	}
	key, assumption := c.reservation(key, class, false)
	c.add(fmt.Sprintf("Database instance (%s, %s, %s)", engine, class, label), key, hours, false, assumption)
	instances := Int(1)
	if multiAZ {
		instances = Int(2) // the standby runs the same version
	}
	c.rdsExtendedSupport(name, class, instances)
	return true
}

// rdsStandardSupportEnds is the last day of RDS standard support per engine
// and major version (the RDS and Aurora release calendars); after it RDS
// runs the version under Extended Support, billed per vCPU-hour: the
// first two years at one rate, the third at another.
var rdsStandardSupportEnds = map[string]string{
	"mysql/5.7": "2024-02-29", "mysql/8.0": "2026-07-31",
	"postgres/11": "2024-02-29", "postgres/12": "2025-02-28", "postgres/13": "2026-02-28",
	"aurora-mysql/5.7":     "2024-10-31",
	"aurora-postgresql/11": "2024-02-29", "aurora-postgresql/12": "2025-02-28", "aurora-postgresql/13": "2026-02-28",
}

// rdsMajor is an engine version's major version as the calendar names it:
// MySQL's two parts (8.0 of 8.0.35, 5.7 of 5.7.mysql_aurora.2.11.2),
// PostgreSQL's one (11 of 11.22).
func rdsMajor(engine, version string) string {
	parts := strings.Split(version, ".")
	if strings.HasSuffix(engine, "mysql") && len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// rdsVCPUs is an instance class's vCPUs: burstable classes have EC2's T
// sizes' (burstableVCPUs), otherwise .large has two and each size doubles.
func rdsVCPUs(class string) (Dec, bool) {
	parts := strings.Split(class, ".")
	if len(parts) != 3 {
		return Dec{}, false
	}
	sizes := map[string]int64{"large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192}
	if strings.HasPrefix(parts[1], "t") {
		sizes = burstableVCPUs
	}
	v, ok := sizes[parts[2]]
	return Int(v), ok
}

// rdsExtendedSupport prices Extended Support for an engine version past
// its standard support, as of the estimate's day.
func (c *costing) rdsExtendedSupport(engine, class string, instances Dec) {
	version := c.str("engine_version", false)
	if version == "" {
		return
	}
	end, ok := rdsStandardSupportEnds[engine+"/"+rdsMajor(engine, version)]
	today := c.e.opts.Today.Format(time.DateOnly)
	if !ok || today <= end {
		return
	}
	vcpus, ok := rdsVCPUs(class)
	if !ok {
		c.note("engine version %s is under RDS Extended Support, billed per vCPU (per ACU on Serverless v2), which is not priced here for %s", version, class)
		return
	}
	last, _ := time.Parse(time.DateOnly, end)
	year, key := "1-2", "extended-support-vcpu-hour"
	if !c.e.opts.Today.Before(last.AddDate(0, 0, 1).AddDate(2, 0, 0)) {
		year, key = "3", "extended-support-vcpu-hour-year3"
	}
	c.add(fmt.Sprintf("Extended support (%s %s, year %s, %s vCPUs)", engine, rdsMajor(engine, version), year, vcpus), c.key("aws", "rds", key),
		c.e.hours.Mul(c.count).Mul(instances).Mul(vcpus), false, fmt.Sprintf("%s %s left RDS standard support on %s: Extended Support is billed per vCPU-hour", engine, rdsMajor(engine, version), end))
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
	if !c.rdsInstance(engine, class, multiAZ, false) {
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
	// Backups up to the storage's size are free; beyond it, by the GB.
	c.usage("Additional backup storage", c.key("aws", "rds", "backup-storage"), "additional_backup_storage_gb", Int(1), "GB of backups beyond the free allowance")
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
	if c.str("storage_type", false) == "aurora-iopt1" {
		// I/O-Optimized: no charge for I/O, storage at its own rate.
		c.usage("Storage (I/O-Optimized)", c.key("aws", "rds", "aurora-iopt-storage"), "storage_gb", Int(1), "GB")
		c.note("I/O-Optimized: I/O requests are not billed; its instances cost 30%% more")
	} else {
		c.usage("Storage", c.key("aws", "rds", "aurora-storage"), "storage_gb", Int(1), "GB")
		c.auroraIO()
	}
	c.auroraBackups(engine)
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

// auroraIO prices a cluster's I/O requests: Infracost's reads and writes a
// second (write_requests_per_sec, read_requests_per_sec), or a month's
// count (monthly_io_requests).
func (c *costing) auroraIO() {
	key := c.key("aws", "rds", "aurora-io")
	w, wGiven, ok1 := c.usageNumber("write_requests_per_sec", "Aurora write I/O requests a second on average")
	r, rGiven, ok2 := c.usageNumber("read_requests_per_sec", "Aurora read I/O requests a second on average")
	if ok1 && ok2 && (wGiven || rGiven) {
		n := w.Add(r).Mul(Int(3600)).Mul(c.e.hours).Mul(c.count).Div(million)
		c.add("I/O requests", key, n, true, fmt.Sprintf("%s writes and %s reads a second on average (usage write_requests_per_sec, read_requests_per_sec)", w, r))
		return
	}
	c.usage("I/O requests", key, "monthly_io_requests", million, "I/O requests")
}

// auroraBackups prices a cluster's backups beyond the free allowance (a
// snapshot of backup_snapshot_size_gb for each day of
// backup_retention_period after the first), Aurora MySQL's Backtrack
// (change records kept over the backtrack window, by the hour) and
// snapshot exports to S3.
func (c *costing) auroraBackups(engine string) {
	size, given, ok := c.usageNumber("backup_snapshot_size_gb", "size of a day's backup snapshot")
	if retention, known := c.num("backup_retention_period", Int(1)); ok && known {
		days := retention.Sub(Int(1)).Max(Dec{})
		assumption := fmt.Sprintf("%s GB a day (usage backup_snapshot_size_gb) for the %s days kept beyond the free first", size, days)
		if !given {
			assumption = fmt.Sprintf("no usage given: 0 GB assumed; set usage %s.backup_snapshot_size_gb", c.r.Address)
		}
		c.add("Backup storage", c.key("aws", "rds", "aurora-backup"), size.Mul(days).Mul(c.count).Mul(c.months()), true, assumption)
	}
	window, windowGiven, ok := c.usageNumber("backtrack_window_hrs", "hours of Backtrack window")
	if secs, known := c.num("backtrack_window", Dec{}); ok && !windowGiven && known {
		window = secs.Div(Int(3600))
	}
	if ok && window.Sign() > 0 && engine != "aurora-postgresql" && c.str("engine_mode", false) != "serverless" {
		stmts, _, ok1 := c.usageNumber("average_statements_per_hr", "statements an hour on average")
		per, _, ok2 := c.usageNumber("change_records_per_statement", "change records a statement makes on average")
		if ok1 && ok2 {
			// Each hour bills the change records kept over the window.
			kept := stmts.Mul(per).Mul(window)
			c.add(fmt.Sprintf("Backtrack (%s hours of change records)", window), c.key("aws", "rds", "aurora-backtrack"), kept.Mul(c.e.hours).Mul(c.count).Div(million), true,
				fmt.Sprintf("%s statements an hour × %s change records each, kept %s hours (usage average_statements_per_hr, change_records_per_statement, backtrack_window_hrs)", stmts, per, window))
		}
	}
	c.usage("Snapshot export", c.key("aws", "rds", "aurora-snapshot-export"), "snapshot_export_size_gb", Int(1), "GB of snapshots exported")
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
	iopt := false
	if cl := c.referenced("aws_rds_cluster", c.attr("cluster_identifier")); cl != nil {
		iopt = cl.Attributes["storage_type"] == "aurora-iopt1"
	}
	c.rdsInstance(engine, class, false, iopt)
}
