package cost

// RDS and Aurora: engines, licences, deployments, storage and capacity.

import (
	"fmt"
	"strings"
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
