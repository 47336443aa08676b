package pricelist

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// GCPSku is a Cloud Billing Catalog SKU in the API's JSON form (what
// services.skus.list answers and protojson writes).
type GCPSku struct {
	SkuID       string `json:"skuId"`
	Description string `json:"description"`
	Category    struct {
		ResourceFamily string `json:"resourceFamily"`
		ResourceGroup  string `json:"resourceGroup"`
		UsageType      string `json:"usageType"`
	} `json:"category"`
	ServiceRegions []string `json:"serviceRegions"`
	PricingInfo    []struct {
		EffectiveTime     string `json:"effectiveTime"`
		PricingExpression struct {
			UsageUnit   string `json:"usageUnit"`
			TieredRates []struct {
				StartUsageAmount float64 `json:"startUsageAmount"`
				UnitPrice        struct {
					CurrencyCode string `json:"currencyCode"`
					Units        string `json:"units"`
					Nanos        int64  `json:"nanos"`
				} `json:"unitPrice"`
			} `json:"tieredRates"`
		} `json:"pricingExpression"`
	} `json:"pricingInfo"`
}

// ReadGCPSkus reads a SKU list ({"skus": [...]}, one service's, as
// services.skus.list answers and `opsmcp prices refresh --dump` saves it)
// and returns the catalog prices in it.
func ReadGCPSkus(r io.Reader) ([]Price, error) {
	var list struct {
		Skus *[]GCPSku `json:"skus"`
	}
	if err := json.NewDecoder(r).Decode(&list); err != nil {
		return nil, fmt.Errorf("not a Cloud Billing Catalog SKU list: %v", err)
	}
	if list.Skus == nil {
		return nil, fmt.Errorf("not a Cloud Billing Catalog SKU list: no skus")
	}
	var out []Price
	for i := range *list.Skus {
		out = append(out, (*list.Skus)[i].Prices()...)
	}
	return out, nil
}

// Price is the SKU's unit price in USD once any free tier is used up
// (its last tier), with the pricing's unit and date.
func (s *GCPSku) Price() (usd cost.Dec, usageUnit, effective string, ok bool) {
	if len(s.PricingInfo) == 0 {
		return cost.Dec{}, "", "", false
	}
	info := s.PricingInfo[len(s.PricingInfo)-1]
	tiers := info.PricingExpression.TieredRates
	if len(tiers) == 0 || tiers[len(tiers)-1].UnitPrice.CurrencyCode != "USD" {
		return cost.Dec{}, "", "", false
	}
	up := tiers[len(tiers)-1].UnitPrice
	var units int64
	if up.Units != "" { // int64 fields are strings in the API's JSON, and omitted when zero
		var err error
		if units, err = strconv.ParseInt(up.Units, 10, 64); err != nil {
			return cost.Dec{}, "", "", false
		}
	}
	return cost.Int(units).Add(cost.Int(up.Nanos).Div(cost.Int(1_000_000_000))), info.PricingExpression.UsageUnit, Day(info.EffectiveTime), true
}

// KeyIn names the SKU's price in a region by its catalog key and unit, or
// "" when estimates do not use it.
func (s *GCPSku) KeyIn(region string) (key, unit string) {
	_, usageUnit, _, ok := s.Price()
	if !ok {
		return "", ""
	}
	return gcpKey(s.Description, s.Category.UsageType, region, usageUnit)
}

// Prices names the SKU's price in each of its regions, when the catalog
// uses it.
func (s *GCPSku) Prices() []Price {
	usd, _, effective, ok := s.Price()
	if !ok {
		return nil
	}
	var out []Price
	for _, region := range s.ServiceRegions {
		if key, unit := s.KeyIn(region); key != "" {
			out = append(out, Price{Key: key, CatalogPrice: cost.CatalogPrice{Unit: unit, USD: usd,
				Source: fmt.Sprintf("Google Cloud Billing Catalog (SKU %s %q, effective %s)", s.SkuID, s.Description, effective)}})
		}
	}
	return out
}

