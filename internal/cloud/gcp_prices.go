package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	billing "cloud.google.com/go/billing/apiv1"
	"cloud.google.com/go/billing/apiv1/billingpb"
	"google.golang.org/api/iterator"

	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
)

// computeService is Compute Engine's id in the Cloud Billing Catalog.
const computeService = "services/6F81-5844-456A"

// GCPPrices lists the Cloud Billing Catalog's SKUs of a service
// ("services/6F81-5844-456A" for Compute Engine) available in a region,
// normalised; max bounds the number of SKUs read.
func (g *GCP) GCPPrices(ctx context.Context, service, region string, max int) ([]LivePrice, error) {
	docs, err := g.skus(ctx, service, max)
	if err != nil {
		return nil, err
	}
	today := time.Now().UTC().Format(time.DateOnly)
	var out []LivePrice
	for _, doc := range docs {
		var s pricelist.GCPSku
		if err := json.Unmarshal(doc, &s); err != nil {
			return nil, err
		}
		usd, unit, _, ok := s.Price()
		if !ok {
			continue
		}
		for _, r := range s.ServiceRegions {
			if region != "" && r != region {
				continue
			}
			lp := LivePrice{SKU: s.SkuID, Description: s.Description, Unit: unit, USD: usd.String(), Region: r, Date: today,
				Source:     "Google Cloud Billing Catalog API",
				Attributes: map[string]string{"resourceFamily": s.Category.ResourceFamily, "resourceGroup": s.Category.ResourceGroup, "usageType": s.Category.UsageType}}
			if k, u := s.KeyIn(r); k != "" {
				lp.Key, lp.Unit = k, u
			}
			out = append(out, lp)
		}
	}
	return out, nil
}

// skus lists a service's SKUs in the API's JSON form (what
// services.skus.list answers over REST), the form pricelist reads.
func (g *GCP) skus(ctx context.Context, service string, max int) ([]json.RawMessage, error) {
	const what = "cloudbilling services.skus.list"
	if service == "" {
		service = computeService
	}
	if !strings.HasPrefix(service, "services/") {
		service = "services/" + service
	}
	opts, err := g.options(ctx, "billing")
	if err != nil {
		return nil, gcpError(err, what)
	}
	c, err := billing.NewCloudCatalogRESTClient(ctx, opts...)
	if err != nil {
		return nil, gcpError(err, what)
	}
	defer c.Close()
	var out []json.RawMessage
	it := c.ListSkus(ctx, &billingpb.ListSkusRequest{Parent: service, PageSize: 5000}, g.retry())
	for read := 0; max <= 0 || read < max; read++ {
		sku, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, gcpError(err, what)
		}
		doc, err := skuJSON.Marshal(sku)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}
