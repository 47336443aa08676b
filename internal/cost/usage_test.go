package cost

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Infracost's usage file format, all of it: version, type defaults,
// strings, nested maps, lists, addr[*] and type.* keys. Nothing in it
// aborts an estimate.
const infracostUsage = `
version: 0.1
resource_type_default_usage:
  aws_lambda_function:
    request_duration_ms: 250
resource_usage:
  aws_lambda_function.api:
    monthly_requests: 2000000
  aws_lambda_function.*:
    monthly_requests: 1000000
  aws_instance.web[*]:
    operating_system: linux
    reserved_instance_type: standard
    reserved_instance_term: 1_year
    reserved_instance_payment_option: all_upfront
    monthly_cpu_credit_hrs: 0
    spare_key_nobody_reads: 3
  aws_s3_bucket.assets:
    storage_classes:
      standard:
        storage_gb: 1000
        monthly_tier_1_requests: 50000
      intelligent_tiering:
        frequent_access_storage_gb: 200
  google_container_node_pool.pool:
    nodes: 4
  google_container_cluster.main:
    node_pool[0]:
      nodes: 4
  aws_data_transfer.this:
    region: us-east-1
    monthly_intra_region_gb: 10
  aws_nat_gateway.gw:
    monthly_data_processed_gb: lots
`

func TestInfracostUsageFilesNeverAbort(t *testing.T) {
	est := estimateInline(t, `{"resources":[
		{"address":"aws_lambda_function.api","type":"aws_lambda_function","region":"us-east-1","attributes":{"memory_size":512}},
		{"address":"aws_lambda_function.worker","type":"aws_lambda_function","region":"us-east-1","attributes":{"memory_size":1024}},
		{"address":"aws_instance.web[0]","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}},
		{"address":"aws_nat_gateway.gw","type":"aws_nat_gateway","region":"us-east-1"}
	]}`, infracostUsage)

	// The address wins over type.*, which wins over the type's default.
	api := resourceCost(t, est, "aws_lambda_function.api")
	worker := resourceCost(t, est, "aws_lambda_function.worker")
	want := map[string]string{
		"aws_lambda_function.api":    "2000000 requests × 250 ms × 512 MB per month",
		"aws_lambda_function.worker": "1000000 requests × 250 ms × 1024 MB per month",
	}
	for _, rc := range []ResourceCost{api, worker} {
		found := false
		for _, c := range rc.Components {
			found = found || c.Assumption == want[rc.Address]
		}
		if !found {
			t.Errorf("%s: want the assumption %q in %+v", rc.Address, want[rc.Address], rc.Components)
		}
	}
	// A wrong value leaves only its component out, and says why.
	nat := resourceCost(t, est, "aws_nat_gateway.gw")
	if len(nat.Components) != 1 || nat.Components[0].Name != "NAT gateway" {
		t.Fatalf("the NAT gateway's hours stand, its data processed is left out: %+v", nat.Components)
	}
	if !strings.Contains(strings.Join(est.Unresolved, "\n"), `usage aws_nat_gateway.gw.monthly_data_processed_gb is "lots", not a number`) {
		t.Fatalf("unresolved: %v", est.Unresolved)
	}
	// Usage keys are reported: read ones with Given, unknown ones as notes.
	if len(api.Usage) < 2 || api.Usage[0].Key != "monthly_requests" || !api.Usage[0].Given {
		t.Errorf("usage keys read: %+v", api.Usage)
	}
	web := resourceCost(t, est, "aws_instance.web[0]")
	if !strings.Contains(strings.Join(web.Notes, "\n"), "usage key spare_key_nobody_reads is not one opsmcp reads for aws_instance") {
		t.Errorf("an unknown key is a note naming it: %v", web.Notes)
	}
	if !strings.Contains(strings.Join(web.Notes, "\n"), "no reserved standard 1_year all_upfront rate for t3.micro in the catalog: priced on demand, the most it can cost") {
		t.Errorf("a reservation is said to be priced on demand: %v", web.Notes)
	}
	if Dec(est.TotalMonthlyCost).IsZero() {
		t.Fatal("the estimate must stand")
	}
}

