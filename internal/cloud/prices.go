package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	pricingtypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/opsmcp/opsmcp/internal/cost"
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

// awsProduct is one entry of GetProducts' PriceList.
type awsProduct struct {
	Product struct {
		SKU           string            `json:"sku"`
		ProductFamily string            `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"product"`
	ServiceCode string `json:"serviceCode"`
	Terms       struct {
		OnDemand map[string]struct {
			EffectiveDate   string `json:"effectiveDate"`
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				Description  string            `json:"description"`
				BeginRange   string            `json:"beginRange"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

// keptAttributes are the product attributes worth showing.
var keptAttributes = []string{"instanceType", "vcpu", "memory", "operatingSystem", "tenancy", "volumeApiName", "databaseEngine",
	"deploymentOption", "usagetype", "storageClass", "group"}

// AWSPrices queries the AWS Price List API (GetProducts) for a service
// code (AmazonEC2, AmazonRDS...) in a region, with TERM_MATCH filters, and
// returns the on-demand prices. max bounds the number of products.
func (a *AWS) AWSPrices(ctx context.Context, q Query, serviceCode string, filters map[string]string, max int) ([]LivePrice, error) {
	region := q.Region
	if region == "" {
		return nil, fmt.Errorf("region is required: the prices of which region (us-east-1, eu-west-1...)")
	}
	// The Price List API is served from us-east-1 for every region's prices.
	cfg, err := a.load(ctx, "us-east-1", q.Profile, false)
	if err != nil {
		return nil, err
	}
	c := pricing.NewFromConfig(cfg)
	in := &pricing.GetProductsInput{ServiceCode: aws.String(serviceCode), MaxResults: aws.Int32(100)}
	fs := map[string]string{"regionCode": region}
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
	today := time.Now().UTC().Format(time.DateOnly)
	var out []LivePrice
	for products := 0; ; {
		page, err := c.GetProducts(ctx, in)
		if err != nil {
			return nil, Explain(err, "pricing:GetProducts")
		}
		for _, doc := range page.PriceList {
			products++
			var p awsProduct
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				return nil, fmt.Errorf("pricing:GetProducts returned a product that is not the Price List format: %v", err)
			}
			out = append(out, normaliseAWS(&p, today)...)
		}
		if in.NextToken = page.NextToken; in.NextToken == nil || (max > 0 && products >= max) {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU+out[i].Description < out[j].SKU+out[j].Description })
	return out, nil
}

func normaliseAWS(p *awsProduct, today string) []LivePrice {
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
			usd, ok := dim.PricePerUnit["USD"]
			if !ok {
				continue
			}
			d, err := cost.ParseDec(usd)
			if err != nil {
				continue
			}
			lp := LivePrice{SKU: p.Product.SKU, Description: dim.Description, Unit: dim.Unit, USD: d.String(), Region: region, Attributes: attrs,
				Source: fmt.Sprintf("AWS Price List API (%s, effective %s)", p.ServiceCode, strings.SplitN(term.EffectiveDate, "T", 2)[0]), Date: today}
			lp.Key, lp.Unit = awsKey(p, region, dim.Unit, dim.BeginRange)
			if lp.Unit == "" {
				lp.Unit = dim.Unit
			}
			out = append(out, lp)
		}
	}
	return out
}

// awsKey maps a product to the estimate catalog's key and unit, for the
// prices estimates use: EC2 Linux on-demand instance hours and EBS volume
// storage. Anything else has no key.
func awsKey(p *awsProduct, region, unit, beginRange string) (string, string) {
	a := p.Product.Attributes
	switch {
	case p.ServiceCode == "AmazonEC2" && p.Product.ProductFamily == "Compute Instance" && a["operatingSystem"] == "Linux" &&
		a["tenancy"] == "Shared" && a["preInstalledSw"] == "NA" && a["capacitystatus"] == "Used" && unit == "Hrs":
		return fmt.Sprintf("aws/ec2/%s/%s", region, a["instanceType"]), "hour"
	case p.ServiceCode == "AmazonEC2" && p.Product.ProductFamily == "Storage" && a["volumeApiName"] != "" && unit == "GB-Mo" && (beginRange == "" || beginRange == "0"):
		return fmt.Sprintf("aws/ebs/%s/%s", region, a["volumeApiName"]), "GB-month"
	}
	return "", ""
}

// CatalogOf gathers the keyed prices into a price cache for estimates.
func CatalogOf(prices []LivePrice, source string) *cost.Catalog {
	c := &cost.Catalog{Date: time.Now().UTC().Format(time.DateOnly), Currency: "USD", Source: source, Prices: map[string]cost.CatalogPrice{}}
	for _, p := range prices {
		if p.Key == "" {
			continue
		}
		d, err := cost.ParseDec(p.USD)
		if err != nil {
			continue
		}
		c.Prices[p.Key] = cost.CatalogPrice{Unit: p.Unit, USD: d, Source: p.Source, Date: p.Date}
	}
	return c
}

// Refresh fetches the live prices estimates use — EC2 Linux on-demand
// instance hours and EBS storage per AWS region, Compute Engine vCPU,
// memory and persistent disk per GCP region — into a price cache. A
// provider that is nil is skipped; its prices in old are kept.
func Refresh(ctx context.Context, a *AWS, awsRegions []string, g *GCP, gcpRegions []string, old *cost.Catalog) (*cost.Catalog, map[string]int, error) {
	var all []LivePrice
	counts := map[string]int{}
	if a != nil {
		for _, r := range awsRegions {
			for _, f := range []map[string]string{
				{"productFamily": "Compute Instance", "operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"},
				{"productFamily": "Storage"},
			} {
				ps, err := a.AWSPrices(ctx, Query{Region: r}, "AmazonEC2", f, 0)
				if err != nil {
					return nil, nil, fmt.Errorf("AWS prices in %s: %w", r, err)
				}
				all = append(all, ps...)
			}
		}
	}
	if g != nil {
		ps, err := g.GCPPrices(ctx, computeService, "", 0)
		if err != nil {
			return nil, nil, fmt.Errorf("GCP prices: %w", err)
		}
		for _, p := range ps {
			if slices.Contains(gcpRegions, p.Region) {
				all = append(all, p)
			}
		}
	}
	cat := CatalogOf(all, "live prices: opsmcp prices refresh")
	for k := range cat.Prices {
		counts[strings.SplitN(k, "/", 2)[0]]++
	}
	if old != nil {
		for k, p := range old.Prices {
			provider := strings.SplitN(k, "/", 2)[0]
			if _, fresh := cat.Prices[k]; !fresh && ((provider == "aws" && a == nil) || (provider == "gcp" && g == nil)) {
				if p.Date == "" {
					p.Date = old.Date
				}
				cat.Prices[k] = p
			}
		}
	}
	return cat, counts, nil
}
