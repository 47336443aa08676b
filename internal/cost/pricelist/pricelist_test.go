package pricelist

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// read gives the prices a reader finds in a testdata file, by key.
func read(t *testing.T, name string, f func(io.Reader) ([]Price, error)) map[string]Price {
	t.Helper()
	file, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	prices, err := f(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Price{}
	for _, p := range prices {
		if _, dup := out[p.Key]; dup {
			t.Errorf("%s named twice", p.Key)
		}
		out[p.Key] = p
	}
	return out
}

func expect(t *testing.T, got map[string]Price, want map[string]string, unit map[string]string) {
	t.Helper()
	for k, v := range want {
		p, ok := got[k]
		if !ok {
			t.Errorf("%s missing; have %v", k, keys(got))
			continue
		}
		if p.USD.Cmp(cost.D(v)) != 0 {
			t.Errorf("%s = %s, want %s", k, p.USD, v)
		}
		if u := unit[k]; u != "" && p.Unit != u {
			t.Errorf("%s unit %s, want %s", k, p.Unit, u)
		}
		if p.Source == "" {
			t.Errorf("%s has no source", k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected price %s = %s", k, got[k].USD)
		}
	}
}

func keys(m map[string]Price) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// An EC2 offer file: Linux, Windows and dedicated rates of a previous-
// generation type; its reservations amortised by hand (upfront fee / hours
// of the term + hourly fee); EBS storage and io2's first IOPS tier. A
// pre-installed SQL Server image, an unused capacity reservation, a
// higher IOPS tier and data transfer are not catalog prices. A Dedicated
// Host's on-demand rate and its reservations, which AWS lists as a product
// of their own (ReservedHostUsage), share the host's key: 3 years all
// upfront is $69,850 / 26,280 h.
func TestReadAWSOfferEC2(t *testing.T) {
	got := read(t, "AmazonEC2-us-east-1.json", ReadAWSOffer)
	base := "aws/ec2/us-east-1/m3.medium"
	host := cost.EC2HostKey("us-east-1", "m5")
	expect(t, got, map[string]string{
		host: "5.069",
		cost.ReservedKey(host, "standard", "1_year", "no_upfront"):  "3.549",
		cost.ReservedKey(host, "standard", "3_year", "all_upfront"): "69850/26280",
		base:                "0.067",
		base + "/windows":   "0.13",
		base + "/dedicated": "0.073",
		cost.ReservedKey(base, "standard", "1_year", "all_upfront"):        "373/8760",   // $373 upfront over 8,760 hours
		cost.ReservedKey(base, "standard", "1_year", "no_upfront"):         "0.045",      // hourly only
		cost.ReservedKey(base, "convertible", "3_year", "partial_upfront"): "2629/65700", // $526 over 26,280 hours + $0.02
		"aws/ebs/us-east-1/gp3":      "0.08",
		"aws/ebs/us-east-1/io2-iops": "0.065",
	}, map[string]string{base: "hour", "aws/ebs/us-east-1/gp3": "GB-month", "aws/ebs/us-east-1/io2-iops": "IOPS-month"})
	if conv := got[cost.ReservedKey(base, "convertible", "3_year", "partial_upfront")]; !strings.Contains(conv.Source, "$526 upfront + $0.02/hour") {
		t.Errorf("source %q does not say how it was amortised", conv.Source)
	}
}

// An RDS offer file: SQL Server Standard license included, Single- and
// Multi-AZ, Oracle SE2 bring-your-own-license, gp3 storage and IOPS, and
// a partial-upfront reservation ($3,942 / 8,760 h + $0.45 = $0.90).
func TestReadAWSOfferRDS(t *testing.T) {
	got := read(t, "AmazonRDS-us-east-1.json", ReadAWSOffer)
	se := cost.RDSKey("us-east-1", "sqlserver-se", "db.m5.large", false, false)
	expect(t, got, map[string]string{
		se: "0.977",
		cost.RDSKey("us-east-1", "sqlserver-se", "db.m5.large", false, true): "1.954",
		cost.RDSKey("us-east-1", "oracle-se2", "db.m5.large", true, false):   "0.171",
		cost.ReservedKey(se, "standard", "1_year", "partial_upfront"):        "0.9",
		"aws/rds/us-east-1/storage-gp3":                                      "0.115",
		"aws/rds/us-east-1/gp3-iops":                                         "0.02",
	}, nil)
}

// A Compute Savings Plans file: Linux shared-tenancy EC2 rates per term
// and payment in the file's region; Windows and Fargate rates are not
// catalog prices.
func TestReadSavingsPlans(t *testing.T) {
	got := read(t, "AWSComputeSavingsPlan-us-east-2.json", ReadSavingsPlans)
	base := cost.EC2Key("us-east-2", "m5.large", "", false)
	expect(t, got, map[string]string{
		cost.SavingsPlanKey(base, "1_year", "no_upfront"):  "0.069",
		cost.SavingsPlanKey(base, "3_year", "all_upfront"): "0.0425",
	}, nil)
}

// A Billing Catalog SKU list: a family's vCPU and memory rates in each
// region the SKU lists, a 3-year commitment, a GPU, standard PD; a
// preemptible rate is not a catalog price. Nanos are billionths of a
// dollar, units whole dollars (absent when zero).
func TestReadGCPSkus(t *testing.T) {
	got := read(t, "compute-skus.json", ReadGCPSkus)
	expect(t, got, map[string]string{
		"gcp/compute/us-central1/n2-vcpu":                           "0.031611",
		"gcp/compute/us-east1/n2-vcpu":                              "0.031611",
		"gcp/compute/us-central1/n2-ram":                            "0.004237",
		cost.CommitKey("gcp/compute/us-central1/n2-vcpu", "3_year"): "0.014225",
		"gcp/gpu/europe-west1/nvidia-tesla-t4":                      "0.35",
		"gcp/disk/us-central1/pd-standard":                          "0.04",
		// Custom machine types: N1's SKUs name no family.
		"gcp/compute/us-central1/n1-custom-vcpu":         "0.033174",
		"gcp/compute/us-central1/n1-custom-ram":          "0.004446",
		"gcp/compute/us-central1/n1-custom-ram-extended": "0.00955",
		"gcp/compute/us-central1/n2-custom-vcpu":         "0.033191",
		"gcp/disk/us-central1/local-ssd":                 "0.08",
	}, map[string]string{"gcp/compute/us-central1/n2-ram": "GB-hour", "gcp/gpu/europe-west1/nvidia-tesla-t4": "GPU-hour",
		"gcp/compute/us-central1/n1-custom-ram-extended": "GB-hour"})
}

// Files that are not price lists are refused with what is wrong.
func TestReadersRefuseOtherFiles(t *testing.T) {
	for name, f := range map[string]func(io.Reader) ([]Price, error){"offer": ReadAWSOffer, "savings plans": ReadSavingsPlans, "skus": ReadGCPSkus} {
		for _, doc := range []string{`[1,2]`, `{"products": {}}`, `not json`} {
			if _, err := f(strings.NewReader(doc)); err == nil {
				t.Errorf("%s reader accepted %s", name, doc)
			}
		}
	}
}

// Every key a product maps to is found again by the query built from the
// key: the query's filters all hold for the product.
func TestAWSQueryFindsTheProductOfItsKey(t *testing.T) {
	for _, name := range []string{"AmazonEC2-us-east-1.json", "AmazonRDS-us-east-1.json"} {
		f, err := os.Open("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var offer struct {
			OfferCode string `json:"offerCode"`
			Products  map[string]struct {
				ProductFamily string            `json:"productFamily"`
				Attributes    map[string]string `json:"attributes"`
			} `json:"products"`
		}
		if err := json.NewDecoder(f).Decode(&offer); err != nil {
			t.Fatal(err)
		}
		f.Close()
		for sku, p := range offer.Products {
			key, u := awsKey(offer.OfferCode, p.ProductFamily, p.Attributes)
			if key == "" || u != hours {
				continue
			}
			service, region, filters, ok := AWSQuery(key)
			if !ok || service != offer.OfferCode || region != p.Attributes["regionCode"] {
				t.Errorf("%s (%s): query %s %s %v", key, sku, service, region, ok)
				continue
			}
			for k, v := range filters {
				have := p.Attributes[k]
				if k == "productFamily" {
					have = p.ProductFamily
				}
				if have != v {
					t.Errorf("%s (%s): filter %s=%s, product has %q", key, sku, k, v, have)
				}
			}
		}
	}
	if _, _, _, ok := AWSQuery("aws/nat/us-east-1/hour"); ok {
		t.Error("a key no query finds")
	}
}
