package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// PriceListStub is the AWS Price List API's GetProducts over the JSON 1.1
// protocol, as the SDK speaks it. It serves pages of products, can throttle
// the first requests, fails the test on any other request, and reports
// how many requests it answered.
type PriceListStub struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	throttle int // answer this many requests with ThrottlingException first
	pages    [][]string
	// Filters are the TERM_MATCH filters of each request.
	Filters []map[string]string
}

// NewPriceListStub serves pages of products (JSON documents, see
// EC2Product), throttling the first throttle requests.
func NewPriceListStub(t testing.TB, pages [][]string, throttle int) *PriceListStub {
	s := &PriceListStub{pages: pages, throttle: throttle}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests++
		if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AWSPriceListService.GetProducts" || r.Header.Get("Authorization") == "" {
			t.Errorf("unexpected request %s %s target %q", r.Method, r.URL, r.Header.Get("X-Amz-Target"))
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		var in struct {
			ServiceCode string
			NextToken   string
			Filters     []struct{ Type, Field, Value string }
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil || in.ServiceCode == "" {
			t.Errorf("GetProducts body %s", body)
		}
		fs := map[string]string{}
		for _, f := range in.Filters {
			if f.Type != "TERM_MATCH" {
				t.Errorf("filter type %s", f.Type)
			}
			fs[f.Field] = f.Value
		}
		s.Filters = append(s.Filters, fs)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if s.throttle > 0 {
			s.throttle--
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		page := 0
		if in.NextToken != "" {
			fmt.Sscanf(in.NextToken, "page-%d", &page)
		}
		// Like the API, a page holds the products of the service that
		// match every filter.
		matching := []string{}
		for _, doc := range s.pages[page] {
			if productMatches(doc, in.ServiceCode, fs) {
				matching = append(matching, doc)
			}
		}
		out := map[string]any{"FormatVersion": "aws_v1", "PriceList": matching}
		if page+1 < len(s.pages) {
			out["NextToken"] = fmt.Sprintf("page-%d", page+1)
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(s.Close)
	return s
}

func productMatches(doc, service string, filters map[string]string) bool {
	var p struct {
		ServiceCode string `json:"serviceCode"`
		Product     struct {
			ProductFamily string            `json:"productFamily"`
			Attributes    map[string]string `json:"attributes"`
		} `json:"product"`
	}
	if json.Unmarshal([]byte(doc), &p) != nil || p.ServiceCode != service {
		return false
	}
	for k, v := range filters {
		have := p.Product.Attributes[k]
		if k == "productFamily" {
			have = p.Product.ProductFamily
		}
		if have != v {
			return false
		}
	}
	return true
}

// Requests is how many requests the stub answered.
func (s *PriceListStub) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// EC2Product is one product in the Price List's own shape.
func EC2Product(sku, typ, region, os, usd string) string {
	doc := map[string]any{
		"product": map[string]any{"productFamily": "Compute Instance", "sku": sku, "attributes": map[string]string{
			"instanceType": typ, "regionCode": region, "operatingSystem": os, "tenancy": "Shared", "preInstalledSw": "NA",
			"capacitystatus": "Used", "vcpu": "2", "memory": "8 GiB", "servicecode": "AmazonEC2", "usagetype": "BoxUsage:" + typ}},
		"serviceCode": "AmazonEC2", "version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
		"terms": map[string]any{"OnDemand": map[string]any{sku + ".JRTCKXETXF": map[string]any{
			"offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "termAttributes": map[string]any{},
			"priceDimensions": map[string]any{sku + ".JRTCKXETXF.6YS6EN2CT7": map[string]any{
				"rateCode": sku + ".JRTCKXETXF.6YS6EN2CT7", "unit": "Hrs", "beginRange": "0", "endRange": "Inf", "appliesTo": []string{},
				"description": fmt.Sprintf("$%s per On Demand %s %s Instance Hour", usd, os, typ), "pricePerUnit": map[string]string{"USD": usd + "000000"}}}}}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// EBSProduct is an EBS volume type's storage price.
func EBSProduct(sku, volume, region, usd string) string {
	doc := map[string]any{
		"product": map[string]any{"productFamily": "Storage", "sku": sku, "attributes": map[string]string{
			"volumeApiName": volume, "regionCode": region, "storageMedia": "SSD-backed", "servicecode": "AmazonEC2"}},
		"serviceCode": "AmazonEC2",
		"terms": map[string]any{"OnDemand": map[string]any{sku + ".JRTCKXETXF": map[string]any{
			"effectiveDate": "2026-10-01T00:00:00Z",
			"priceDimensions": map[string]any{sku + ".JRTCKXETXF.6YS6EN2CT7": map[string]any{
				"unit": "GB-Mo", "beginRange": "0", "description": "$" + usd + " per GB-month of " + volume + " provisioned storage",
				"pricePerUnit": map[string]string{"USD": usd}}}}}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// DedicatedHostProducts are a Dedicated Host family's two products: its
// on-demand rate (HostUsage) and its reservations (ReservedHostUsage), one
// 1-year no-upfront term at reservedUSD an hour.
func DedicatedHostProducts(family, region, usd, reservedUSD string) []string {
	product := func(sku, usage, tenancy string) map[string]any {
		return map[string]any{"productFamily": "Dedicated Host", "sku": sku, "attributes": map[string]string{
			"instanceType": family, "regionCode": region, "usagetype": usage + ":" + family, "tenancy": tenancy,
			"capacitystatus": "AllocatedHost", "operatingSystem": "Linux", "servicecode": "AmazonEC2"}}
	}
	term := func(sku, code string, attrs map[string]string, usd string) map[string]any {
		return map[string]any{sku + "." + code: map[string]any{"offerTermCode": code, "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "termAttributes": attrs,
			"priceDimensions": map[string]any{sku + "." + code + ".6YS6EN2CT7": map[string]any{"unit": "Hrs", "beginRange": "0", "endRange": "Inf",
				"description": "Dedicated Host " + family, "pricePerUnit": map[string]string{"USD": usd}}}}}
	}
	var out []string
	for _, doc := range []map[string]any{
		{"product": product("HOST-OD-"+family, "HostUsage", "Host"), "serviceCode": "AmazonEC2",
			"terms": map[string]any{"OnDemand": term("HOST-OD-"+family, "JRTCKXETXF", map[string]string{}, usd)}},
		{"product": product("HOST-RI-"+family, "ReservedHostUsage", "Reserved"), "serviceCode": "AmazonEC2",
			"terms": map[string]any{"Reserved": term("HOST-RI-"+family, "4NA7Y494T4", map[string]string{"LeaseContractLength": "1yr", "PurchaseOption": "No Upfront"}, reservedUSD)}},
	} {
		b, _ := json.Marshal(doc)
		out = append(out, string(b))
	}
	return out
}
