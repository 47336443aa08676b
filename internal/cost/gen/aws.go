package main

// The AWS tables: list prices per region, and how unlisted regions are
// estimated.

import (
	_ "embed"
	"fmt"
	"strings"
)

// ec2Source is what an EC2 instance price listed in a region rests on.
const ec2Source = awsList + " (EC2, Linux, shared tenancy; Price List of 2026-07-20)"

var awsRegions = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"}

// The reference EC2 prices (.large, per hour) listed per region; every
// other family's regional price is estimated from these.
var ec2Reference = map[string]map[string]string{
	"m5": {"us-east-1": "0.096", "us-east-2": "0.096", "us-west-2": "0.096", "eu-west-1": "0.107", "eu-central-1": "0.115", "ap-southeast-1": "0.12"},
	"c5": {"us-east-1": "0.085", "us-east-2": "0.085", "us-west-2": "0.085", "eu-west-1": "0.096", "eu-central-1": "0.097", "ap-southeast-1": "0.098"},
	"r5": {"us-east-1": "0.126", "us-east-2": "0.126", "us-west-2": "0.126", "eu-west-1": "0.141", "eu-central-1": "0.152", "ap-southeast-1": "0.152"},
	"t3": {"us-east-1": "0.0832", "us-east-2": "0.0832", "us-west-2": "0.0832", "eu-west-1": "0.0912", "eu-central-1": "0.096", "ap-southeast-1": "0.1056"},
}

// sizeFactor is an RDS size's multiple of .large.
var sizeFactor = map[string]string{"xlarge": "2", "2xlarge": "4", "4xlarge": "8", "8xlarge": "16", "12xlarge": "24", "16xlarge": "32", "24xlarge": "48"}

// ec2ListedAtRef are families AWS lists at their reference family's
// price in every region (m6i at m5's); other families' prices outside
// us-east-1 are listed at us-east-1's where their reference family is, and
// estimated by its ratio elsewhere.
var ec2ListedAtRef = map[string]string{"t3": "t3", "m5": "m5", "m6i": "m5", "c5": "c5", "c6i": "c5", "r5": "r5", "r6i": "r5"}

// ec2Ref is the reference family whose regional prices estimate a
// family's: compute (c), burstable (t), memory and storage (r, x, z, u,
// i, d, h), else general purpose and accelerated (m5).
func ec2Ref(family string) (ref string, listedAtRef bool) {
	if r, ok := ec2ListedAtRef[family]; ok {
		return r, true
	}
	switch {
	case strings.HasPrefix(family, "inf"): // Inferentia: accelerated, not storage
		return "m5", false
	case family[0] == 't':
		return "t3", false
	case family[0] == 'c':
		return "c5", false
	case strings.IndexByte("rxzuidh", family[0]) >= 0:
		return "r5", false
	}
	return "m5", false
}

//go:embed ec2-us-east-1.tsv
var ec2USEast1 string

// ec2Prices are the us-east-1 Linux on-demand prices of every instance
// type, from ec2-us-east-1.tsv.
func ec2Prices() (types, prices []string) {
	for _, line := range strings.Split(ec2USEast1, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		typ, usd, ok := strings.Cut(line, "\t")
		if !ok || !strings.Contains(typ, ".") {
			panic("ec2-us-east-1.tsv: " + line)
		}
		types, prices = append(types, typ), append(prices, usd)
	}
	return types, prices
}

// regionalAWS holds a product's price per region where listed; regions
// missing from it are estimated by the m5 ratio.
func regionalAWS(key, unit, source string, byRegion map[string]string) {
	regionalRef(key, unit, source, "m5", byRegion)
}

// usRegions is one price in the US regions, where it is listed; the
// others are estimated from it.
func usRegions(v string) map[string]string {
	return map[string]string{"us-east-1": v, "us-east-2": v, "us-west-2": v}
}

// regionalRef is regionalAWS with another reference family's ratio.
func regionalRef(key, unit, source, ref string, byRegion map[string]string) {
	base := byRegion["us-east-1"]
	for _, r := range awsRegions {
		if v, ok := byRegion[r]; ok {
			add(fmt.Sprintf(key, r), unit, v, source)
			continue
		}
		f := ratio(ec2Reference[ref][r], ec2Reference[ref]["us-east-1"])
		add(fmt.Sprintf(key, r), unit, mul(base, f, 10), fmt.Sprintf("estimated: the us-east-1 list price × %s (the region's EC2 %s price ratio)", f, ref))
	}
}

// same is one price in every AWS region.
func same(v string) map[string]string {
	m := map[string]string{}
	for _, r := range awsRegions {
		m[r] = v
	}
	return m
}

