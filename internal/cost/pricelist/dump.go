package pricelist

import (
	"encoding/json"
	"fmt"
	"io"
)

// OfferFile gathers GetProducts documents of one service into the bulk
// offer file format, so what `opsmcp prices refresh --dump` saves reads
// back like a file downloaded from the Price List's bulk API.
type OfferFile struct {
	Service  string
	products map[string]json.RawMessage
	terms    map[string]map[string]json.RawMessage // kind (OnDemand, Reserved) → sku → terms
}

// NewOfferFile starts an offer file of a service (AmazonEC2...).
func NewOfferFile(service string) *OfferFile {
	return &OfferFile{Service: service, products: map[string]json.RawMessage{}, terms: map[string]map[string]json.RawMessage{}}
}

// Add takes one GetProducts PriceList document, kept verbatim.
func (f *OfferFile) Add(doc []byte) error {
	var d struct {
		Product json.RawMessage            `json:"product"`
		Terms   map[string]json.RawMessage `json:"terms"`
	}
	var head struct {
		SKU string `json:"sku"`
	}
	if err := json.Unmarshal(doc, &d); err != nil || json.Unmarshal(d.Product, &head) != nil || head.SKU == "" {
		return fmt.Errorf("not a Price List product: %.80s", doc)
	}
	f.products[head.SKU] = d.Product
	for kind, t := range d.Terms {
		if f.terms[kind] == nil {
			f.terms[kind] = map[string]json.RawMessage{}
		}
		f.terms[kind][head.SKU] = t
	}
	return nil
}

// Len is the number of products gathered.
func (f *OfferFile) Len() int { return len(f.products) }

// WriteTo writes the offer file. Keys are sorted, so offerCode comes
// before products and products before terms, as in AWS's own files.
func (f *OfferFile) WriteTo(w io.Writer) (int64, error) {
	data, err := json.MarshalIndent(map[string]any{"formatVersion": "v1.0", "offerCode": f.Service,
		"disclaimer": "Saved by opsmcp prices refresh --dump from the AWS Price List API (GetProducts)",
		"products":   f.products, "terms": f.terms}, "", " ")
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(data, '\n'))
	return int64(n), err
}

// WriteSkuList writes SKUs in the API's JSON form as one SKU list.
func WriteSkuList(w io.Writer, skus []json.RawMessage) error {
	if skus == nil {
		skus = []json.RawMessage{}
	}
	data, err := json.MarshalIndent(map[string]any{"skus": skus}, "", " ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
