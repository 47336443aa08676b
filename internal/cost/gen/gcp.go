package main

// The Google Cloud tables.

import (
	"fmt"
	"strings"
)

var gcpRegions = []string{"us-central1", "us-east1", "europe-west1", "asia-southeast1"}

// gcpRatio is each region's list-price ratio to us-central1 for Compute
// Engine, used where a region's price is not in the tables.
var gcpRatio = map[string]string{"us-central1": "1", "us-east1": "1", "europe-west1": "1.1", "asia-southeast1": "1.232"}

func regionalGCP(key, unit, source string, byRegion map[string]string) {
	base := byRegion["us-central1"]
	for _, r := range gcpRegions {
		if v, ok := byRegion[r]; ok {
			add(fmt.Sprintf(key, r), unit, v, source)
			continue
		}
		add(fmt.Sprintf(key, r), unit, mul(base, gcpRatio[r], 10), fmt.Sprintf("estimated: the us-central1 list price × %s (the region's Compute Engine price ratio)", gcpRatio[r]))
	}
}

func gcpSame(v string) map[string]string {
	m := map[string]string{}
	for _, r := range gcpRegions {
		m[r] = v
	}
	return m
}

func gcpCatalog() {
	ce := gcpList + " (Compute Engine, on-demand)"
	for family, rates := range map[string][2]string{
		"e2": {"0.021811", "0.002923"}, "n2": {"0.031611", "0.004237"}, "n2d": {"0.027502", "0.003686"},
		"c3": {"0.03465", "0.003938"}, "t2d": {"0.027502", "0.003686"}, "n1": {"0.031611", "0.004237"}, "c2": {"0.03398", "0.00455"},
	} {
		regionalGCP("gcp/compute/%s/"+family+"-vcpu", "vCPU-hour", ce, map[string]string{"us-central1": rates[0], "us-east1": rates[0]})
		regionalGCP("gcp/compute/%s/"+family+"-ram", "GB-hour", ce, map[string]string{"us-central1": rates[1], "us-east1": rates[1]})
	}
	for mt, v := range map[string]string{"e2-micro": "0.008376", "e2-small": "0.016751", "e2-medium": "0.033503", "f1-micro": "0.0076", "g1-small": "0.0257"} {
		regionalGCP("gcp/compute/%s/"+mt, "hour", ce+" (shared-core)", map[string]string{"us-central1": v, "us-east1": v})
	}
	for gpu, v := range map[string]string{"nvidia-tesla-t4": "0.35", "nvidia-tesla-p4": "0.60", "nvidia-tesla-p100": "1.46", "nvidia-tesla-v100": "2.48"} {
		regionalGCP("gcp/gpu/%s/"+gpu, "GPU-hour", ce+" (GPU attached to a VM)", map[string]string{"us-central1": v})
	}
	pd := gcpList + " (Persistent Disk)"
	regionalGCP("gcp/disk/%s/pd-standard", "GB-month", pd, map[string]string{"us-central1": "0.04", "us-east1": "0.04", "europe-west1": "0.04", "asia-southeast1": "0.048"})
	regionalGCP("gcp/disk/%s/pd-balanced", "GB-month", pd, map[string]string{"us-central1": "0.10", "us-east1": "0.10", "europe-west1": "0.10", "asia-southeast1": "0.12"})
	regionalGCP("gcp/disk/%s/pd-ssd", "GB-month", pd, map[string]string{"us-central1": "0.17", "us-east1": "0.17", "europe-west1": "0.17", "asia-southeast1": "0.204"})
	regionalGCP("gcp/disk/%s/local-ssd", "GB-month", gcpList+" (Compute Engine Local SSD)", map[string]string{"us-central1": "0.08", "us-east1": "0.08"})
	regionalGCP("gcp/disk/%s/pd-extreme", "GB-month", pd, map[string]string{"us-central1": "0.125", "us-east1": "0.125"})
	add("gcp/gke/global/cluster-hour", "hour", "0.10", gcpList+" (GKE cluster management fee)")
	regionalGCP("gcp/autopilot/%s/vcpu-hour", "vCPU-hour", gcpList+" (GKE Autopilot, general-purpose pods)", map[string]string{"us-central1": "0.0445", "us-east1": "0.0445"})
	regionalGCP("gcp/autopilot/%s/gb-hour", "GB-hour", gcpList+" (GKE Autopilot, general-purpose pods)", map[string]string{"us-central1": "0.0049225", "us-east1": "0.0049225"})
	regionalGCP("gcp/autopilot/%s/ephemeral-gb-hour", "GB-hour", gcpList+" (GKE Autopilot, ephemeral storage)", map[string]string{"us-central1": "0.0000548", "us-east1": "0.0000548"})
	sql := gcpList + " (Cloud SQL Enterprise)"
	regionalGCP("gcp/sql/%s/vcpu-hour", "vCPU-hour", sql, map[string]string{"us-central1": "0.0413", "us-east1": "0.0413"})
	regionalGCP("gcp/sql/%s/ram-hour", "GB-hour", sql, map[string]string{"us-central1": "0.007", "us-east1": "0.007"})
	regionalGCP("gcp/sql/%s/db-f1-micro", "hour", sql+" (shared-core)", map[string]string{"us-central1": "0.0105", "us-east1": "0.0105"})
	regionalGCP("gcp/sql/%s/db-g1-small", "hour", sql+" (shared-core)", map[string]string{"us-central1": "0.035", "us-east1": "0.035"})
	regionalGCP("gcp/sql/%s/storage-ssd", "GB-month", sql, map[string]string{"us-central1": "0.17", "us-east1": "0.17"})
	regionalGCP("gcp/sql/%s/backup", "GB-month", sql+" (backups)", map[string]string{"us-central1": "0.08", "us-east1": "0.08"})
	regionalGCP("gcp/sql/%s/storage-hdd", "GB-month", sql, map[string]string{"us-central1": "0.09", "us-east1": "0.09"})
	gcs := gcpList + " (Cloud Storage, regional)"
	regionalGCP("gcp/gcs/%s/standard", "GB-month", gcs, map[string]string{"us-central1": "0.02", "us-east1": "0.02", "europe-west1": "0.02", "asia-southeast1": "0.023"})
	regionalGCP("gcp/gcs/%s/nearline", "GB-month", gcs, map[string]string{"us-central1": "0.01", "us-east1": "0.01", "europe-west1": "0.01", "asia-southeast1": "0.016"})
	regionalGCP("gcp/gcs/%s/coldline", "GB-month", gcs, map[string]string{"us-central1": "0.004", "us-east1": "0.004", "europe-west1": "0.004", "asia-southeast1": "0.006"})
	regionalGCP("gcp/gcs/%s/archive", "GB-month", gcs, map[string]string{"us-central1": "0.0012", "us-east1": "0.0012", "europe-west1": "0.0012", "asia-southeast1": "0.0025"})
	regionalGCP("gcp/gcs/%s/class-a", "1k operations", gcs+"; Class A", gcpSame("0.005"))
	regionalGCP("gcp/gcs/%s/class-b", "1k operations", gcs+"; Class B", gcpSame("0.0004"))
	add("gcp/gcs/global/multi-region-standard", "GB-month", "0.026", gcpList+" (Cloud Storage Standard, multi-region US, EU or ASIA)")
	for class, v := range map[string]string{"nearline": "0.01", "coldline": "0.02", "archive": "0.05"} {
		add("gcp/gcs/global/retrieval-"+class, "GB", v, gcpList+" (Cloud Storage data retrieval, "+class+")")
	}
	// Network egress from Cloud Storage by destination, in monthly tiers
	// of the first TiB, the next 9 and beyond (Premium Tier).
	for dest, tiers := range map[string][3]string{"worldwide": {"0.12", "0.11", "0.08"}, "asia": {"0.12", "0.11", "0.08"},
		"china": {"0.23", "0.22", "0.20"}, "australia": {"0.19", "0.18", "0.15"}} {
		for i, v := range tiers {
			add(fmt.Sprintf("gcp/gcs/global/egress-%s-%d", dest, i+1), "GB", v, gcpList+" (Cloud Storage network egress to "+dest+")")
		}
	}
	add("gcp/gcs/global/egress-same-continent", "GB", "0.02", gcpList+" (Cloud Storage network egress within a continent)")
	regionalGCP("gcp/nat/%s/vm-hour", "VM-hour", gcpList+" (Cloud NAT, per VM up to 32)", gcpSame("0.0014"))
	regionalGCP("gcp/nat/%s/gb", "GB", gcpList+" (Cloud NAT data processed)", gcpSame("0.045"))
	regionalGCP("gcp/lb/%s/rule-first5", "hour", gcpList+" (forwarding rules: the first 5 in a region together)", map[string]string{"us-central1": "0.025", "us-east1": "0.025"})
	regionalGCP("gcp/lb/%s/rule-extra", "rule-hour", gcpList+" (each forwarding rule after 5)", map[string]string{"us-central1": "0.01", "us-east1": "0.01"})
	regionalGCP("gcp/ip/%s/hour", "hour", gcpList+" (external IPv4 address in use)", gcpSame("0.005"))
	for i, v := range []string{"0.12", "0.11", "0.08"} {
		regionalGCP(fmt.Sprintf("gcp/egress/%%s/tier%d", i+1), "GB", gcpList+" (Premium tier internet egress; "+[]string{"0–1 TB", "1–10 TB", "over 10 TB"}[i]+")", gcpSame(v))
	}
	add("gcp/dns/global/zone", "zone-month", "0.20", gcpList+" (Cloud DNS managed zone, first 25)")
	regionalGCP("gcp/run/%s/vcpu-second", "vCPU-second", gcpList+" (Cloud Run, request-based billing, tier 1)", map[string]string{"us-central1": "0.000024", "us-east1": "0.000024", "europe-west1": "0.000024"})
	regionalGCP("gcp/run/%s/gib-second", "GiB-second", gcpList+" (Cloud Run, request-based billing, tier 1)", map[string]string{"us-central1": "0.0000025", "us-east1": "0.0000025", "europe-west1": "0.0000025"})
	regionalGCP("gcp/run/%s/requests", "1M requests", gcpList+" (Cloud Run)", gcpSame("0.40"))
	regionalGCP("gcp/run/%s/always-vcpu-second", "vCPU-second", gcpList+" (Cloud Run, instance-based billing: CPU always allocated, tier 1)", map[string]string{"us-central1": "0.000018", "us-east1": "0.000018", "europe-west1": "0.000018"})
	regionalGCP("gcp/run/%s/always-gib-second", "GiB-second", gcpList+" (Cloud Run, instance-based billing: CPU always allocated, tier 1)", map[string]string{"us-central1": "0.000002", "us-east1": "0.000002", "europe-west1": "0.000002"})
	// Memorystore for Redis bills a GB-hour of capacity at its capacity
	// tier's rate: M1 1–4 GB, M2 5–10, M3 11–35, M4 36–100, M5 over 100.
	for tier, rates := range map[string][2]string{"m1": {"0.049", "0.064"}, "m2": {"0.027", "0.054"}, "m3": {"0.023", "0.046"}, "m4": {"0.019", "0.035"}, "m5": {"0.016", "0.030"}} {
		regionalGCP("gcp/redis/%s/basic-"+tier, "GB-hour", gcpList+" (Memorystore for Redis, Basic "+strings.ToUpper(tier)+")", map[string]string{"us-central1": rates[0], "us-east1": rates[0]})
		regionalGCP("gcp/redis/%s/standard-"+tier, "GB-hour", gcpList+" (Memorystore for Redis, Standard "+strings.ToUpper(tier)+")", map[string]string{"us-central1": rates[1], "us-east1": rates[1]})
	}
	add("gcp/pubsub/global/tib", "TiB", "40.00", gcpList+" (Pub/Sub message delivery)")
	add("gcp/secretmanager/global/version", "version-month", "0.06", gcpList+" (Secret Manager active secret version)")
	add("gcp/secretmanager/global/operations", "10k operations", "0.03", gcpList+" (Secret Manager access operations)")
	add("gcp/kms/global/key-version", "key version-month", "0.06", gcpList+" (Cloud KMS software key version)")
	add("gcp/kms/global/operations", "10k operations", "0.03", gcpList+" (Cloud KMS cryptographic operations, software keys)")
	regionalGCP("gcp/functions/%s/invocations", "1M invocations", gcpList+" (Cloud Functions 1st gen)", gcpSame("0.40"))
	for tier, v := range map[string]string{"mb128": "0.000000231", "mb256": "0.000000463", "mb512": "0.000000925", "mb1024": "0.00000165",
		"mb2048": "0.0000029", "mb4096": "0.0000058", "mb8192": "0.0000068"} {
		regionalGCP("gcp/functions/%s/"+tier, "100 ms", gcpList+" (Cloud Functions 1st gen compute, Tier 1 pricing, per 100 ms)", map[string]string{"us-central1": v, "us-east1": v, "europe-west1": v})
	}
	regionalGCP("gcp/functions/%s/egress", "GB", gcpList+" (Cloud Functions outbound data)", gcpSame("0.12"))
}