var (
	// "N2 Instance Core running in Americas", "N2D AMD Instance Ram running
	// in Belgium", "N1 Predefined Instance Core running in Americas".
	gceRate = regexp.MustCompile(`^([a-z][a-z0-9]*)(?: amd| arm| intel| predefined)? instance (core|ram) running in `)
	// "Commitment v1: N2 Cpu in Americas for 1 Year", "... Ram in ... for 3 Years".
	gceCommit = regexp.MustCompile(`^commitment(?: v1)?: ([a-z][a-z0-9]*)(?: amd| arm| intel)? (cpu|ram) in .* for ([13]) years?$`)
	// "Custom Instance Core running in Americas" (N1), "N2 Custom Instance Ram
	// running in Americas", "N2D AMD Custom Extended Instance Ram running in Belgium".
	gceCustom = regexp.MustCompile(`^(?:([a-z][a-z0-9]*)(?: amd| intel)? )?custom (extended )?instance (core|ram) running in `)
	// "Nvidia Tesla T4 GPU running in Americas", "Nvidia L4 GPU running in Belgium".
	gceGPU = regexp.MustCompile(`^(nvidia [a-z0-9 ]+?) gpu running in `)
)

// gcpKey maps Compute Engine SKU descriptions to catalog keys: a machine
// family's vCPU and memory rates on demand and committed, GPUs, and
// persistent disk capacity.
func gcpKey(desc, usageType, region, usageUnit string) (string, string) {
	d := strings.ToLower(strings.TrimSpace(desc))
	switch usageType {
	case "OnDemand":
		if m := gceCustom.FindStringSubmatch(d); m != nil {
			family := m[1]
			if family == "" {
				family = "n1"
			}
			switch {
			case m[3] == "core" && m[2] == "" && usageUnit == "h":
				return fmt.Sprintf("gcp/compute/%s/%s-custom-vcpu", region, family), "vCPU-hour"
			case m[3] == "ram" && usageUnit == "GiBy.h" && m[2] == "":
				return fmt.Sprintf("gcp/compute/%s/%s-custom-ram", region, family), "GB-hour"
			case m[3] == "ram" && usageUnit == "GiBy.h":
				return fmt.Sprintf("gcp/compute/%s/%s-custom-ram-extended", region, family), "GB-hour"
			}
			return "", ""
		}
		if m := gceRate.FindStringSubmatch(d); m != nil {
			if m[2] == "core" && usageUnit == "h" {
				return fmt.Sprintf("gcp/compute/%s/%s-vcpu", region, m[1]), "vCPU-hour"
			}
			if m[2] == "ram" && usageUnit == "GiBy.h" {
				return fmt.Sprintf("gcp/compute/%s/%s-ram", region, m[1]), "GB-hour"
			}
		}
		if m := gceGPU.FindStringSubmatch(d); m != nil && usageUnit == "h" {
			return fmt.Sprintf("gcp/gpu/%s/%s", region, strings.ReplaceAll(m[1], " ", "-")), "GPU-hour"
		}
		if usageUnit == "GiBy.mo" {
			for prefix, disk := range map[string]string{"storage pd capacity": "pd-standard", "balanced pd capacity": "pd-balanced",
				"ssd backed pd capacity": "pd-ssd", "extreme pd capacity": "pd-extreme", "ssd backed local storage": "local-ssd"} {
				if strings.HasPrefix(d, prefix) {
					return fmt.Sprintf("gcp/disk/%s/%s", region, disk), "GB-month"
				}
			}
		}
	case "Commit1Yr", "Commit3Yr":
		if m := gceCommit.FindStringSubmatch(d); m != nil {
			item, unit := "vcpu", "vCPU-hour"
			if m[2] == "ram" {
				item, unit = "ram", "GB-hour"
			}
			if (item == "vcpu" && usageUnit == "h") || (item == "ram" && usageUnit == "GiBy.h") {
				return cost.CommitKey(fmt.Sprintf("gcp/compute/%s/%s-%s", region, m[1], item), m[3]+"_year"), unit
			}
		}
	}
	return "", ""
}
