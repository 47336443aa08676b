package pricelist

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// ReadAWSOffer reads an AWS Price List bulk offer file (the JSON of
// offers/v1.0/aws/<service>/current/<region>/index.json) and returns the
// catalog prices in it. It streams: a region's EC2 file is hundreds of
// megabytes, and only the products the catalog uses are kept while the
// terms, which follow the products, are read.
func ReadAWSOffer(r io.Reader) ([]Price, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var service string
	products := map[string]*AWSProduct{}
	for dec.More() {
		name, err := key(dec)
		if err != nil {
			return nil, err
		}
		switch name {
		case "offerCode":
			if err := dec.Decode(&service); err != nil {
				return nil, offerErr(err)
			}
		case "products":
			if service == "" {
				return nil, fmt.Errorf("not an AWS offer file: products come before offerCode")
			}
			if err := eachEntry(dec, func(sku string) error {
				var p AWSProduct
				if err := dec.Decode(&p.Product); err != nil {
					return err
				}
				p.ServiceCode = service
				if k, _ := awsKey(service, p.Product.ProductFamily, p.Product.Attributes); k != "" {
					products[sku] = &p
				}
				return nil
			}); err != nil {
				return nil, offerErr(err)
			}
		case "terms":
			if err := eachEntry(dec, func(kind string) error {
				return eachEntry(dec, func(sku string) error {
					var terms map[string]AWSTerm
					if err := dec.Decode(&terms); err != nil {
						return err
					}
					p := products[sku]
					if p == nil {
						return nil
					}
					switch kind {
					case "OnDemand":
						p.Terms.OnDemand = terms
					case "Reserved":
						p.Terms.Reserved = terms
					}
					return nil
				})
			}); err != nil {
				return nil, offerErr(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, offerErr(err)
			}
		}
	}
	if service == "" {
		return nil, fmt.Errorf("not an AWS offer file: no offerCode")
	}
	var out []Price
	for _, p := range products {
		out = append(out, p.Prices()...)
	}
	return out, nil
}

func offerErr(err error) error { return fmt.Errorf("not an AWS offer file: %v", err) }

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return offerErr(err)
	}
	if t != d {
		return fmt.Errorf("not an AWS offer file: %v where %v was expected", t, d)
	}
	return nil
}

func key(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", offerErr(err)
	}
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("not an AWS offer file: %v where a key was expected", t)
	}
	return s, nil
}

// eachEntry calls f for each key of the object the decoder is at, with
// the decoder at the key's value; f must read the value.
func eachEntry(dec *json.Decoder, f func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		k, err := key(dec)
		if err != nil {
			return err
		}
		if err := f(k); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// savingsPlanFile is an AWS Savings Plans price list file.
type savingsPlanFile struct {
	RegionCode string `json:"regionCode"`
	Products   []struct {
		SKU           string            `json:"sku"`
		ProductFamily string            `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"products"`
	Terms struct {
		SavingsPlan []struct {
			SKU                 string `json:"sku"`
			EffectiveDate       string `json:"effectiveDate"`
			LeaseContractLength struct {
				Duration int    `json:"duration"`
				Unit     string `json:"unit"`
			} `json:"leaseContractLength"`
			Rates []struct {
				DiscountedUsageType   string `json:"discountedUsageType"`
				DiscountedOperation   string `json:"discountedOperation"`
				DiscountedServiceCode string `json:"discountedServiceCode"`
				Unit                  string `json:"unit"`
				DiscountedRate        struct {
					Price    string `json:"price"`
					Currency string `json:"currency"`
				} `json:"discountedRate"`
			} `json:"rates"`
		} `json:"savingsPlan"`
	} `json:"terms"`
}

// ReadSavingsPlans reads a Compute Savings Plans price list file (one
// region's, from the AWSComputeSavingsPlan offer) and returns each EC2
// Linux shared-tenancy instance type's plan rate per term and payment.
func ReadSavingsPlans(r io.Reader) ([]Price, error) {
	var f savingsPlanFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("not a Savings Plans price list file: %v", err)
	}
	if f.RegionCode == "" {
		return nil, fmt.Errorf("not a Savings Plans price list file: no regionCode")
	}
	plans := map[string]map[string]string{}
	for _, p := range f.Products {
		if p.ProductFamily == "ComputeSavingsPlans" {
			plans[p.SKU] = p.Attributes
		}
	}
	var out []Price
	for _, t := range f.Terms.SavingsPlan {
		a, ok := plans[t.SKU]
		payment := map[string]string{"No Upfront": "no_upfront", "Partial Upfront": "partial_upfront", "All Upfront": "all_upfront"}[a["purchaseOption"]]
		if !ok || payment == "" || t.LeaseContractLength.Unit != "year" || (t.LeaseContractLength.Duration != 1 && t.LeaseContractLength.Duration != 3) {
			continue
		}
		term := fmt.Sprintf("%d_year", t.LeaseContractLength.Duration)
		for _, rate := range t.Rates {
			// Shared-tenancy instance hours ("BoxUsage:m5.large", region-prefixed
			// outside us-east-1) of Linux ("RunInstances").
			_, typ, box := strings.Cut(rate.DiscountedUsageType, "BoxUsage:")
			if !box || rate.DiscountedServiceCode != "AmazonEC2" || rate.DiscountedOperation != "RunInstances" || rate.Unit != "Hrs" || rate.DiscountedRate.Currency != "USD" {
				continue
			}
			usd, err := cost.ParseDec(rate.DiscountedRate.Price)
			if err != nil {
				continue
			}
			out = append(out, Price{Key: cost.SavingsPlanKey(cost.EC2Key(f.RegionCode, typ, "", false), term, payment), CatalogPrice: cost.CatalogPrice{Unit: "hour", USD: usd,
				Source: fmt.Sprintf("AWS Price List (Compute Savings Plan, %d year %s, effective %s)", t.LeaseContractLength.Duration, a["purchaseOption"], Day(t.EffectiveDate))}})
		}
	}
	return out, nil
}
