package cost

// Google resources priced from the ones they refer to: GKE pools and
// clusters, managed instance groups and templates, disks and images.

import (
	"strings"
	"testing"
)

// GKE: a node pool spans its cluster's zones (found by the reference in
// cluster), inline node pools replace the default pool, a default pool
// without initial_node_count has GKE's 3 nodes a zone, and node GPUs are
// billed per node. us-central1 list: e2-medium $0.033503 an hour,
// pd-balanced $0.10 a GB-month, T4 $0.35 a GPU-hour, the cluster fee $0.10
// an hour.
func TestGKEPoolsTakeTheirClustersZones(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_container_cluster" "regional" {
  name     = "regional"
  location = "us-central1"
  remove_default_node_pool = true
  initial_node_count       = 1
}

resource "google_container_cluster" "two_zones" {
  name           = "two-zones"
  location       = "us-central1-a"
  node_locations = ["us-central1-a", "us-central1-b"]
}

resource "google_container_cluster" "inline" {
  name     = "inline"
  location = "us-central1-a"
  node_pool {
    name       = "big"
    node_count = 2
  }
  node_pool {
    name = "scaled"
    autoscaling {
      min_node_count = 1
      max_node_count = 5
    }
  }
}

resource "google_container_node_pool" "in_regional" {
  name       = "in-regional"
  cluster    = google_container_cluster.regional.id
  node_count = 2
}

resource "google_container_node_pool" "gpu" {
  name       = "gpu"
  cluster    = google_container_cluster.regional.name
  location   = "us-central1-a"
  node_count = 1
  node_config {
    machine_type = "e2-medium"
    guest_accelerator {
      type  = "nvidia-tesla-t4"
      count = 2
    }
  }
}
`, map[string]any{"google_container_cluster.inline": map[string]any{"node_pool[1]": map[string]any{"nodes": 4}}})
	expectMonthly(t, est, map[string]string{
		// the fee alone: its default pool is removed
		"google_container_cluster.regional": "73.00",
		// 73 + the default pool: 3 nodes × 2 zones = 6 × (730 × 0.033503 + 100 GB × 0.10) = 146.74278 + 60
		"google_container_cluster.two_zones": "279.74",
		// 73 + 2 nodes (48.91438 + 20) + usage's 4 nodes for the second pool (97.82876 + 40)
		"google_container_cluster.inline": "279.74",
		// 2 nodes a zone in the regional cluster's 3 zones: 6 × (24.45719 + 10)
		"google_container_node_pool.in_regional": "206.74",
		// its own zone: 1 node, 24.45719 + 10 + 2 T4s × 730 × 0.35 = 511
		"google_container_node_pool.gpu": "545.46",
	})
}

// A bucket is priced where its location is: a multi-region class or a
// dual-region the catalog has no list price for is not priced, saying so,
// rather than priced at the provider region's regional rate.
func TestGCSBucketsArePricedWhereTheyAre(t *testing.T) {
	var rs []Resource
	for name, attrs := range map[string]map[string]any{
		"asia_coldline": {"location": "ASIA", "storage_class": "COLDLINE"},
		"nam4":          {"location": "NAM4"},
		"east":          {"location": "us-east1"},
	} {
		rs = append(rs, Resource{Address: "google_storage_bucket." + name, Type: "google_storage_bucket", Region: "us-central1", Attributes: attrs})
	}
	usage, err := UsageFrom(map[string]any{"google_storage_bucket.*": map[string]any{"storage_gb": 100}})
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateResources(rs, nil, nil, Options{Usage: usage})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, u := range est.Unpriced {
		reasons[u.Address] = u.Reason
	}
	if r := reasons["google_storage_bucket.asia_coldline"]; !strings.Contains(r, "coldline, multi-region ASIA") {
		t.Errorf("ASIA coldline: %q", r)
	}
	if r := reasons["google_storage_bucket.nam4"]; !strings.Contains(r, "dual-region NAM4") {
		t.Errorf("NAM4: %q", r)
	}
	// us-east1's own list price, not the provider region's: 100 × 0.02
	expectMonthly(t, est, map[string]string{"google_storage_bucket.east": "2.00"})
}

// A disk without a size takes its image's or snapshot's, followed through
// images made from images and snapshots of disks; a blank one gcloud's
// default. us-central1: pd-standard $0.04, pd-ssd $0.17 a GB-month.
func TestDiskSizesFromImagesAndSnapshots(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_compute_disk" "blank" { name = "blank" }
resource "google_compute_disk" "blank_ssd" {
  name = "blank-ssd"
  type = "pd-ssd"
}
resource "google_compute_image" "base" {
  name         = "base"
  disk_size_gb = 30
}
resource "google_compute_image" "derived" {
  name         = "derived"
  source_image = google_compute_image.base.self_link
}
resource "google_compute_disk" "from_derived" {
  name  = "from-derived"
  image = google_compute_image.derived.self_link
}
resource "google_compute_disk" "sized" {
  name = "sized"
  size = 20
}
resource "google_compute_snapshot" "snap" {
  name        = "snap"
  source_disk = google_compute_disk.sized.name
}
resource "google_compute_image" "from_snap" {
  name            = "from-snap"
  source_snapshot = google_compute_snapshot.snap.self_link
}
resource "google_compute_disk" "from_snap_image" {
  name  = "from-snap-image"
  image = google_compute_image.from_snap.self_link
}
resource "google_compute_disk" "from_snapshot" {
  name     = "from-snapshot"
  snapshot = google_compute_snapshot.snap.self_link
}
resource "google_compute_disk" "public_image" {
  name  = "public-image"
  image = "debian-cloud/debian-12"
}
`, nil)
	expectMonthly(t, est, map[string]string{
		"google_compute_disk.blank":           "20.00", // 500 GB × 0.04
		"google_compute_disk.blank_ssd":       "17.00", // 100 GB × 0.17
		"google_compute_disk.from_derived":    "1.20",  // the base image's 30 GB
		"google_compute_disk.from_snap_image": "0.80",  // the snapshotted disk's 20 GB
		"google_compute_disk.from_snapshot":   "0.80",
	})
	var reason string
	for _, u := range est.Unpriced {
		if u.Address == "google_compute_disk.public_image" {
			reason = u.Reason
		}
	}
	if !strings.Contains(reason, "its image or snapshot is not among the resources estimated") {
		t.Errorf("public image: %q (unpriced %+v)", reason, est.Unpriced)
	}
}

