package cloud_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	icloud "github.com/opsmcp/opsmcp/internal/cloud"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/cloud"
)

// googleStub serves the Compute Engine and Cloud Billing REST paths the
// tools use, in the APIs' JSON; any other request fails the test, and so
// does a route never requested.
type googleStub struct {
	*httptest.Server
	mu     sync.Mutex
	routes map[string]string // "GET /path" → JSON body
	hits   map[string]int
}

func newGoogleStub(t *testing.T, routes map[string]string) *googleStub {
	s := &googleStub{routes: routes, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		if tok := r.URL.Query().Get("pageToken"); tok != "" {
			key += "?pageToken=" + tok
		}
		s.mu.Lock()
		body, ok := s.routes[key]
		s.hits[key]++
		s.mu.Unlock()
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, `{"error":{"code":404,"message":"not stubbed"}}`, http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("credentials sent to a plain-HTTP endpoint: %s", key)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(func() {
		s.Close()
		for k := range s.routes {
			if s.hits[k] == 0 {
				t.Errorf("stubbed %s was never requested", k)
			}
		}
	})
	return s
}

const aggregatedInstances = `{"kind":"compute#instanceAggregatedList","id":"projects/demo/aggregated/instances","items":{
 "zones/us-central1-a":{"instances":[
  {"kind":"compute#instance","id":"1","name":"web-1","zone":"https://www.googleapis.com/compute/v1/projects/demo/zones/us-central1-a",
   "machineType":"https://www.googleapis.com/compute/v1/projects/demo/zones/us-central1-a/machineTypes/e2-medium","status":"RUNNING",
   "networkInterfaces":[{"networkIP":"10.128.0.2","accessConfigs":[{"type":"ONE_TO_ONE_NAT","natIP":"34.70.1.2"}]}]},
  {"kind":"compute#instance","id":"2","name":"batch","zone":"https://www.googleapis.com/compute/v1/projects/demo/zones/us-central1-a",
   "machineType":"https://www.googleapis.com/compute/v1/projects/demo/zones/us-central1-a/machineTypes/n2-standard-8","status":"TERMINATED",
   "networkInterfaces":[{"networkIP":"10.128.0.3"}]}]},
 "zones/europe-west1-b":{"warning":{"code":"NO_RESULTS_ON_PAGE","message":"There are no results for scope 'zones/europe-west1-b' on this page."}}},
 "nextPageToken":"i2"}`

const aggregatedInstances2 = `{"kind":"compute#instanceAggregatedList","items":{"zones/europe-west1-b":{"instances":[
  {"kind":"compute#instance","id":"3","name":"eu-1","zone":"https://www.googleapis.com/compute/v1/projects/demo/zones/europe-west1-b",
   "machineType":"https://www.googleapis.com/compute/v1/projects/demo/zones/europe-west1-b/machineTypes/e2-small","status":"RUNNING"}]}}}`

func sku(id, desc, group, unit, region, units string, nanos int) string {
	b, _ := json.Marshal(map[string]any{
		"name": "services/6F81-5844-456A/skus/" + id, "skuId": id, "description": desc,
		"category":       map[string]string{"serviceDisplayName": "Compute Engine", "resourceFamily": "Compute", "resourceGroup": group, "usageType": "OnDemand"},
		"serviceRegions": []string{region},
		"pricingInfo": []any{map[string]any{"effectiveTime": "2026-11-01T00:00:00Z", "currencyConversionRate": 1,
			"pricingExpression": map[string]any{"usageUnit": unit, "displayQuantity": 1, "baseUnit": "s", "baseUnitConversionFactor": 3600,
				"tieredRates": []any{map[string]any{"startUsageAmount": 0, "unitPrice": map[string]any{"currencyCode": "USD", "units": units, "nanos": nanos}}}}}},
		"serviceProviderName": "Google",
	})
	return string(b)
}

// Instances from Compute Engine's REST API, buckets from fake-gcs-server
// and SKUs from the Billing Catalog (two pages), through the tools; the
// project allowlist holds.
func TestGCPAgainstStubs(t *testing.T) {
	gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer gcs.Stop()
	gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "demo-assets"})
	gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "demo-logs"})
	api := newGoogleStub(t, map[string]string{
		"GET /compute/v1/projects/demo/aggregated/instances":              aggregatedInstances,
		"GET /compute/v1/projects/demo/aggregated/instances?pageToken=i2": aggregatedInstances2,
		"GET /v1/services/6F81-5844-456A/skus": `{"skus":[` + sku("A1", "N2 Instance Core running in Americas", "CPU", "h", "us-central1", "0", 31611000) + `,` +
			sku("A2", "N2 Instance Ram running in Americas", "RAM", "GiBy.h", "us-central1", "0", 4237000) + `],"nextPageToken":"p2"}`,
		"GET /v1/services/6F81-5844-456A/skus?pageToken=p2": `{"skus":[` + sku("A3", "Balanced PD Capacity in Iowa", "SSD", "GiBy.mo", "us-central1", "0", 100000000) + `,` +
			sku("A4", "N2 Instance Core running in Belgium", "CPU", "h", "europe-west1", "0", 34773000) + `]}`,
	})
	cfg := config.Default()
	cfg.Cloud.GCP = config.CloudGCP{Projects: []string{"demo"}, Endpoints: map[string]string{
		"compute": api.URL + "/compute/v1/", "billing": api.URL + "/v1/", "storage": gcs.URL() + "/storage/v1/"}}
	h := testenv.NewHost(t, cloud.New(), cfg)

	inst := decode[page[icloud.GCPInstance]](t, h.MustOK(h.Call("gcp_list_instances", map[string]any{})))
	if len(inst.Items) != 2 || inst.Items[1] != (icloud.GCPInstance{Name: "web-1", Zone: "us-central1-a", MachineType: "e2-medium", Status: "RUNNING", InternalIP: "10.128.0.2", ExternalIP: "34.70.1.2"}) {
		t.Errorf("instances: %+v", inst.Items)
	}
	if inst.NextToken != "i2" {
		t.Fatalf("next_token %q", inst.NextToken)
	}
	more := decode[page[icloud.GCPInstance]](t, h.MustOK(h.Call("gcp_list_instances", map[string]any{"next_token": inst.NextToken})))
	if len(more.Items) != 1 || more.Items[0].Name != "eu-1" || more.NextToken != "" {
		t.Errorf("page 2: %+v", more)
	}
	buckets := decode[page[icloud.GCSBucket]](t, h.MustOK(h.Call("gcp_list_buckets", map[string]any{"project": "demo"})))
	if len(buckets.Items) != 2 || buckets.Items[0].Name != "demo-assets" {
		t.Errorf("buckets: %+v", buckets.Items)
	}
	prices := h.MustOK(h.Call("get_prices", map[string]any{"provider": "gcp", "service": "6F81-5844-456A", "region": "us-central1"}))
	got := decode[struct{ Prices []icloud.LivePrice }](t, prices)
	keys := map[string]string{}
	for _, p := range got.Prices {
		keys[p.Key] = p.USD + " " + p.Unit
	}
	if len(got.Prices) != 3 || keys["gcp/compute/us-central1/n2-vcpu"] != "0.031611 vCPU-hour" || keys["gcp/compute/us-central1/n2-ram"] != "0.004237 GB-hour" ||
		keys["gcp/disk/us-central1/pd-balanced"] != "0.1 GB-month" {
		t.Errorf("prices: %v", keys)
	}
	h.MustFail(h.Call("gcp_list_instances", map[string]any{"project": "someone-else"}), `GCP project "someone-else" is not allowed (cloud.gcp.projects: demo)`)
	if strings.Contains(h.Call("gcp_list_buckets", map[string]any{}).Text, "error") {
		t.Error("buckets without a project: the only allowed one is used")
	}
}
