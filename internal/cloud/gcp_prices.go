package cloud

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	billing "cloud.google.com/go/billing/apiv1"
	"cloud.google.com/go/billing/apiv1/billingpb"
	"google.golang.org/api/iterator"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// computeService is Compute Engine's id in the Cloud Billing Catalog.
const computeService = "services/6F81-5844-456A"

// GCPPrices lists the Cloud Billing Catalog's SKUs of a service
// ("services/6F81-5844-456A" for Compute Engine) available in a region,
// normalised; max bounds the number of SKUs read.
func (g *GCP) GCPPrices(ctx context.Context, service, region string, max int) ([]LivePrice, error) {
	const what = "cloudbilling services.skus.list"
	if service == "" {
		service = computeService
	}
	if !strings.HasPrefix(service, "services/") {
		service = "services/" + service
	}
	c, err := billing.NewCloudCatalogRESTClient(ctx, g.options("billing")...)
	if err != nil {
		return nil, gcpError(err, what)
	}
	defer c.Close()
	today := time.Now().UTC().Format(time.DateOnly)
	var out []LivePrice
	it := c.ListSkus(ctx, &billingpb.ListSkusRequest{Parent: service, PageSize: 5000}, g.retry())
	for read := 0; max <= 0 || read < max; read++ {
		sku, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, gcpError(err, what)
		}
		out = append(out, normaliseGCP(sku, region, today)...)
	}
	return out, nil
}

func normaliseGCP(sku *billingpb.Sku, region, today string) []LivePrice {
	var out []LivePrice
	for _, r := range sku.GetServiceRegions() {
		if region != "" && r != region {
			continue
		}
		for _, info := range sku.GetPricingInfo() {
			expr := info.GetPricingExpression()
			tiers := expr.GetTieredRates()
			if len(tiers) == 0 {
				continue
			}
			// The last tier is the price once any free tier is used up.
			rate := tiers[len(tiers)-1].GetUnitPrice()
			if rate == nil || rate.GetCurrencyCode() != "USD" {
				continue
			}
			usd := cost.Int(rate.GetUnits()).Add(cost.Int(int64(rate.GetNanos())).Div(cost.Int(1_000_000_000)))
			lp := LivePrice{SKU: sku.GetSkuId(), Description: sku.GetDescription(), Unit: expr.GetUsageUnit(), USD: usd.String(), Region: r, Date: today,
				Source: "Google Cloud Billing Catalog API"}
			if cat := sku.GetCategory(); cat != nil {
				lp.Attributes = map[string]string{"resourceFamily": cat.GetResourceFamily(), "resourceGroup": cat.GetResourceGroup(), "usageType": cat.GetUsageType()}
				if cat.GetUsageType() == "OnDemand" {
					lp.Key, lp.Unit = gcpKey(sku.GetDescription(), r, expr.GetUsageUnit())
					if lp.Unit == "" {
						lp.Unit = expr.GetUsageUnit()
					}
				}
			}
			out = append(out, lp)
		}
	}
	return out
}

// gcpKey maps Compute Engine SKU descriptions to catalog keys: family
// vCPU and memory rates, and persistent disk capacity.
func gcpKey(desc, region, unit string) (string, string) {
	d := strings.ToLower(desc)
	for _, fam := range []string{"e2", "n2d", "n2", "c3", "t2d", "n1"} {
		prefix := fam + " instance "
		if fam == "n1" {
			prefix = "n1 predefined instance "
		}
		if !strings.HasPrefix(d, prefix) {
			continue
		}
		switch {
		case strings.Contains(d, " core running in ") && unit == "h":
			return fmt.Sprintf("gcp/compute/%s/%s-vcpu", region, fam), "vCPU-hour"
		case strings.Contains(d, " ram running in ") && unit == "GiBy.h":
			return fmt.Sprintf("gcp/compute/%s/%s-ram", region, fam), "GB-hour"
		}
	}
	if unit == "GiBy.mo" {
		switch {
		case strings.HasPrefix(d, "storage pd capacity"):
			return fmt.Sprintf("gcp/disk/%s/pd-standard", region), "GB-month"
		case strings.HasPrefix(d, "balanced pd capacity"):
			return fmt.Sprintf("gcp/disk/%s/pd-balanced", region), "GB-month"
		case strings.HasPrefix(d, "ssd backed pd capacity"):
			return fmt.Sprintf("gcp/disk/%s/pd-ssd", region), "GB-month"
		}
	}
	return "", ""
}