func awsCatalog() {
	types, prices := ec2Prices()
	for i, typ := range types {
		family, _, _ := strings.Cut(typ, ".")
		ref, atRef := ec2Ref(family)
		us := ec2Reference[ref]["us-east-1"]
		for _, r := range awsRegions {
			key, usd, src := fmt.Sprintf("aws/ec2/%s/%s", r, typ), prices[i], ec2Source
			switch {
			case r == "us-east-1" || ec2Reference[ref][r] == us:
			case atRef:
				usd = scale(usd, ec2Reference[ref][r], us, 6)
			default:
				k := ratio(ec2Reference[ref][r], us)
				usd = mul(usd, k, 6)
				src = fmt.Sprintf("estimated: the us-east-1 list price × %s (the region's EC2 %s price ratio)", k, ref)
			}
			add(key, "hour", usd, src)
		}
	}

	regionalAWS("aws/ec2/%s/cpu-credits-t2", "vCPU-hour", awsList+" (T2 unlimited CPU credits, Linux)", same("0.05"))
	regionalAWS("aws/ec2/%s/cpu-credits-t3", "vCPU-hour", awsList+" (T3/T3a unlimited CPU credits, Linux)", same("0.05"))
	regionalAWS("aws/ec2/%s/cpu-credits-t4", "vCPU-hour", awsList+" (T4g unlimited CPU credits)", same("0.04"))

	ebs := awsList + " (EBS)"
	regionalAWS("aws/ebs/%s/gp2", "GB-month", ebs, map[string]string{"us-east-1": "0.10", "us-east-2": "0.10", "us-west-2": "0.10", "eu-west-1": "0.11", "eu-central-1": "0.119", "ap-southeast-1": "0.12"})
	regionalAWS("aws/ebs/%s/gp3", "GB-month", ebs, map[string]string{"us-east-1": "0.08", "us-east-2": "0.08", "us-west-2": "0.08", "eu-west-1": "0.088", "eu-central-1": "0.0952", "ap-southeast-1": "0.096"})
	regionalAWS("aws/ebs/%s/gp3-iops", "IOPS-month", ebs+"; IOPS over 3,000", map[string]string{"us-east-1": "0.005", "us-east-2": "0.005", "us-west-2": "0.005", "eu-west-1": "0.0055", "eu-central-1": "0.006", "ap-southeast-1": "0.006"})
	regionalAWS("aws/ebs/%s/gp3-throughput", "MBps-month", ebs+"; throughput over 125 MB/s", map[string]string{"us-east-1": "0.04", "us-east-2": "0.04", "us-west-2": "0.04", "eu-west-1": "0.044", "eu-central-1": "0.048", "ap-southeast-1": "0.048"})
	regionalAWS("aws/ebs/%s/io1", "GB-month", ebs, map[string]string{"us-east-1": "0.125", "us-east-2": "0.125", "us-west-2": "0.125", "eu-west-1": "0.138", "eu-central-1": "0.149", "ap-southeast-1": "0.138"})
	regionalAWS("aws/ebs/%s/io1-iops", "IOPS-month", ebs, map[string]string{"us-east-1": "0.065", "us-east-2": "0.065", "us-west-2": "0.065", "eu-west-1": "0.072", "eu-central-1": "0.078", "ap-southeast-1": "0.072"})
	regionalAWS("aws/ebs/%s/io2", "GB-month", ebs, map[string]string{"us-east-1": "0.125", "us-east-2": "0.125", "us-west-2": "0.125", "eu-west-1": "0.138", "eu-central-1": "0.149", "ap-southeast-1": "0.138"})
	regionalAWS("aws/ebs/%s/io2-iops", "IOPS-month", ebs+"; up to 32,000 IOPS", map[string]string{"us-east-1": "0.065", "us-east-2": "0.065", "us-west-2": "0.065", "eu-west-1": "0.072", "eu-central-1": "0.078", "ap-southeast-1": "0.072"})
	regionalAWS("aws/ebs/%s/st1", "GB-month", ebs, map[string]string{"us-east-1": "0.045", "us-east-2": "0.045", "us-west-2": "0.045", "eu-west-1": "0.05", "eu-central-1": "0.054", "ap-southeast-1": "0.054"})
	regionalAWS("aws/ebs/%s/sc1", "GB-month", ebs, map[string]string{"us-east-1": "0.015", "us-east-2": "0.015", "us-west-2": "0.015", "eu-west-1": "0.0168", "eu-central-1": "0.018", "ap-southeast-1": "0.018"})
	regionalAWS("aws/ebs/%s/standard", "GB-month", ebs+" (magnetic)", usRegions("0.05"))
	regionalAWS("aws/ebs/%s/standard-io", "1M requests", ebs+" (magnetic I/O requests)", usRegions("0.05"))
	regionalAWS("aws/ebs/%s/snapshot", "GB-month", ebs+" snapshots", map[string]string{"us-east-1": "0.05", "us-east-2": "0.05", "us-west-2": "0.05", "eu-west-1": "0.05", "eu-central-1": "0.054", "ap-southeast-1": "0.05"})
	regionalAWS("aws/ebs/%s/snapshot-archive", "GB-month", ebs+" snapshots, archive tier", usRegions("0.0125"))

	rds := awsList + " (RDS, Single-AZ)"
	for engine, classes := range map[string]map[string]string{
		"postgres": {"db.t3.micro": "0.018", "db.t3.small": "0.036", "db.t3.medium": "0.072", "db.t3.large": "0.145", "db.t3.xlarge": "0.29", "db.t3.2xlarge": "0.579",
			"db.t2.micro": "0.018", "db.t2.small": "0.036", "db.t2.medium": "0.073", "db.t2.large": "0.145", "db.m4.large": "0.182", "db.r4.large": "0.25",
			"db.t4g.micro": "0.016", "db.t4g.small": "0.032", "db.t4g.medium": "0.065", "db.t4g.large": "0.129",
			"db.m5.large": "0.178", "db.m5.xlarge": "0.356", "db.m5.2xlarge": "0.712", "db.m5.4xlarge": "1.424",
			"db.m6g.large": "0.159", "db.m6g.xlarge": "0.318", "db.m6i.large": "0.178", "db.m6i.xlarge": "0.356", "db.m7g.large": "0.168", "db.m7g.xlarge": "0.336",
			"db.r5.large": "0.25", "db.r5.xlarge": "0.50", "db.r5.2xlarge": "1.00", "db.r6g.large": "0.225", "db.r6g.xlarge": "0.45", "db.r6i.large": "0.25", "db.r6i.xlarge": "0.50"},
		"mysql": {"db.t3.micro": "0.017", "db.t3.small": "0.034", "db.t3.medium": "0.068", "db.t3.large": "0.136", "db.t3.xlarge": "0.272", "db.t3.2xlarge": "0.544",
			"db.t2.micro": "0.017", "db.t2.small": "0.034", "db.t2.medium": "0.068", "db.t2.large": "0.136", "db.m4.large": "0.175", "db.r4.large": "0.24",
			"db.t4g.micro": "0.016", "db.t4g.small": "0.032", "db.t4g.medium": "0.065", "db.t4g.large": "0.129",
			"db.m5.large": "0.171", "db.m5.xlarge": "0.342", "db.m5.2xlarge": "0.684", "db.m5.4xlarge": "1.368",
			"db.m6g.large": "0.152", "db.m6g.xlarge": "0.304", "db.m6i.large": "0.171", "db.m6i.xlarge": "0.342", "db.m7g.large": "0.161", "db.m7g.xlarge": "0.322",
			"db.r5.large": "0.24", "db.r5.xlarge": "0.48", "db.r5.2xlarge": "0.96", "db.r6g.large": "0.215", "db.r6g.xlarge": "0.43", "db.r6i.large": "0.24", "db.r6i.xlarge": "0.48"},
		"aurora-postgresql": {"db.t3.medium": "0.082", "db.t4g.medium": "0.073", "db.r5.large": "0.29", "db.r5.xlarge": "0.58", "db.r6g.large": "0.26", "db.r6g.xlarge": "0.519", "db.r6i.large": "0.29", "db.r7g.large": "0.276"},
		"aurora-mysql":      {"db.t3.medium": "0.082", "db.t4g.medium": "0.073", "db.r5.large": "0.29", "db.r5.xlarge": "0.58", "db.r6g.large": "0.26", "db.r6g.xlarge": "0.519", "db.r6i.large": "0.29", "db.r7g.large": "0.276"},
	} {
		src := rds
		if strings.HasPrefix(engine, "aurora") {
			src = awsList + " (Aurora, Standard configuration)"
		}
		for class, v := range classes {
			regionalAWS("aws/rds/%s/"+engine+"/"+class, "hour", src, map[string]string{"us-east-1": v, "us-east-2": v, "us-west-2": v})
		}
		// Larger sizes of a class family, at the .large price times the
		// size (as RDS lists most of them), labelled as estimated.
		for class, v := range classes {
			family, size, _ := strings.Cut(strings.TrimPrefix(class, "db."), ".")
			if size != "large" || strings.HasPrefix(family, "t") || strings.HasSuffix(family, "4") { // burstable and 4th-generation sizes differ
				continue
			}
			for _, bigger := range []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"} {
				if strings.HasSuffix(family, "g") && bigger == "24xlarge" {
					continue // Graviton classes stop at 16xlarge
				}
				name := "db." + family + "." + bigger
				if _, listed := classes[name]; listed {
					continue
				}
				est := mul(v, sizeFactor[bigger], 6)
				regionalAWS("aws/rds/%s/"+engine+"/"+name, "hour", fmt.Sprintf("estimated: %s × the db.%s.large list price (%s)", sizeFactor[bigger], family, src),
					map[string]string{"us-east-1": est, "us-east-2": est, "us-west-2": est})
			}
		}
	}
	regionalAWS("aws/rds/%s/storage-gp2", "GB-month", rds, map[string]string{"us-east-1": "0.115", "us-east-2": "0.115", "us-west-2": "0.115", "eu-west-1": "0.127", "eu-central-1": "0.137", "ap-southeast-1": "0.138"})
	regionalAWS("aws/rds/%s/storage-gp3", "GB-month", rds, map[string]string{"us-east-1": "0.115", "us-east-2": "0.115", "us-west-2": "0.115", "eu-west-1": "0.127", "eu-central-1": "0.137", "ap-southeast-1": "0.138"})
	regionalAWS("aws/rds/%s/storage-io1", "GB-month", rds, usRegions("0.125"))
	regionalAWS("aws/rds/%s/extended-support-vcpu-hour", "vCPU-hour", awsList+" (RDS Extended Support, years 1 and 2)", usRegions("0.10"))
	regionalAWS("aws/rds/%s/extended-support-vcpu-hour-year3", "vCPU-hour", awsList+" (RDS Extended Support, year 3)", usRegions("0.20"))
	regionalAWS("aws/rds/%s/backup-storage", "GB-month", awsList+" (RDS backup storage beyond the free allowance)", usRegions("0.095"))
	regionalAWS("aws/rds/%s/io1-iops", "IOPS-month", rds, usRegions("0.10"))
	// io2 is listed at io1's prices.
	regionalAWS("aws/rds/%s/storage-io2", "GB-month", rds, usRegions("0.125"))
	regionalAWS("aws/rds/%s/io2-iops", "IOPS-month", rds, usRegions("0.10"))
	regionalAWS("aws/rds/%s/gp3-iops", "IOPS-month", rds+"; gp3 IOPS above the baseline", usRegions("0.02"))
	regionalAWS("aws/rds/%s/gp3-throughput", "MBps-month", rds+"; gp3 throughput above the baseline", usRegions("0.08"))
	regionalAWS("aws/rds/%s/storage-standard", "GB-month", rds+" (magnetic)", usRegions("0.10"))
	regionalAWS("aws/rds/%s/aurora-storage", "GB-month", awsList+" (Aurora storage)", map[string]string{"us-east-1": "0.10", "us-east-2": "0.10", "us-west-2": "0.10", "eu-west-1": "0.11", "eu-central-1": "0.119", "ap-southeast-1": "0.12"})
	regionalAWS("aws/rds/%s/aurora-io", "1M requests", awsList+" (Aurora I/O)", map[string]string{"us-east-1": "0.20", "us-east-2": "0.20", "us-west-2": "0.20", "eu-west-1": "0.22", "eu-central-1": "0.24", "ap-southeast-1": "0.22"})
	regionalAWS("aws/rds/%s/aurora-iopt-storage", "GB-month", awsList+" (Aurora I/O-Optimized storage)", usRegions("0.225"))
	regionalAWS("aws/rds/%s/aurora-acu", "ACU-hour", awsList+" (Aurora Serverless v2)", map[string]string{"us-east-1": "0.12", "us-east-2": "0.12", "us-west-2": "0.12", "eu-west-1": "0.13", "eu-central-1": "0.14", "ap-southeast-1": "0.14"})

	regionalAWS("aws/nat/%s/hour", "hour", awsList+" (NAT gateway)", map[string]string{"us-east-1": "0.045", "us-east-2": "0.045", "us-west-2": "0.045", "eu-west-1": "0.048", "eu-central-1": "0.052", "ap-southeast-1": "0.059"})
	regionalAWS("aws/nat/%s/gb", "GB", awsList+" (NAT gateway data processed)", map[string]string{"us-east-1": "0.045", "us-east-2": "0.045", "us-west-2": "0.045", "eu-west-1": "0.048", "eu-central-1": "0.052", "ap-southeast-1": "0.059"})
	elb := awsList + " (Elastic Load Balancing)"
	regionalAWS("aws/elb/%s/alb-hour", "hour", elb, map[string]string{"us-east-1": "0.0225", "us-east-2": "0.0225", "us-west-2": "0.0225", "eu-west-1": "0.0252", "eu-central-1": "0.027", "ap-southeast-1": "0.0252"})
	regionalAWS("aws/elb/%s/alb-lcu", "LCU-hour", elb, same("0.008"))
	regionalAWS("aws/elb/%s/nlb-hour", "hour", elb, map[string]string{"us-east-1": "0.0225", "us-east-2": "0.0225", "us-west-2": "0.0225", "eu-west-1": "0.0252", "eu-central-1": "0.027", "ap-southeast-1": "0.0252"})
	regionalAWS("aws/elb/%s/nlb-lcu", "NLCU-hour", elb, same("0.006"))
	regionalAWS("aws/elb/%s/clb-hour", "hour", elb+" (Classic)", map[string]string{"us-east-1": "0.025", "us-east-2": "0.025", "us-west-2": "0.025", "eu-west-1": "0.028", "eu-central-1": "0.03", "ap-southeast-1": "0.028"})
	regionalAWS("aws/elb/%s/clb-gb", "GB", elb+" (Classic)", usRegions("0.008"))
	regionalAWS("aws/eks/%s/cluster-hour", "hour", awsList+" (EKS control plane, standard support)", same("0.10"))
	regionalAWS("aws/eks/%s/cluster-hour-extended", "hour", awsList+" (EKS control plane, extended support)", same("0.60"))
	regionalAWS("aws/fargate/%s/vcpu-hour", "vCPU-hour", awsList+" (Fargate, Linux x86)", map[string]string{"us-east-1": "0.04048", "us-east-2": "0.04048", "us-west-2": "0.04048", "eu-west-1": "0.04048", "eu-central-1": "0.04656", "ap-southeast-1": "0.05056"})
	regionalAWS("aws/fargate/%s/gb-hour", "GB-hour", awsList+" (Fargate, Linux x86)", map[string]string{"us-east-1": "0.004445", "us-east-2": "0.004445", "us-west-2": "0.004445", "eu-west-1": "0.004445", "eu-central-1": "0.00511", "ap-southeast-1": "0.00553"})
	regionalAWS("aws/fargate/%s/arm-vcpu-hour", "vCPU-hour", awsList+" (Fargate, Linux Arm)", map[string]string{"us-east-1": "0.03238", "us-east-2": "0.03238", "us-west-2": "0.03238", "eu-west-1": "0.03238"})
	regionalAWS("aws/fargate/%s/arm-gb-hour", "GB-hour", awsList+" (Fargate, Linux Arm)", map[string]string{"us-east-1": "0.00356", "us-east-2": "0.00356", "us-west-2": "0.00356", "eu-west-1": "0.00356"})
	regionalAWS("aws/fargate/%s/ephemeral-gb-hour", "GB-hour", awsList+" (Fargate ephemeral storage beyond 20 GB)", usRegions("0.000111"))

	s3 := awsList + " (S3 Standard)"
	regionalAWS("aws/s3/%s/standard", "GB-month", s3+"; first 50 TB", map[string]string{"us-east-1": "0.023", "us-east-2": "0.023", "us-west-2": "0.023", "eu-west-1": "0.023", "eu-central-1": "0.0245", "ap-southeast-1": "0.025"})
	regionalAWS("aws/s3/%s/put", "1k requests", s3+"; PUT, COPY, POST, LIST", map[string]string{"us-east-1": "0.005", "us-east-2": "0.005", "us-west-2": "0.005", "eu-west-1": "0.005", "eu-central-1": "0.0054", "ap-southeast-1": "0.005"})
	regionalAWS("aws/s3/%s/get", "1k requests", s3+"; GET, SELECT and others", map[string]string{"us-east-1": "0.0004", "us-east-2": "0.0004", "us-west-2": "0.0004", "eu-west-1": "0.0004", "eu-central-1": "0.00043", "ap-southeast-1": "0.0004"})
	s3classes := awsList + " (S3 "
	regionalAWS("aws/s3/%s/intelligent-tiering", "GB-month", s3classes+"Intelligent-Tiering, frequent access; first 50 TB)", usRegions("0.023"))
	regionalAWS("aws/s3/%s/standard-ia", "GB-month", s3classes+"Standard-Infrequent Access)", usRegions("0.0125"))
	regionalAWS("aws/s3/%s/one-zone-ia", "GB-month", s3classes+"One Zone-Infrequent Access)", usRegions("0.01"))
	regionalAWS("aws/s3/%s/glacier", "GB-month", s3classes+"Glacier Flexible Retrieval)", usRegions("0.0036"))
	regionalAWS("aws/s3/%s/deep-archive", "GB-month", s3classes+"Glacier Deep Archive)", usRegions("0.00099"))
	regionalAWS("aws/s3/%s/it-monitoring", "1k objects", s3classes+"Intelligent-Tiering monitoring and automation)", usRegions("0.0025"))
	regionalAWS("aws/s3/%s/it-archive", "GB-month", s3classes+"Intelligent-Tiering, archive access tier)", usRegions("0.0036"))
	regionalAWS("aws/s3/%s/it-deep-archive", "GB-month", s3classes+"Intelligent-Tiering, deep archive access tier)", usRegions("0.00099"))
	for _, p := range []struct{ item, unit, what, usd string }{
		{"intelligent-tiering-transition", "1k requests", "lifecycle transitions into Intelligent-Tiering", "0.01"},
		{"standard-ia-put", "1k requests", "Standard-IA PUT, COPY, POST, LIST", "0.01"},
		{"standard-ia-get", "1k requests", "Standard-IA GET, SELECT and others", "0.001"},
		{"standard-ia-transition", "1k requests", "lifecycle transitions into Standard-IA", "0.01"},
		{"standard-ia-retrieval", "GB", "Standard-IA retrievals", "0.01"},
		{"one-zone-ia-put", "1k requests", "One Zone-IA PUT, COPY, POST, LIST", "0.01"},
		{"one-zone-ia-get", "1k requests", "One Zone-IA GET, SELECT and others", "0.001"},
		{"one-zone-ia-transition", "1k requests", "lifecycle transitions into One Zone-IA", "0.01"},
		{"one-zone-ia-retrieval", "GB", "One Zone-IA retrievals", "0.01"},
		{"glacier-put", "1k requests", "Glacier Flexible Retrieval PUT, COPY, POST, LIST", "0.03"},
		{"glacier-get", "1k requests", "Glacier Flexible Retrieval GET, SELECT and others", "0.0004"},
		{"glacier-transition", "1k requests", "lifecycle transitions into Glacier Flexible Retrieval", "0.03"},
		{"glacier-retrieval-standard", "GB", "Glacier Flexible Retrieval standard retrievals", "0.01"},
		{"glacier-retrieval-expedited", "GB", "Glacier Flexible Retrieval expedited retrievals", "0.03"},
		{"glacier-retrieval-requests-expedited", "1k requests", "Glacier Flexible Retrieval expedited retrieval requests", "10.00"},
		{"deep-archive-put", "1k requests", "Glacier Deep Archive PUT, COPY, POST, LIST", "0.05"},
		{"deep-archive-get", "1k requests", "Glacier Deep Archive GET, SELECT and others", "0.0004"},
		{"deep-archive-transition", "1k requests", "lifecycle transitions into Glacier Deep Archive", "0.05"},
		{"deep-archive-retrieval-standard", "GB", "Glacier Deep Archive standard retrievals", "0.02"},
		{"deep-archive-retrieval-bulk", "GB", "Glacier Deep Archive bulk retrievals", "0.0025"},
		{"deep-archive-retrieval-requests-standard", "1k requests", "Glacier Deep Archive standard retrieval requests", "0.10"},
		{"deep-archive-retrieval-requests-bulk", "1k requests", "Glacier Deep Archive bulk retrieval requests", "0.025"},
	} {
		regionalAWS("aws/s3/%s/"+p.item, p.unit, s3classes+p.what+")", usRegions(p.usd))
	}
	regionalAWS("aws/logs/%s/scanned", "GB", awsList+" (CloudWatch Logs Insights, data scanned)", usRegions("0.005"))
	regionalAWS("aws/transfer/%s/gb", "GB", awsList+" (Transfer Family data uploaded or downloaded)", same("0.04"))
	regionalAWS("aws/lambda/%s/requests", "1M requests", awsList+" (Lambda)", same("0.20"))
	regionalAWS("aws/lambda/%s/gb-second", "GB-second", awsList+" (Lambda, x86)", same("0.0000166667"))
	regionalAWS("aws/lambda/%s/gb-second-arm", "GB-second", awsList+" (Lambda, Arm)", same("0.0000133334"))
	regionalAWS("aws/lambda/%s/gb-second-tier2", "GB-second", awsList+" (Lambda, x86; next 9B GB-seconds a month)", same("0.000015"))
	regionalAWS("aws/lambda/%s/gb-second-tier3", "GB-second", awsList+" (Lambda, x86; over 15B GB-seconds a month)", same("0.0000133334"))
	regionalAWS("aws/lambda/%s/gb-second-arm-tier2", "GB-second", awsList+" (Lambda, Arm; next 11.25B GB-seconds a month)", same("0.0000120001"))
	regionalAWS("aws/lambda/%s/gb-second-arm-tier3", "GB-second", awsList+" (Lambda, Arm; over 18.75B GB-seconds a month)", same("0.0000106667"))
	regionalAWS("aws/lambda/%s/ephemeral-gb-second", "GB-second", awsList+" (Lambda ephemeral storage over 512 MB)", same("0.0000000309"))
	regionalAWS("aws/logs/%s/ingest", "GB", awsList+" (CloudWatch Logs, standard ingestion)", map[string]string{"us-east-1": "0.50", "us-east-2": "0.50", "us-west-2": "0.50", "eu-west-1": "0.57", "eu-central-1": "0.63", "ap-southeast-1": "0.70"})
	regionalAWS("aws/logs/%s/storage", "GB-month", awsList+" (CloudWatch Logs, archived)", map[string]string{"us-east-1": "0.03", "us-east-2": "0.03", "us-west-2": "0.03", "eu-west-1": "0.03", "eu-central-1": "0.0324", "ap-southeast-1": "0.033"})
	regionalAWS("aws/cloudwatch/%s/alarm", "alarm metric-month", awsList+" (CloudWatch standard-resolution alarm, per metric)", same("0.10"))
	regionalAWS("aws/cloudwatch/%s/alarm-high", "alarm metric-month", awsList+" (CloudWatch high-resolution alarm, per metric)", same("0.30"))
	regionalAWS("aws/cloudwatch/%s/metric", "metric-month", awsList+" (CloudWatch metrics, the first 10,000)", usRegions("0.30"))
	regionalAWS("aws/cloudwatch/%s/dashboard", "dashboard-month", awsList+" (CloudWatch dashboard)", same("3.00"))
	dto := awsList + " (data transfer out to the internet)"
	for i, tier := range []map[string]string{
		{"us-east-1": "0.09", "us-east-2": "0.09", "us-west-2": "0.09", "eu-west-1": "0.09", "eu-central-1": "0.09", "ap-southeast-1": "0.12"},
		{"us-east-1": "0.085", "us-east-2": "0.085", "us-west-2": "0.085", "eu-west-1": "0.085", "eu-central-1": "0.085", "ap-southeast-1": "0.085"},
		{"us-east-1": "0.07", "us-east-2": "0.07", "us-west-2": "0.07", "eu-west-1": "0.07", "eu-central-1": "0.07", "ap-southeast-1": "0.082"},
		{"us-east-1": "0.05", "us-east-2": "0.05", "us-west-2": "0.05", "eu-west-1": "0.05", "eu-central-1": "0.05", "ap-southeast-1": "0.08"},
	} {
		regionalAWS(fmt.Sprintf("aws/dto/%%s/tier%d", i+1), "GB", dto+"; "+[]string{"after the first 100 GB free, up to 10 TB", "next 40 TB", "next 100 TB", "over 150 TB"}[i], tier)
	}
	regionalAWS("aws/eip/%s/hour", "hour", awsList+" (public IPv4 address)", same("0.005"))
	add("aws/route53/global/zone", "zone-month", "0.50", awsList+" (Route 53 hosted zone, first 25)")
	add("aws/route53/global/queries", "1M queries", "0.40", awsList+" (Route 53 standard queries)")
	for node, v := range map[string]string{"cache.t2.micro": "0.017", "cache.t2.small": "0.034", "cache.t2.medium": "0.068",
		"cache.m5.2xlarge": "0.623", "cache.m5.4xlarge": "1.245", "cache.m5.12xlarge": "3.744", "cache.m5.24xlarge": "7.488",
		"cache.r5.2xlarge": "0.864", "cache.r5.4xlarge": "1.728", "cache.r5.12xlarge": "5.184", "cache.r5.24xlarge": "10.368",
		"cache.t3.micro": "0.017", "cache.t3.small": "0.034", "cache.t3.medium": "0.068", "cache.t4g.micro": "0.016", "cache.t4g.small": "0.032", "cache.t4g.medium": "0.065",
		"cache.m5.large": "0.156", "cache.m5.xlarge": "0.311", "cache.m6g.large": "0.149", "cache.m6g.xlarge": "0.298", "cache.r5.large": "0.216", "cache.r5.xlarge": "0.432", "cache.r6g.large": "0.206", "cache.r6g.xlarge": "0.411"} {
		regionalAWS("aws/elasticache/%s/"+node, "hour", awsList+" (ElastiCache)", map[string]string{"us-east-1": v, "us-east-2": v, "us-west-2": v})
	}
	regionalAWS("aws/elasticache/%s/backup-storage", "GB-month", awsList+" (ElastiCache backup storage)", usRegions("0.085"))
	for typ, v := range map[string]string{"t3.small.search": "0.036", "t3.medium.search": "0.073",
		"m5.large.search": "0.142", "m5.xlarge.search": "0.283", "m5.2xlarge.search": "0.566", "m5.4xlarge.search": "1.133", "m5.12xlarge.search": "3.401",
		"r5.large.search": "0.186", "r5.xlarge.search": "0.372", "r5.2xlarge.search": "0.744", "r5.4xlarge.search": "1.488",
		"c5.large.search": "0.125", "c5.xlarge.search": "0.25", "m6g.large.search": "0.128", "r6g.large.search": "0.167", "c6g.large.search": "0.113"} {
		regionalAWS("aws/opensearch/%s/"+typ, "hour", awsList+" (OpenSearch Service)", usRegions(v))
	}
	regionalAWS("aws/opensearch/%s/storage-gp2", "GB-month", awsList+" (OpenSearch Service EBS)", usRegions("0.135"))
	regionalAWS("aws/opensearch/%s/storage-gp3", "GB-month", awsList+" (OpenSearch Service EBS)", usRegions("0.122"))
	regionalAWS("aws/opensearch/%s/storage-io1", "GB-month", awsList+" (OpenSearch Service EBS, Provisioned IOPS)", usRegions("0.169"))
	regionalAWS("aws/opensearch/%s/iops-io1", "IOPS-month", awsList+" (OpenSearch Service EBS, Provisioned IOPS)", usRegions("0.088"))
	regionalAWS("aws/opensearch/%s/storage-standard", "GB-month", awsList+" (OpenSearch Service EBS, magnetic)", usRegions("0.067"))
	for node, v := range map[string]string{"dc2.large": "0.25", "dc2.8xlarge": "4.80", "ra3.xlplus": "1.086", "ra3.4xlarge": "3.26", "ra3.16xlarge": "13.04"} {
		regionalAWS("aws/redshift/%s/"+node, "hour", awsList+" (Redshift)", usRegions(v))
	}
	regionalAWS("aws/redshift/%s/managed-storage", "GB-month", awsList+" (Redshift managed storage)", usRegions("0.024"))
	regionalAWS("aws/redshift/%s/spectrum", "TB scanned", awsList+" (Redshift Spectrum)", usRegions("5.00"))
	for i, v := range []string{"0.023", "0.022", "0.021"} {
		regionalAWS(fmt.Sprintf("aws/redshift/%%s/backup-%d", i+1), "GB-month", awsList+" (Redshift backup storage beyond the free allowance, billed at S3 Standard's tiers)", usRegions(v))
	}
	regionalAWS("aws/rds/%s/aurora-acu-v1", "ACU-hour", awsList+" (Aurora Serverless v1)", usRegions("0.06"))
	regionalAWS("aws/rds/%s/aurora-backup", "GB-month", awsList+" (Aurora backup storage beyond the free allowance)", usRegions("0.021"))
	regionalAWS("aws/rds/%s/aurora-backtrack", "1M change records-hour", awsList+" (Aurora MySQL Backtrack)", usRegions("0.012"))
	regionalAWS("aws/rds/%s/aurora-snapshot-export", "GB", awsList+" (Aurora snapshot export to S3)", usRegions("0.01"))

	ddb := awsList + " (DynamoDB Standard)"
	regionalAWS("aws/dynamodb/%s/write-requests", "1M write request units", ddb+", on-demand", usRegions("0.625"))
	regionalAWS("aws/dynamodb/%s/read-requests", "1M read request units", ddb+", on-demand", usRegions("0.125"))
	regionalAWS("aws/dynamodb/%s/wcu", "WCU-hour", ddb+", provisioned", usRegions("0.00065"))
	regionalAWS("aws/dynamodb/%s/rcu", "RCU-hour", ddb+", provisioned", usRegions("0.00013"))
	regionalAWS("aws/dynamodb/%s/storage", "GB-month", ddb, usRegions("0.25"))
	regionalAWS("aws/dynamodb/%s/pitr", "GB-month", ddb+", continuous backups (PITR)", usRegions("0.20"))
	regionalAWS("aws/dynamodb/%s/backup", "GB-month", ddb+", on-demand backups", usRegions("0.10"))
	regionalAWS("aws/dynamodb/%s/restore", "GB", ddb+", restores", usRegions("0.15"))
	regionalAWS("aws/dynamodb/%s/streams-reads", "100k read request units", ddb+", Streams", usRegions("0.02"))
	regionalAWS("aws/kms/%s/key", "key-month", awsList+" (KMS customer managed key)", same("1.00"))
	regionalAWS("aws/secretsmanager/%s/secret", "secret-month", awsList+" (Secrets Manager)", same("0.40"))
	regionalAWS("aws/secretsmanager/%s/api-calls", "10k API calls", awsList+" (Secrets Manager API calls)", same("0.05"))
	regionalAWS("aws/kms/%s/requests", "10k requests", awsList+" (KMS requests, symmetric and RSA 2048 keys)", same("0.03"))
	regionalAWS("aws/kms/%s/asymmetric-requests", "10k requests", awsList+" (KMS requests, asymmetric keys but RSA 2048)", same("0.15"))
	regionalAWS("aws/sqs/%s/requests", "1M requests", awsList+" (SQS standard, after the first 1M free)", same("0.40"))
	regionalAWS("aws/sqs/%s/fifo-requests", "1M requests", awsList+" (SQS FIFO, after the first 1M free)", same("0.50"))
	regionalAWS("aws/sns/%s/requests", "1M publishes", awsList+" (SNS standard topics)", same("0.50"))
	regionalAWS("aws/ecr/%s/storage", "GB-month", awsList+" (ECR storage)", same("0.10"))
	regionalAWS("aws/efs/%s/standard", "GB-month", awsList+" (EFS Standard)", map[string]string{"us-east-1": "0.30", "us-east-2": "0.30", "us-west-2": "0.30", "eu-west-1": "0.33", "eu-central-1": "0.36", "ap-southeast-1": "0.36"})
	regionalAWS("aws/efs/%s/one-zone", "GB-month", awsList+" (EFS One Zone)", usRegions("0.16"))
	regionalAWS("aws/efs/%s/provisioned-throughput", "MBps-month", awsList+" (EFS provisioned throughput)", usRegions("6.00"))
	regionalAWS("aws/vpce/%s/hour", "AZ-hour", awsList+" (interface VPC endpoint, per AZ)", map[string]string{"us-east-1": "0.01", "us-east-2": "0.01", "us-west-2": "0.01", "eu-west-1": "0.011", "eu-central-1": "0.012", "ap-southeast-1": "0.013"})
	regionalAWS("aws/vpce/%s/gb", "GB", awsList+" (interface VPC endpoint data processed, first PB)", same("0.01"))
	regionalAWS("aws/vpce/%s/gb-tier2", "GB", awsList+" (interface VPC endpoint data processed, next 4 PB)", same("0.006"))
	regionalAWS("aws/vpce/%s/gb-tier3", "GB", awsList+" (interface VPC endpoint data processed, over 5 PB)", same("0.004"))
	regionalAWS("aws/vpce/%s/gwlb-hour", "AZ-hour", awsList+" (Gateway Load Balancer endpoint, per AZ)", same("0.01"))
	regionalAWS("aws/vpce/%s/gwlb-gb", "GB", awsList+" (Gateway Load Balancer endpoint data processed)", same("0.0035"))
	apigw := awsList + " (API Gateway"
	regionalAWS("aws/apigw/%s/rest-requests", "1M requests", apigw+" REST, first 333M a month)", map[string]string{"us-east-1": "3.50", "us-east-2": "3.50", "us-west-2": "3.50", "eu-west-1": "3.50", "eu-central-1": "3.70", "ap-southeast-1": "3.80"})
	regionalAWS("aws/apigw/%s/rest-requests-tier2", "1M requests", apigw+" REST, next 667M a month)", usRegions("2.80"))
	regionalAWS("aws/apigw/%s/rest-requests-tier3", "1M requests", apigw+" REST, next 19B a month)", usRegions("2.38"))
	regionalAWS("aws/apigw/%s/rest-requests-tier4", "1M requests", apigw+" REST, over 20B a month)", usRegions("1.51"))
	regionalAWS("aws/apigw/%s/http-requests", "1M requests", apigw+" HTTP, first 300M a month)", map[string]string{"us-east-1": "1.00", "us-east-2": "1.00", "us-west-2": "1.00", "eu-west-1": "1.11", "eu-central-1": "1.20", "ap-southeast-1": "1.21"})
	regionalAWS("aws/apigw/%s/http-requests-tier2", "1M requests", apigw+" HTTP, over 300M a month)", usRegions("0.90"))
	regionalAWS("aws/apigw/%s/websocket-messages", "1M messages", apigw+" WebSocket, first 1B a month)", usRegions("1.00"))
	regionalAWS("aws/apigw/%s/websocket-messages-tier2", "1M messages", apigw+" WebSocket, over 1B a month)", usRegions("0.80"))
	regionalAWS("aws/apigw/%s/websocket-minutes", "1M connection minutes", apigw+" WebSocket)", usRegions("0.25"))
	regionalAWS("aws/kinesis/%s/shard-hour", "shard-hour", awsList+" (Kinesis Data Streams, provisioned)", usRegions("0.015"))
	regionalAWS("aws/kinesis/%s/put-units", "1M PUT payload units", awsList+" (Kinesis Data Streams, provisioned)", usRegions("0.014"))
	regionalAWS("aws/kinesis/%s/extended-retention-shard-hour", "shard-hour", awsList+" (Kinesis Data Streams, provisioned, retention up to 7 days)", usRegions("0.02"))
	regionalAWS("aws/kinesis/%s/on-demand-stream-hour", "hour", awsList+" (Kinesis Data Streams, on-demand stream)", usRegions("0.04"))
	regionalAWS("aws/kinesis/%s/on-demand-in", "GB", awsList+" (Kinesis Data Streams, on-demand data ingested)", usRegions("0.08"))
	regionalAWS("aws/kinesis/%s/on-demand-out", "GB", awsList+" (Kinesis Data Streams, on-demand data retrieved)", usRegions("0.04"))
	regionalAWS("aws/kinesis/%s/on-demand-extended-retention", "GB-month", awsList+" (Kinesis Data Streams, on-demand, retention up to 7 days)", usRegions("0.10"))
	regionalAWS("aws/kinesis/%s/on-demand-efo-out", "GB", awsList+" (Kinesis Data Streams, on-demand enhanced fan-out data retrieved)", usRegions("0.05"))
	regionalAWS("aws/kinesis/%s/long-term-retention", "GB-month", awsList+" (Kinesis Data Streams, retention beyond 7 days)", usRegions("0.023"))
	regionalAWS("aws/vpn/%s/hour", "hour", awsList+" (Site-to-Site VPN connection)", same("0.05"))
	regionalAWS("aws/tgw/%s/attachment-hour", "hour", awsList+" (Transit Gateway attachment)", same("0.05"))
	regionalAWS("aws/tgw/%s/gb", "GB", awsList+" (Transit Gateway data processed)", same("0.02"))
	regionalAWS("aws/sfn/%s/transitions", "1k state transitions", awsList+" (Step Functions standard)", same("0.025"))
	regionalAWS("aws/sfn/%s/express-requests", "1M requests", awsList+" (Step Functions Express)", same("1.00"))
	// Express duration: $0.00001667, $0.00000833 and $0.00000456 a GB-second,
	// listed here by the GB-hour (× 3,600).
	regionalAWS("aws/sfn/%s/express-gb-hour-1", "GB-hour", awsList+" (Step Functions Express, first 1,000 GB-hours)", same("0.060012"))
	regionalAWS("aws/sfn/%s/express-gb-hour-2", "GB-hour", awsList+" (Step Functions Express, next 4,000 GB-hours)", same("0.029988"))
	regionalAWS("aws/sfn/%s/express-gb-hour-3", "GB-hour", awsList+" (Step Functions Express, over 5,000 GB-hours)", same("0.016416"))
	regionalAWS("aws/waf/%s/acl", "web ACL-month", awsList+" (WAF)", same("5.00"))
	regionalAWS("aws/waf/%s/rule", "rule-month", awsList+" (WAF)", same("1.00"))
	regionalAWS("aws/waf/%s/requests", "1M requests", awsList+" (WAF)", same("0.60"))
	regionalAWS("aws/transfer/%s/hour", "protocol-hour", awsList+" (Transfer Family)", same("0.30"))
}
