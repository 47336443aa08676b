package cloud

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	pricingtypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
)

// LivePrice is one price from a cloud's own price API, normalised: Key is
// the estimate catalog's key when the price is one estimates use.
type LivePrice struct {
	Key         string            `json:"key,omitempty"`
	SKU         string            `json:"sku"`
	Description string            `json:"description"`
	Unit        string            `json:"unit"`
	USD         string            `json:"usd"`
	Region      string            `json:"region,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	Source      string            `json:"source"`
	Date        string            `json:"date"`
}

// keptAttributes are the product attributes worth showing.
var keptAttributes = []string{"instanceType", "vcpu", "memory", "operatingSystem", "tenancy", "volumeApiName", "databaseEngine",
	"deploymentOption", "usagetype", "storageClass", "group"}

// AWSPrices queries the AWS Price List API (GetProducts) for a service
// code (AmazonEC2, AmazonRDS...) in a region, with TERM_MATCH filters, and
// returns the on-demand prices. max bounds the number of products.
func (a *AWS) AWSPrices(ctx context.Context, q Query, serviceCode string, filters map[string]string, max int) ([]LivePrice, error) {
	today := time.Now().UTC().Format(time.DateOnly)
	var out []LivePrice
	err := a.products(ctx, q, serviceCode, filters, max, func(_ string, p *pricelist.AWSProduct) error {
		out = append(out, normaliseAWS(p, today)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU+out[i].Description < out[j].SKU+out[j].Description })
	return out, nil
}

// products pages through GetProducts, calling visit with each product's
// document and its parse. max > 0 stops after that many products.
func (a *AWS) products(ctx context.Context, q Query, serviceCode string, filters map[string]string, max int, visit func(doc string, p *pricelist.AWSProduct) error) error {
	if q.Region == "" {
		return fmt.Errorf("region is required: the prices of which region (us-east-1, eu-west-1...)")
	}
	// The Price List API is served from us-east-1 for every region's prices.
	cfg, err := a.load(ctx, "us-east-1", q.Profile, false)
	if err != nil {
		return err
	}
	c := pricing.NewFromConfig(cfg)
	in := &pricing.GetProductsInput{ServiceCode: aws.String(serviceCode), MaxResults: aws.Int32(100)}
	fs := map[string]string{"regionCode": q.Region}
	for k, v := range filters {
		fs[k] = v
	}
	keys := make([]string, 0, len(fs))
	for k := range fs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Filters = append(in.Filters, pricingtypes.Filter{Field: aws.String(k), Type: pricingtypes.FilterTypeTermMatch, Value: aws.String(fs[k])})
	}
	for products := 0; ; {
		page, err := c.GetProducts(ctx, in)
		if err != nil {
			return Explain(err, "pricing:GetProducts")
		}
		for _, doc := range page.PriceList {
			products++
			p, err := pricelist.ParseAWSProduct([]byte(doc))
			if err != nil {
				return fmt.Errorf("pricing:GetProducts: %v", err)
			}
			if err := visit(doc, p); err != nil {
				return err
			}
		}
		if in.NextToken = page.NextToken; in.NextToken == nil || (max > 0 && products >= max) {
			return nil
		}
	}
}

func normaliseAWS(p *pricelist.AWSProduct, today string) []LivePrice {
	attrs := map[string]string{}
	for _, k := range keptAttributes {
		if v, ok := p.Product.Attributes[k]; ok {
			attrs[k] = v
		}
	}
	region := p.Product.Attributes["regionCode"]
	var out []LivePrice
	for _, term := range p.Terms.OnDemand {
		for _, dim := range term.PriceDimensions {
			d, err := cost.ParseDec(dim.PricePerUnit["USD"])
			if err != nil {
				continue
			}
			lp := LivePrice{SKU: p.Product.SKU, Description: dim.Description, Unit: dim.Unit, USD: d.String(), Region: region, Attributes: attrs,
				Source: fmt.Sprintf("AWS Price List API (%s, effective %s)", p.ServiceCode, pricelist.Day(term.EffectiveDate)), Date: today}
			if k, u := p.OnDemandKey(dim); k != "" {
				lp.Key, lp.Unit = k, u
			}
			out = append(out, lp)
		}
	}
	return out
}