// A spot pool of a cluster does not take the sustained use discount away
// from the cluster's other pools, whichever comes first. us-central1 N1:
// $0.031611 a vCPU-hour and $0.004237 a GB-hour; 30% off for a whole month.
func TestGKESpotPoolLeavesOthersDiscounted(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_container_cluster" "mixed" {
  name     = "mixed"
  location = "us-central1-a"
  node_pool {
    node_count = 1
    node_config {
      machine_type = "n1-standard-4"
      spot         = true
    }
  }
  node_pool {
    node_count = 1
    node_config { machine_type = "n1-standard-4" }
  }
}
`, nil)
	// fee 73; each node 730 × (4 × 0.031611 + 15 × 0.004237) = 138.700 (4 vCPUs, 15 GB);
	// the second 30% less: 97.090; 100 GB pd-balanced each: 2 × 10
	expectMonthly(t, est, map[string]string{"google_container_cluster.mixed": "328.79"})
}

// A managed instance group runs its autoscaler's minimum (found by the
// reference in the autoscaler's target) of what its template declares.
// us-central1: e2-standard-2 is 730 × 0.067006 = 48.91438 a month; T4
// $0.35 an hour; pd-standard $0.04 a GB-month.
func TestInstanceGroupsAndTheirAutoscalers(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_compute_instance_template" "gpu" {
  name_prefix  = "gpu-"
  machine_type = "e2-standard-2"
  disk {
    boot         = true
    source_image = "debian-cloud/debian-12"
    disk_size_gb = 50
  }
  guest_accelerator {
    type  = "nvidia-tesla-t4"
    count = 1
  }
}

resource "google_compute_instance_group_manager" "gpu" {
  name               = "gpu"
  zone               = "us-central1-a"
  base_instance_name = "gpu"
  target_size        = 10
  version { instance_template = google_compute_instance_template.gpu.id }
}

resource "google_compute_autoscaler" "gpu" {
  name   = "gpu"
  zone   = "us-central1-a"
  target = google_compute_instance_group_manager.gpu.id
  autoscaling_policy {
    min_replicas = 2
    max_replicas = 8
  }
}

resource "google_compute_region_instance_group_manager" "missing" {
  name               = "missing"
  region             = "us-central1"
  base_instance_name = "m"
  target_size        = 2
  version { instance_template = "projects/p/global/instanceTemplates/made-elsewhere" }
}
`, nil)
	// the autoscaler's minimum, 2: 2 × 48.91438; 2 T4s × 730 × 0.35 = 511; 2 × 50 GB × 0.04 = 4
	expectMonthly(t, est, map[string]string{"google_compute_instance_group_manager.gpu": "612.83"})
	if n := noteOf(est, "google_compute_instance_group_manager.gpu"); !strings.Contains(n, "autoscaled by google_compute_autoscaler.gpu between 2 and 8") {
		t.Errorf("notes: %s", n)
	}
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "its instance template is not among the resources estimated") {
		t.Errorf("unpriced: %+v", est.Unpriced)
	}
}

// In a plan, a node pool's counts left out of the configuration are known
// only after apply: the default 3 nodes a zone stand for them, in the zones
// of its cluster (found by the configuration's reference).
func TestGKEPoolInAPlan(t *testing.T) {
	est := estimatePlan(t, `{
  "format_version": "1.2", "terraform_version": "1.11.4",
  "resource_changes": [
    {"address": "google_container_cluster.main", "mode": "managed", "type": "google_container_cluster", "name": "main",
     "provider_name": "registry.terraform.io/hashicorp/google",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "main", "location": "us-central1", "remove_default_node_pool": true, "initial_node_count": 1, "node_pool": []},
       "after_unknown": {"id": true}}},
    {"address": "google_container_node_pool.web", "mode": "managed", "type": "google_container_node_pool", "name": "web",
     "provider_name": "registry.terraform.io/hashicorp/google",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "web", "autoscaling": [], "node_config": [{"machine_type": "e2-medium"}]},
       "after_unknown": {"cluster": true, "location": true, "node_count": true, "initial_node_count": true, "node_locations": true}}}
  ],
  "configuration": {
    "provider_config": {"google": {"name": "google", "expressions": {"region": {"constant_value": "us-central1"}}}},
    "root_module": {"resources": [
      {"address": "google_container_node_pool.web", "mode": "managed", "type": "google_container_node_pool", "name": "web", "provider_config_key": "google",
       "expressions": {"cluster": {"references": ["google_container_cluster.main.id", "google_container_cluster.main"]}}}
    ]}
  }
}`)
	// 3 nodes × 3 zones of the regional cluster × (730 × 0.033503 + 100 GB × 0.10)
	expectMonthly(t, est, map[string]string{"google_container_node_pool.web": "310.11"})
}
