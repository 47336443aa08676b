package cloud

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// A Compute Engine price the catalog lacks (an L4 GPU) is found in the
// Cloud Billing Catalog's SKUs, read once however many keys are asked,
// and kept in the price cache with every other Compute Engine price.
func TestLiveLookupInTheBillingCatalog(t *testing.T) {
	var requests atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/v1/services/6F81-5844-456A/skus" {
			t.Errorf("unexpected %s", r.URL)
			http.NotFound(w, r)
			return
		}
		sku := func(id, desc, unit string, nanos int) map[string]any {
			return map[string]any{"skuId": id, "description": desc, "serviceRegions": []string{"us-central1"},
				"category": map[string]string{"resourceFamily": "Compute", "usageType": "OnDemand"},
				"pricingInfo": []any{map[string]any{"effectiveTime": "2026-11-01T00:00:00Z", "pricingExpression": map[string]any{"usageUnit": unit,
					"tieredRates": []any{map[string]any{"unitPrice": map[string]any{"currencyCode": "USD", "units": "0", "nanos": nanos}}}}}}}
		}
		json.NewEncoder(w).Encode(map[string]any{"skus": []any{
			sku("L4-1", "Nvidia L4 GPU running in Americas", "h", 560000000),
			sku("N2-1", "N2 Instance Core running in Americas", "h", 31611000),
		}})
	}))
	defer api.Close()
	cache := filepath.Join(t.TempDir(), "prices.json")
	l := &LiveLookup{GCP: &GCP{Endpoints: map[string]string{"billing": api.URL + "/v1/"}}, Cache: cache}
	res := []cost.Resource{{Address: "google_compute_instance.gpu", Type: "google_compute_instance", Region: "us-central1",
		Attributes: map[string]any{"machine_type": "e2-standard-4", "guest_accelerator": []any{map[string]any{"type": "nvidia-l4", "count": 2}}}}}
	est, err := cost.EstimateResources(res, nil, nil, cost.Options{Live: l})
	if err != nil {
		t.Fatal(err)
	}
	if len(est.Unpriced) != 0 {
		t.Fatalf("unpriced: %+v", est.Unpriced)
	}
	var gpu cost.Component
	for _, c := range est.Resources[0].Components {
		if strings.HasPrefix(c.Name, "GPUs") {
			gpu = c
		}
	}
	// 2 × 730 × 0.56
	if cost.Dec(gpu.MonthlyCost).Money() != "817.60" || !strings.Contains(gpu.PriceSource, "looked up live") {
		t.Errorf("GPU: %+v", gpu)
	}
	if _, found, _ := l.LookupPrice("gcp/compute/us-central1/m3-vcpu"); found {
		t.Error("a price the catalog API does not list is not found")
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d Billing Catalog requests, want 1", n)
	}
	saved, err := cost.LoadCache(cache)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := saved.Prices["gcp/gpu/us-central1/nvidia-l4"]; !ok {
		t.Errorf("cache: %v", saved.Prices)
	}
	if _, ok := saved.Prices["gcp/compute/us-central1/n2-vcpu"]; !ok {
		t.Errorf("cache keeps every price read: %v", saved.Prices)
	}
}

// A Dedicated Host, which the catalog does not price, is looked up in the
// Price List by its family — the on-demand product and the reservations'
// in one query — and both kept in the price cache: 730 × $5.069 =
// $3,700.37 on demand, 730 × $3.549 = $2,590.77 reserved 1 year no upfront.
func TestLiveLookupInThePriceList(t *testing.T) {
	stub := testenv.NewPriceListStub(t, [][]string{append(testenv.DedicatedHostProducts("m5", "us-east-1", "5.069", "3.549"),
		testenv.EC2Product("SKU1", "m5.large", "us-east-1", "Linux", "0.096"))}, 0)
	cache := filepath.Join(t.TempDir(), "prices.json")
	l := &LiveLookup{AWS: awsTestEnv(t, stub.URL), Cache: cache}
	res := []cost.Resource{
		{Address: "aws_ec2_host.od", Type: "aws_ec2_host", Region: "us-east-1", Attributes: map[string]any{"instance_family": "m5"}},
		{Address: "aws_ec2_host.ri", Type: "aws_ec2_host", Region: "us-east-1", Attributes: map[string]any{"instance_type": "m5.xlarge"}},
	}
	usage, err := cost.ParseUsage([]byte(`resource_usage: {aws_ec2_host.ri: {reserved_instance_term: 1_year, reserved_instance_payment_option: no_upfront}}`))
	if err != nil {
		t.Fatal(err)
	}
	est, err := cost.EstimateResources(res, nil, nil, cost.Options{Live: l, Usage: usage})
	if err != nil || len(est.Unpriced) != 0 {
		t.Fatalf("%v, unpriced %+v", err, est.Unpriced)
	}
	for i, want := range []string{"3700.37", "2590.77"} {
		r := est.Resources[i]
		if cost.Dec(r.MonthlyCost).Money() != want || !strings.Contains(r.Components[0].PriceSource, "looked up live") {
			t.Errorf("%s: %s %+v", r.Address, cost.Dec(r.MonthlyCost).Money(), r.Components)
		}
	}
	if len(stub.Filters) != 1 || stub.Filters[0]["productFamily"] != "Dedicated Host" || stub.Filters[0]["instanceType"] != "m5" {
		t.Errorf("queries: %v", stub.Filters)
	}
	saved, err := cost.LoadCache(cache)
	if err != nil {
		t.Fatal(err)
	}
	host := cost.EC2HostKey("us-east-1", "m5")
	if _, ok := saved.Prices[cost.ReservedKey(host, "standard", "1_year", "no_upfront")]; !ok || len(saved.Prices) != 2 {
		t.Errorf("cache: %v", saved.Prices)
	}

	// A region the catalog lacks: the volume type's storage price is found
	// by its own query.
	ebs := testenv.NewPriceListStub(t, [][]string{{testenv.EBSProduct("SKU9", "gp3", "sa-east-1", "0.152")}}, 0)
	l = &LiveLookup{AWS: awsTestEnv(t, ebs.URL)}
	if p, found, err := l.LookupPrice("aws/ebs/sa-east-1/gp3"); err != nil || !found || p.USD.Cmp(cost.D("0.152")) != 0 || !l.Covers("aws") || l.Covers("gcp") {
		t.Errorf("gp3 in sa-east-1: %+v %v %v", p, found, err)
	}
	if len(ebs.Filters) != 1 || ebs.Filters[0]["productFamily"] != "Storage" || ebs.Filters[0]["volumeApiName"] != "gp3" || ebs.Filters[0]["regionCode"] != "sa-east-1" {
		t.Errorf("EBS query: %v", ebs.Filters)
	}
}
