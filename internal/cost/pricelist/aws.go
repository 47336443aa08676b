// Package pricelist reads the clouds' own price documents — AWS Price
// List products (GetProducts answers and bulk offer files), Savings Plans
// rate files and Cloud Billing Catalog SKUs — and names each price by the
// estimate catalog's key. The generator of the embedded catalog, `opsmcp
// prices refresh` and live lookups all map prices here, so a key means
// the same product whichever way its price arrived.
package pricelist

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// Price is one catalog price from a price document.
type Price struct {
	Key string
	cost.CatalogPrice
}

// AWSProduct is a product with its terms, in the Price List's own JSON
// shape: one entry of GetProducts' PriceList, or a bulk offer file's
// product joined with its terms.
type AWSProduct struct {
	Product struct {
		SKU           string            `json:"sku"`
		ProductFamily string            `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"product"`
	ServiceCode string `json:"serviceCode"`
	Terms       struct {
		OnDemand map[string]AWSTerm `json:"OnDemand"`
		Reserved map[string]AWSTerm `json:"Reserved"`
	} `json:"terms"`
}

// AWSTerm is one offer term: on-demand, or a reservation with its lease,
// class and payment option in TermAttributes.
type AWSTerm struct {
	EffectiveDate   string                  `json:"effectiveDate"`
	TermAttributes  map[string]string       `json:"termAttributes"`
	PriceDimensions map[string]AWSDimension `json:"priceDimensions"`
}

// AWSDimension is one price of a term.
type AWSDimension struct {
	Unit         string            `json:"unit"`
	Description  string            `json:"description"`
	BeginRange   string            `json:"beginRange"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
}

// ParseAWSProduct reads one GetProducts PriceList entry.
func ParseAWSProduct(doc []byte) (*AWSProduct, error) {
	var p AWSProduct
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, fmt.Errorf("not a Price List product: %v", err)
	}
	if p.ServiceCode == "" {
		p.ServiceCode = p.Product.Attributes["servicecode"]
	}
	return &p, nil
}

// Prices names every price of the product the catalog uses: its
// on-demand rate, and each reservation amortised to an hourly rate.
func (p *AWSProduct) Prices() []Price {
	var out []Price
	for _, t := range p.Terms.OnDemand {
		for _, d := range t.PriceDimensions {
			key, unit := p.OnDemandKey(d)
			if key == "" {
				continue
			}
			usd, err := cost.ParseDec(d.PricePerUnit["USD"])
			if err != nil {
				continue
			}
			out = append(out, Price{Key: key, CatalogPrice: cost.CatalogPrice{Unit: unit, USD: usd,
				Source: fmt.Sprintf("AWS Price List (%s on-demand, effective %s)", p.ServiceCode, Day(t.EffectiveDate))}})
		}
	}
	if key, unit := awsKey(p.ServiceCode, p.Product.ProductFamily, p.Product.Attributes); unit.aws == "Hrs" {
		for _, t := range p.Terms.Reserved {
			if rp, ok := reserved(p.ServiceCode, key, t); ok {
				out = append(out, rp)
			}
		}
	}
	return out
}

// OnDemandKey names an on-demand price dimension of the product by its
// catalog key and unit, or "" when estimates do not use it.
func (p *AWSProduct) OnDemandKey(d AWSDimension) (key, unit string) {
	k, u := awsKey(p.ServiceCode, p.Product.ProductFamily, p.Product.Attributes)
	if k == "" || d.Unit != u.aws || (d.BeginRange != "" && d.BeginRange != "0") {
		return "", ""
	}
	return k, u.catalog
}

// Day is the date of a Price List timestamp.
func Day(ts string) string { return strings.SplitN(ts, "T", 2)[0] }

// HoursPerYear amortises an upfront fee over a reservation's term, as AWS
// bills a reservation: every hour of the term, used or not.
const HoursPerYear = 8760

// reserved is a reservation's effective hourly rate: its hourly fee plus
// its upfront fee spread over every hour of the term.
func reserved(service, key string, t AWSTerm) (Price, bool) {
	a := t.TermAttributes
	years := map[string]int64{"1yr": 1, "3yr": 3}[a["LeaseContractLength"]]
	payment := map[string]string{"No Upfront": "no_upfront", "Partial Upfront": "partial_upfront", "All Upfront": "all_upfront"}[a["PurchaseOption"]]
	class := strings.ToLower(a["OfferingClass"])
	if class == "" {
		class = "standard" // services with one class of reservation (ElastiCache, OpenSearch, Redshift)
	}
	if years == 0 || payment == "" || (class != "standard" && class != "convertible") {
		return Price{}, false
	}
	var hourly, upfront cost.Dec
	var seen bool
	for _, d := range t.PriceDimensions {
		usd, err := cost.ParseDec(d.PricePerUnit["USD"])
		if err != nil {
			return Price{}, false
		}
		switch d.Unit {
		case "Hrs":
			hourly, seen = usd, true
		case "Quantity":
			upfront = usd
		}
	}
	if !seen && upfront.IsZero() {
		return Price{}, false
	}
	rate := hourly.Add(upfront.Div(cost.Int(years * HoursPerYear)))
	term := fmt.Sprintf("%d_year", years)
	return Price{Key: cost.ReservedKey(key, class, term, payment), CatalogPrice: cost.CatalogPrice{Unit: "hour", USD: rate,
		Source: fmt.Sprintf("AWS Price List (%s reserved, %s %s %s: $%s upfront + $%s/hour, upfront spread over %d hours; effective %s)",
			service, class, a["LeaseContractLength"], a["PurchaseOption"], upfront, hourly, years*HoursPerYear, Day(t.EffectiveDate))}}, true
}
