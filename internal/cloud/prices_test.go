package cloud

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
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
	stub := newPriceListStub(t, [][]string{
		{ec2Product("SKU1", "m5.large", "eu-west-1", "Linux", "0.107"), ec2Product("SKU2", "m5.large", "eu-west-1", "Windows", "0.199")},
		{ec2Product("SKU3", "c7g.xlarge", "eu-west-1", "Linux", "0.1632")},
		{ebsProduct("SKU4", "gp3", "eu-west-1", "0.088")},
	}, 2)
	a := awsTestEnv(t, stub.URL)
	prices, err := a.AWSPrices(context.Background(), Query{Region: "eu-west-1"}, "AmazonEC2", map[string]string{"tenancy": "Shared"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := stub.count(); n != 5 {
		t.Errorf("%d requests, want 2 throttled + 3 pages", n)
	}
	if f := stub.filters[len(stub.filters)-1]; f["regionCode"] != "eu-west-1" || f["tenancy"] != "Shared" {
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
	if p := byKey[""]; !strings.Contains(p.Description, "Windows") {
		t.Errorf("a Windows price must not be keyed for estimates: %+v", byKey)
	}
	cat := CatalogOf(prices, "test")
	if len(cat.Prices) != 3 {
		t.Errorf("cache: %+v", cat.Prices)
	}
}

// A price API that never stops throttling gets a clear error after the
// retries, not a hang.
func TestAWSPricesThrottledToTheEnd(t *testing.T) {
	stub := newPriceListStub(t, [][]string{{}}, 1000)
	a := awsTestEnv(t, stub.URL)
	_, err := a.AWSPrices(context.Background(), Query{Region: "us-east-1"}, "AmazonEC2", nil, 0)
	if err == nil || !strings.Contains(err.Error(), "still throttling after 6 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := stub.count(); n != 6 {
		t.Errorf("%d requests, want 6 attempts", n)
	}
}
