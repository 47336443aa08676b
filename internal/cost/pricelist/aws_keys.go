package pricelist

import (
	"fmt"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// unit is a price dimension's unit in the Price List and in the catalog.
type unit struct{ aws, catalog string }

var (
	hours    = unit{"Hrs", "hour"}
	gbMonths = unit{"GB-Mo", "GB-month"}
	iopsMo   = unit{"IOPS-Mo", "IOPS-month"}
)

// ec2OS is the catalog's key segment per Price List operating system;
// Linux is the bare key.
var ec2OS = map[string]string{"Linux": "", "Windows": "windows", "RHEL": "rhel", "SUSE": "suse"}

// rdsEngines maps the Price List's engine and edition to Terraform's
// engine name, which the catalog keys by.
var rdsEngines = map[string]string{
	"PostgreSQL": "postgres", "MySQL": "mysql", "MariaDB": "mariadb",
	"Aurora PostgreSQL": "aurora-postgresql", "Aurora MySQL": "aurora-mysql",
	"SQL Server/Express": "sqlserver-ex", "SQL Server/Web": "sqlserver-web", "SQL Server/Standard": "sqlserver-se",
	"SQL Server/Enterprise": "sqlserver-ee", "Oracle/Standard Two": "oracle-se2", "Oracle/Enterprise": "oracle-ee",
}

// rdsStorage maps RDS volume types to the catalog's storage keys.
var rdsStorage = map[string]string{"General Purpose": "storage-gp2", "General Purpose-GP3": "storage-gp3",
	"Provisioned IOPS": "storage-io1", "Provisioned IOPS-IO2": "storage-io2", "Magnetic": "storage-standard"}

// awsKey names a product's price in the catalog, with the unit of the
// dimension that carries it; "" for a product estimates do not use.
func awsKey(service, family string, a map[string]string) (string, unit) {
	region := a["regionCode"]
	if region == "" {
		return "", unit{}
	}
	usage := a["usagetype"]
	if i := strings.IndexByte(usage, '-'); i >= 0 && i < 6 && !strings.Contains(usage[:i], ":") {
		usage = usage[i+1:] // a region prefix ("USE2-BoxUsage:m5.large")
	}
	switch service {
	case "AmazonEC2":
		switch family {
		case "Compute Instance", "Compute Instance (bare metal)":
			os, known := ec2OS[a["operatingSystem"]]
			if !known || a["preInstalledSw"] != "NA" || a["capacitystatus"] != "Used" || a["instanceType"] == "" ||
				(a["licenseModel"] != "" && a["licenseModel"] != "No License required" && !(os == "windows" && a["licenseModel"] == "License Included")) {
				return "", unit{}
			}
			return cost.EC2Key(region, a["instanceType"], os, a["tenancy"] == "Dedicated"), hours
		case "Dedicated Host":
			// The on-demand product (HostUsage) and the reservations' (ReservedHostUsage)
			// share the host's key; a reservation is a term of its key.
			if (strings.HasPrefix(usage, "HostUsage:") || strings.HasPrefix(usage, "ReservedHostUsage:")) && a["instanceType"] != "" {
				return cost.EC2HostKey(region, a["instanceType"]), hours
			}
		case "Storage":
			if a["volumeApiName"] != "" {
				return fmt.Sprintf("aws/ebs/%s/%s", region, a["volumeApiName"]), gbMonths
			}
		case "System Operation":
			if a["group"] == "EBS IOPS" && (a["volumeApiName"] == "io1" || a["volumeApiName"] == "io2" || a["volumeApiName"] == "gp3") {
				if strings.Contains(usage, ".tier") { // io2's cheaper tiers above 32,000 IOPS
					return "", unit{}
				}
				return fmt.Sprintf("aws/ebs/%s/%s-iops", region, a["volumeApiName"]), iopsMo
			}
		case "Storage Snapshot":
			if usage == "EBS:SnapshotUsage" {
				return fmt.Sprintf("aws/ebs/%s/snapshot", region), gbMonths
			}
		}
	case "AmazonRDS":
		switch family {
		case "Database Instance":
			engine := rdsEngines[a["databaseEngine"]]
			if e, ok := rdsEngines[a["databaseEngine"]+"/"+a["databaseEdition"]]; ok {
				engine = e
			}
			if engine == "" || a["instanceType"] == "" || strings.Contains(usage, "IOOptimized") {
				return "", unit{}
			}
			deploy := map[string]string{"Single-AZ": "", "Multi-AZ": "multi-az"}
			d, ok := deploy[a["deploymentOption"]]
			if !ok {
				return "", unit{}
			}
			return cost.RDSKey(region, engine, a["instanceType"], a["licenseModel"] == "Bring your own license", d != ""), hours
		case "Database Storage":
			if a["deploymentOption"] != "Single-AZ" || strings.Contains(usage, "IOOptimized") {
				return "", unit{}
			}
			if strings.HasPrefix(a["databaseEngine"], "Aurora") {
				return fmt.Sprintf("aws/rds/%s/aurora-storage", region), gbMonths
			}
			if s, ok := rdsStorage[a["volumeType"]]; ok && (a["databaseEngine"] == "" || a["databaseEngine"] == "Any") {
				return fmt.Sprintf("aws/rds/%s/%s", region, s), gbMonths
			}
		case "Provisioned IOPS":
			if a["deploymentOption"] == "Single-AZ" {
				switch usage {
				case "RDS:PIOPS":
					return fmt.Sprintf("aws/rds/%s/io1-iops", region), iopsMo
				case "RDS:GP3-PIOPS":
					return fmt.Sprintf("aws/rds/%s/gp3-iops", region), iopsMo
				}
			}
		}
	case "AmazonElastiCache":
		if family == "Cache Instance" && a["instanceType"] != "" {
			switch a["cacheEngine"] {
			case "Redis", "Memcached": // listed at the same prices
				return fmt.Sprintf("aws/elasticache/%s/%s", region, a["instanceType"]), hours
			case "Valkey":
				return fmt.Sprintf("aws/elasticache/%s/%s/valkey", region, a["instanceType"]), hours
			}
		}
	case "AmazonES":
		if (family == "Amazon OpenSearch Service Instance" || family == "Elastic Search Instance") && a["instanceType"] != "" {
			return fmt.Sprintf("aws/opensearch/%s/%s", region, openSearchType(a["instanceType"])), hours
		}
		if (family == "Amazon OpenSearch Service Volume" || family == "Elastic Search Volume") && a["storageMedia"] != "" {
			media := map[string]string{"GP2": "gp2", "GP3": "gp3", "PIOPS-Storage": "io1", "Magnetic": "standard"}[a["storageMedia"]]
			if media != "" {
				return fmt.Sprintf("aws/opensearch/%s/storage-%s", region, media), gbMonths
			}
		}
	case "AmazonRedshift":
		if family == "Compute Instance" && a["instanceType"] != "" {
			return fmt.Sprintf("aws/redshift/%s/%s", region, a["instanceType"]), hours
		}
	}
	return "", unit{}
}

// openSearchType names instance types by OpenSearch's suffix: the price
// list still says ".elasticsearch" for domains of either engine.
func openSearchType(t string) string {
	return strings.Replace(t, ".elasticsearch", ".search", 1)
}