func TestUsageFileErrors(t *testing.T) {
	for in, want := range map[string]string{
		"version: 0.2\nresource_usage: {}":               "usage file version 0.2: opsmcp reads version 0.1",
		"version: 0.1\nresource_usage: {}\nextra: 1":     `unknown top-level key "extra"`,
		"resource_usage: [1, 2]":                         "resource_usage must map resource addresses",
		"resource_usage: {not-an-address: {a: 1}}":       "every key must be a resource address",
		"resource_type_default_usage: {aws_instance: 3}": "resource_type_default_usage.aws_instance",
		"resource_usage: {aws_instance.web: [1]}":        "must be an object of usage keys",
	} {
		if _, err := ParseUsage([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	// Another operating system is a different price, which the embedded
	// catalog does not hold: not priced, and the key said.
	est := estimateInline(t, `{"resources":[{"address":"aws_instance.w","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}}]}`,
		`resource_usage: {aws_instance.w: {operating_system: windows}}`)
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "(aws/ec2/us-east-1/t3.micro/windows)") {
		t.Fatalf("windows: %+v", est.Unpriced)
	}
	est = estimateInline(t, `{"resources":[{"address":"aws_instance.w","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}}]}`,
		`resource_usage: {aws_instance.w: {reserved_instance_term: 2_years}}`)
	if !strings.Contains(strings.Join(est.Unresolved, "\n"), `usage aws_instance.w.reserved_instance_term is "2_years", not one of 1_year, 3_year`) {
		t.Fatalf("a term not offered: %v", est.Unresolved)
	}
	// Negative and non-numeric values are found when read: the component
	// is left out, the rest of the resource stands.
	est = estimateInline(t, `{"resources":[{"address":"aws_nat_gateway.gw","type":"aws_nat_gateway","region":"us-east-1"}]}`,
		`resource_usage: {aws_nat_gateway.gw: {monthly_data_processed_gb: -5}}`)
	if !strings.Contains(strings.Join(est.Unresolved, "\n"), "is -5, not a number of zero or more") || len(est.Resources[0].Components) != 1 {
		t.Fatalf("negative usage: %v %+v", est.Unresolved, est.Resources[0].Components)
	}
}

// Dotted usage keys are paths into nested maps, as Infracost writes them:
// the sync writes them nested, next to what the file gives, and a value
// written there is read back; a key an older sync wrote flat still reads.
func TestSyncUsageNestsDottedKeys(t *testing.T) {
	existing := []byte("version: 0.1\nresource_usage:\n  aws_s3_bucket.b:\n    standard:\n      storage_gb: 100\n    glacier.storage_gb: 7\n")
	res := []ResourceCost{{Address: "aws_s3_bucket.b", Usage: []UsageKey{
		{Key: "standard.storage_gb", Given: true},
		{Key: "standard.monthly_tier_1_requests", Description: "PUT requests", Type: "number"},
		{Key: "glacier.storage_gb", Type: "number"},
		{Key: "node_pool[0].nodes", Type: "number"},
	}}}
	out, err := SyncUsage(existing, res)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"    standard:\n      storage_gb: 100\n      monthly_tier_1_requests: 0 # PUT requests\n",
		"    glacier.storage_gb: 7\n",
		"    node_pool[0]:\n      nodes: 0\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("synced file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "standard.monthly_tier_1_requests") || strings.Contains(text, "glacier:\n") {
		t.Errorf("a dotted key written flat, or a flat one given twice:\n%s", text)
	}
	u, err := ParseUsage([]byte(strings.Replace(text, "monthly_tier_1_requests: 0", "monthly_tier_1_requests: 5000", 1)))
	if err != nil {
		t.Fatal(err)
	}
	r := &Resource{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket"}
	for key, want := range map[string]string{"standard.monthly_tier_1_requests": "5000", "standard.storage_gb": "100", "glacier.storage_gb": "7"} {
		if v, given, err := u.number(r, key); err != nil || !given || v.String() != want {
			t.Errorf("%s: %s %v %v, want %s", key, v, given, err, want)
		}
	}
}

// Every usage key every priced type reads, given a value of any shape
// (wrong type, negative, nested where flat, flat where nested), never
// aborts the estimate nor drops the resource; a number key given
// something else is named in what the estimate says about the resource.
func TestUsageOfAnyShapeNeverAborts(t *testing.T) {
	shapes := []any{nil, -1, 0, 1e300, []any{"x", 2}, map[string]any{"a": map[string]any{"b": "c"}}, "1_year", strings.Repeat("9", 400)}
	wrongForNumber := []any{"not-a-number", true, map[string]any{"a": 1}}
	for _, tc := range typeCases {
		if liveOnly[tc.typ] {
			continue
		}
		rs := tc.resources(t)
		addr := rs[0].Address
		estimate := func(usage map[string]any) (est *Estimate, err error) {
			defer func() {
				if e := recover(); e != nil {
					err = fmt.Errorf("panic: %v", e)
				}
			}()
			u, err := UsageFrom(map[string]any{addr: usage})
			if err != nil {
				return nil, err
			}
			return EstimateResources(rs, nil, nil, Options{Usage: u})
		}
		base, err := estimate(nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		var keys []UsageKey
		for _, r := range base.Resources {
			if r.Address == addr {
				keys = r.Usage
			}
		}
		for _, k := range keys {
			tried := append(slices.Clone(shapes), wrongForNumber...)
			for _, v := range tried {
				est, err := estimate(usageAt(k.Key, v))
				if err != nil {
					t.Errorf("%s %s = %#v: %v", tc.typ, k.Key, v, err)
					continue
				}
				said, found := aboutResource(est, addr)
				if !found {
					t.Errorf("%s %s = %#v: the resource is neither priced nor listed as unpriced", tc.typ, k.Key, v)
				}
				if k.Type == "number" && slices.ContainsFunc(wrongForNumber, func(w any) bool { return reflect.DeepEqual(w, v) }) && !strings.Contains(said, k.Key) {
					t.Errorf("%s %s = %#v: the estimate does not name the key it could not read:\n%s", tc.typ, k.Key, v, said)
				}
			}
		}
	}
}

// usageAt is {a: {b: v}} for the dotted key a.b.
func usageAt(key string, v any) map[string]any {
	parts := strings.Split(key, ".")
	m := map[string]any{parts[len(parts)-1]: v}
	for i := len(parts) - 2; i >= 0; i-- {
		m = map[string]any{parts[i]: m}
	}
	return m
}

// aboutResource is what the estimate says about addr (its components,
// notes, why it is unpriced or unresolved; not the list of keys it reads),
// as JSON, and whether it is there at all.
func aboutResource(est *Estimate, addr string) (string, bool) {
	var parts []any
	for _, r := range est.Resources {
		if r.Address == addr {
			parts = append(parts, r.Components, r.Notes)
		}
	}
	for _, u := range est.Unpriced {
		if u.Address == addr {
			parts = append(parts, u)
		}
	}
	found := len(parts) > 0
	for _, u := range est.Unresolved {
		if strings.Contains(u, addr) {
			parts = append(parts, u)
		}
	}
	b, _ := json.Marshal(parts)
	return string(b), found
}

// FuzzUsageFile: whatever a usage file holds, once it reads as one, the
// estimate runs to the end and keeps every resource.
func FuzzUsageFile(f *testing.F) {
	f.Add(infracostUsage)
	f.Add("version: 0.1\nresource_type_default_usage:\n  aws_s3_bucket:\n    storage_classes: {standard: {storage_gb: [1]}}\nresource_usage:\n  aws_instance.x:\n    reserved_instance_term: 3_year\n    operating_system: {linux: 1}\n")
	f.Add("aws_dynamodb_table.x:\n  monthly_write_request_units: -5\n  storage_gb: .inf\ngoogle_container_cluster.x:\n  node_pool[0]:\n    nodes: x\n")
	var rs []Resource
	for _, tc := range typeCases {
		rs = append(rs, tc.resources(f)[0])
	}
	f.Fuzz(func(t *testing.T, file string) {
		u, err := ParseUsage([]byte(file))
		if err != nil {
			return
		}
		est, err := EstimateResources(rs, nil, nil, Options{Usage: u})
		if err != nil {
			t.Fatalf("%q: %v", file, err)
		}
		for _, r := range rs {
			if _, found := aboutResource(est, r.Address); !found {
				t.Fatalf("%q: %s dropped", file, r.Address)
			}
		}
	})
}
