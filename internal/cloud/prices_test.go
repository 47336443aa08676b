package cloud

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func awsTestEnv(t *testing.T, pricingURL string) *AWS {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_ENDPOINT_URL_PRICING", pricingURL)
	return &AWS{Policy: config.CloudAWS{Regions: []string{"us-east-1", "eu-west-1"}}, MaxBackoff: 20 * time.Millisecond}
}

// Three pages of GetProducts after two throttled answers: the SDK waits
// and retries, every page is read, and the products that estimates use are
// keyed to the catalog with their unit, price, source and date.
func TestAWSPricesPagesAndRetriesThrottling(t *testing.T) {
	stub := testenv.NewPriceListStub(t, [][]string{
		{testenv.EC2Product("SKU1", "m5.large", "eu-west-1", "Linux", "0.107"), testenv.EC2Product("SKU2", "m5.large", "eu-west-1", "Windows", "0.199")},
		{testenv.EC2Product("SKU3", "c7g.xlarge", "eu-west-1", "Linux", "0.1632")},
		{testenv.EBSProduct("SKU4", "gp3", "eu-west-1", "0.088")},
	}, 2)
	a := awsTestEnv(t, stub.URL)
	prices, err := a.AWSPrices(context.Background(), Query{Region: "eu-west-1"}, "AmazonEC2", map[string]string{"servicecode": "AmazonEC2"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := stub.Requests(); n != 5 {
		t.Errorf("%d requests, want 2 throttled + 3 pages", n)
	}
	if f := stub.Filters[len(stub.Filters)-1]; f["regionCode"] != "eu-west-1" || f["servicecode"] != "AmazonEC2" {
		t.Errorf("filters %v", f)
	}
	byKey := map[string]LivePrice{}
	for _, p := range prices {
		byKey[p.Key] = p
	}
	if len(prices) != 4 || len(byKey) != 4 {
		t.Fatalf("prices: %+v", prices)
	}
	m5 := byKey["aws/ec2/eu-west-1/m5.large"]
	if m5.USD != "0.107" || m5.Unit != "hour" || m5.Source != "AWS Price List API (AmazonEC2, effective 2026-11-01)" || m5.Date != time.Now().UTC().Format(time.DateOnly) || m5.Attributes["instanceType"] != "m5.large" {
		t.Errorf("m5.large: %+v", m5)
	}
	if p := byKey["aws/ebs/eu-west-1/gp3"]; p.USD != "0.088" || p.Unit != "GB-month" {
		t.Errorf("gp3: %+v", p)
	}
	if p := byKey["aws/ec2/eu-west-1/m5.large/windows"]; p.USD != "0.199" {
		t.Errorf("Windows is keyed apart from Linux: %+v", byKey)
	}
}

// A price API that never stops throttling gets a clear error after the
// retries, not a hang.
func TestAWSPricesThrottledToTheEnd(t *testing.T) {
	stub := testenv.NewPriceListStub(t, [][]string{{}}, 1000)
	a := awsTestEnv(t, stub.URL)
	_, err := a.AWSPrices(context.Background(), Query{Region: "us-east-1"}, "AmazonEC2", nil, 0)
	if err == nil || !strings.Contains(err.Error(), "still throttling after 6 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := stub.Requests(); n != 6 {
		t.Errorf("%d requests, want 6 attempts", n)
	}
}

// A refresh writes a dated cache that estimates prefer: a live price
// says where and when it came from, and prices the refresh did not fetch
// stay the embedded catalog's. With a dump directory, the documents are
// saved as offer files that read back to the same prices.
func TestRefreshFeedsEstimates(t *testing.T) {
	stub := testenv.NewPriceListStub(t, [][]string{{testenv.EC2Product("SKU1", "m5.large", "eu-west-1", "Linux", "0.1111"), testenv.EBSProduct("SKU2", "gp3", "eu-west-1", "0.0888")}}, 0)
	a := awsTestEnv(t, stub.URL)
	dump := t.TempDir()
	old := &cost.Catalog{Date: "2026-01-01", Currency: "USD", Source: "old", Prices: map[string]cost.CatalogPrice{
		"gcp/compute/us-central1/e2-vcpu": {Unit: "vCPU-hour", USD: cost.D("0.02"), Source: "old live"},
		"aws/ec2/eu-west-1/m5.large":      {Unit: "hour", USD: cost.D("0.5"), Source: "stale"},
	}}
	cat, counts, err := Refresh(context.Background(), RefreshOptions{AWS: a, AWSRegions: []string{"eu-west-1"}, Old: old, Dump: dump})
	if err != nil {
		t.Fatal(err)
	}
	if counts["aws"] != 2 || len(cat.Prices) != 3 || cat.Prices["gcp/compute/us-central1/e2-vcpu"].Date != "2026-01-01" {
		t.Fatalf("counts %v, prices %+v", counts, cat.Prices)
	}
	if n := len(stub.Filters); n != len(awsRefreshQueries) {
		t.Errorf("%d queries, want one per product family: %v", n, stub.Filters)
	}
	f, err := os.Open(filepath.Join(dump, "aws", "AmazonEC2-eu-west-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := pricelist.ReadAWSOffer(f)
	f.Close()
	if err != nil || len(saved) != 2 {
		t.Fatalf("dumped offer file: %v %+v", err, saved)
	}
	for _, p := range saved {
		if live := cat.Prices[p.Key]; live.USD.Cmp(p.USD) != 0 {
			t.Errorf("%s: dumped %s, refreshed %s", p.Key, p.USD, live.USD)
		}
	}
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := cost.WriteCache(path, cat); err != nil {
		t.Fatal(err)
	}
	live, err := cost.LoadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	res := []cost.Resource{
		{Address: "aws_instance.eu", Type: "aws_instance", Region: "eu-west-1", Attributes: map[string]any{"instance_type": "m5.large", "root_block_device": []any{map[string]any{"volume_type": "gp3", "volume_size": 10}}}},
		{Address: "aws_instance.us", Type: "aws_instance", Region: "us-east-1", Attributes: map[string]any{"instance_type": "m5.large"}},
	}
	est, err := cost.EstimateResources(res, nil, nil, cost.Options{Catalog: live.Over(cost.Embedded())})
	if err != nil {
		t.Fatal(err)
	}
	eu, us := est.Resources[0].Components, est.Resources[1].Components
	today := time.Now().UTC().Format(time.DateOnly)
	// 730 × 0.1111 + 10 × 0.0888 = 81.103 + 0.888
	if cost.Dec(est.Resources[0].MonthlyCost).Money() != "81.99" || eu[0].PriceSource != "AWS Price List (AmazonEC2 on-demand, effective 2026-11-01)" || eu[0].PriceDate != today || eu[1].PriceDate != today {
		t.Errorf("eu: %s %+v", cost.Dec(est.Resources[0].MonthlyCost).Money(), eu)
	}
	if us[0].PriceDate != cost.Embedded().Date || !strings.HasPrefix(us[0].PriceSource, "AWS public on-demand list price") {
		t.Errorf("us keeps the embedded price: %+v", us[0])
	}
	if est.Prices.LiveCache == "" || est.Prices.LiveDate != today {
		t.Errorf("estimate's sources: %+v", est.Prices)
	}
}

// Access denied and missing credentials are one sentence that says what
// to do, not an SDK dump.
func TestAWSErrorsAreClear(t *testing.T) {
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: pricing:GetProducts"}`)
	}))
	defer denied.Close()
	a := awsTestEnv(t, denied.URL)
	_, err := a.AWSPrices(context.Background(), Query{Region: "us-east-1"}, "AmazonEC2", nil, 0)
	if err == nil || !strings.Contains(err.Error(), "pricing:GetProducts: access denied by AWS (AccessDeniedException): User: arn:aws:iam::123456789012:user/ci is not authorized") {
		t.Errorf("access denied: %v", err)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	_, err = a.WhoAmI(context.Background(), Query{})
	if err == nil || !strings.Contains(err.Error(), "sts:GetCallerIdentity: no AWS credentials: set AWS_PROFILE") {
		t.Errorf("no credentials: %v", err)
	}
	_, _, err = (&GCP{Projects: []string{"p"}}).Instances(context.Background(), "q", "", 0, "")
	if err == nil || err.Error() != `GCP project "q" is not allowed (cloud.gcp.projects: p)` {
		t.Errorf("project allowlist: %v", err)
	}
}
