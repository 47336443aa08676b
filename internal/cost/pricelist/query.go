package pricelist

import (
	"strings"
)

// AWSQuery is the GetProducts query whose products hold the price a
// catalog key names — its on-demand rate and its reservations — for a
// live lookup; ok is false for keys no query finds.
func AWSQuery(key string) (service, region string, filters map[string]string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) < 4 || parts[0] != "aws" {
		return "", "", nil, false
	}
	region, item, rest := parts[2], parts[3], parts[4:]
	// Reservation and Savings Plan segments name terms of the same product.
	for i, p := range rest {
		if p == "reserved" || p == "savings-plan" {
			rest = rest[:i]
			break
		}
	}
	has := func(s string) bool {
		for _, p := range rest {
			if p == s {
				return true
			}
		}
		return false
	}
	switch parts[1] {
	case "ec2":
		os := "Linux"
		for seg, name := range map[string]string{"windows": "Windows", "rhel": "RHEL", "suse": "SUSE"} {
			if has(seg) {
				os = name
			}
		}
		tenancy := "Shared"
		if has("dedicated") {
			tenancy = "Dedicated"
		}
		return "AmazonEC2", region, map[string]string{"productFamily": "Compute Instance", "instanceType": item, "operatingSystem": os,
			"tenancy": tenancy, "preInstalledSw": "NA", "capacitystatus": "Used"}, true
	case "ebs":
		switch item {
		case "gp2", "gp3", "io1", "io2", "st1", "sc1", "standard":
			return "AmazonEC2", region, map[string]string{"productFamily": "Storage", "volumeApiName": item}, true
		}
		return "", "", nil, false
	case "ec2-host":
		return "AmazonEC2", region, map[string]string{"productFamily": "Dedicated Host", "instanceType": item}, true
	case "rds":
		if len(rest) == 0 {
			return "", "", nil, false
		}
		engine, edition := rdsPriceListEngine(item)
		if engine == "" {
			return "", "", nil, false
		}
		f := map[string]string{"productFamily": "Database Instance", "instanceType": rest[0], "databaseEngine": engine, "deploymentOption": "Single-AZ"}
		if edition != "" {
			f["databaseEdition"] = edition
		}
		if has("multi-az") {
			f["deploymentOption"] = "Multi-AZ"
		}
		return "AmazonRDS", region, f, true
	case "elasticache":
		engine := "Redis"
		if has("valkey") {
			engine = "Valkey"
		}
		return "AmazonElastiCache", region, map[string]string{"productFamily": "Cache Instance", "instanceType": item, "cacheEngine": engine}, true
	case "opensearch":
		if strings.HasPrefix(item, "storage-") {
			return "", "", nil, false
		}
		return "AmazonES", region, map[string]string{"productFamily": "Amazon OpenSearch Service Instance", "instanceType": item}, true
	case "redshift":
		return "AmazonRedshift", region, map[string]string{"productFamily": "Compute Instance", "instanceType": item}, true
	}
	return "", "", nil, false
}

// rdsPriceListEngine is rdsEngines backwards: the Price List's engine
// and edition of a Terraform engine name.
func rdsPriceListEngine(name string) (engine, edition string) {
	for k, v := range rdsEngines {
		if v == name {
			engine, edition, _ = strings.Cut(k, "/")
			return engine, edition
		}
	}
	return "", ""
}
