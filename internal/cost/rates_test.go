package cost

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// estimateWith estimates inline resources with usage, the catalog
// overlaid by prices (as a refreshed cache is) and an optional live
// lookup.
func estimateWith(t *testing.T, inline, usage string, prices map[string]string, live PriceLookup) *Estimate {
	t.Helper()
	res, err := ParseInline([]byte(inline))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Live: live, IncludeDataTransfer: true}
	if usage != "" {
		if opts.Usage, err = ParseUsage([]byte(usage)); err != nil {
			t.Fatal(err)
		}
	}
	if prices != nil {
		top := &Catalog{Date: "2026-12-01", Currency: "USD", Source: "test cache", Prices: map[string]CatalogPrice{}}
		for k, v := range prices {
			top.Prices[k] = CatalogPrice{Unit: "hour", USD: D(v), Source: "AWS Price List (test)"}
		}
		opts.Catalog = top.Over(Embedded())
	}
	est, err := EstimateResources(res, nil, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return est
}

func monthly(r ResourceCost) string { return Dec(r.MonthlyCost).Money() }

// A reservation is chosen by Infracost's usage keys when the catalog has
// its rate: m5.large 1-year standard all upfront is $520 upfront, so
// 520/8,760 an hour and 730 × 520/8,760 = $43.33 a month. Without a rate,
// or with the keys incomplete, it is on demand (730 × $0.096 = $70.08)
// and a note says why.
func TestEC2Reservations(t *testing.T) {
	inline := `{"resources":[{"address":"aws_instance.r","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"m5.large","root_block_device":[{"volume_size":10,"volume_type":"gp3"}]}}]}`
	ri := `resource_usage: {aws_instance.r: {reserved_instance_type: standard, reserved_instance_term: 1_year, reserved_instance_payment_option: all_upfront}}`
	rate := map[string]string{"aws/ec2/us-east-1/m5.large/reserved/standard/1_year/all_upfront": "520/8760"}
	r := estimateWith(t, inline, ri, rate, nil).Resources[0]
	// 43.33 + 10 GB × $0.08
	if monthly(r) != "44.13" || !strings.Contains(r.Components[0].Name, "reserved") || !strings.Contains(r.Components[0].Assumption, "reserved standard 1_year all_upfront") {
		t.Errorf("reserved: %s %+v", monthly(r), r.Components[0])
	}
	r = estimateWith(t, inline, ri, nil, nil).Resources[0]
	if monthly(r) != "70.88" || !strings.Contains(strings.Join(r.Notes, "\n"), "no reserved standard 1_year all_upfront rate for m5.large") {
		t.Errorf("no reserved rate: %s %v", monthly(r), r.Notes)
	}
	r = estimateWith(t, inline, `resource_usage: {aws_instance.r: {reserved_instance_type: convertible}}`, rate, nil).Resources[0]
	if monthly(r) != "70.88" || !strings.Contains(strings.Join(r.Notes, "\n"), "a reservation needs reserved_instance_type, reserved_instance_term and reserved_instance_payment_option") {
		t.Errorf("incomplete reservation: %s %v", monthly(r), r.Notes)
	}
	// Dedicated tenancy and another OS have their own keys.
	est := estimateWith(t, `{"resources":[{"address":"aws_instance.d","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"m5.large","tenancy":"dedicated"}}]}`,
		`resource_usage: {aws_instance.d: {operating_system: rhel}}`, nil, nil)
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "(aws/ec2/us-east-1/m5.large/rhel/dedicated)") {
		t.Errorf("dedicated RHEL: %+v", est.Unpriced)
	}
}

// A Compute Savings Plan is chosen by savings_plan_term and
// _payment_option when no reservation is: m5.large's 1-year no-upfront
// plan rate $0.069 an hour → 730 × 0.069 = $50.37, plus 10 GB gp3 × $0.08.
// A reservation given too wins, as AWS applies reservations first.
func TestEC2SavingsPlan(t *testing.T) {
	inline := `{"resources":[{"address":"aws_instance.r","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"m5.large","root_block_device":[{"volume_size":10,"volume_type":"gp3"}]}}]}`
	sp := `resource_usage: {aws_instance.r: {savings_plan_term: 1_year, savings_plan_payment_option: no_upfront}}`
	rates := map[string]string{
		"aws/ec2/us-east-1/m5.large/savings-plan/compute/1_year/no_upfront": "0.069",
		"aws/ec2/us-east-1/m5.large/reserved/standard/1_year/all_upfront":   "520/8760",
	}
	r := estimateWith(t, inline, sp, rates, nil).Resources[0]
	if monthly(r) != "51.17" || !strings.Contains(r.Components[0].Name, "Compute Savings Plan") || !strings.Contains(r.Components[0].Assumption, "Compute Savings Plan 1_year no_upfront") {
		t.Errorf("savings plan: %s %+v", monthly(r), r.Components[0])
	}
	r = estimateWith(t, inline, `resource_usage: {aws_instance.r: {savings_plan_term: 3_year, savings_plan_payment_option: no_upfront}}`, rates, nil).Resources[0]
	if monthly(r) != "70.88" || !strings.Contains(strings.Join(r.Notes, "\n"), "no Compute Savings Plan 3_year no_upfront rate for m5.large") {
		t.Errorf("no plan rate: %s %v", monthly(r), r.Notes)
	}
	r = estimateWith(t, inline, `resource_usage: {aws_instance.r: {savings_plan_term: 1_year}}`, rates, nil).Resources[0]
	if monthly(r) != "70.88" || !strings.Contains(strings.Join(r.Notes, "\n"), "needs savings_plan_term and savings_plan_payment_option") {
		t.Errorf("incomplete plan: %s %v", monthly(r), r.Notes)
	}
	both := `resource_usage: {aws_instance.r: {savings_plan_term: 1_year, savings_plan_payment_option: no_upfront, reserved_instance_type: standard, reserved_instance_term: 1_year, reserved_instance_payment_option: all_upfront}}`
	if r = estimateWith(t, inline, both, rates, nil).Resources[0]; monthly(r) != "44.13" {
		t.Errorf("reservation before plan: %s %+v", monthly(r), r.Components[0])
	}
}

// Committed use on Compute Engine, by committed_use_term: n2-standard-4
// (4 vCPUs, 16 GB) at 1-year rates of $0.019915 a vCPU-hour and $0.002669
// a GB-hour → 730 × (4 × 0.019915 + 16 × 0.002669) = $89.33, with no
// sustained use discount on top, plus the default 10 GB pd-standard boot
// disk at $0.04 = $89.73. Without rates: on demand with sustained use, and
// a note.
func TestComputeEngineCommittedUse(t *testing.T) {
	inline := `{"resources":[{"address":"google_compute_instance.vm","type":"google_compute_instance","attributes":{"machine_type":"n2-standard-4","zone":"us-central1-a"}}]}`
	cud := `resource_usage: {google_compute_instance.vm: {committed_use_term: 1_year}}`
	rates := map[string]string{
		"gcp/compute/us-central1/n2-vcpu/commit/1_year": "0.019915",
		"gcp/compute/us-central1/n2-ram/commit/1_year":  "0.002669",
	}
	r := estimateWith(t, inline, cud, rates, nil).Resources[0]
	if monthly(r) != "89.73" || len(r.Components) != 3 || !strings.Contains(r.Components[0].Assumption, "committed use 1_year") {
		t.Errorf("committed use: %s %+v", monthly(r), r.Components)
	}
	onDemand := monthly(estimateWith(t, inline, "", nil, nil).Resources[0])
	r = estimateWith(t, inline, `resource_usage: {google_compute_instance.vm: {committed_use_term: 3_year}}`, rates, nil).Resources[0]
	if monthly(r) != onDemand || !strings.Contains(strings.Join(r.Notes, "\n"), "no 3_year committed use rate for n2-standard-4") {
		t.Errorf("no commitment rate: %s (on demand %s) %v", monthly(r), onDemand, r.Notes)
	}
}

// RDS, priced by hand from the us-east-1 list: PostgreSQL db.m5.large
// Multi-AZ is two instances, 2 × 730 × $0.178 = $259.88; 500 GB gp3 is
// stored twice, 1,000 × $0.115 = $115; from 400 GB gp3 includes 12,000
// IOPS and 500 MB/s, so 15,000 IOPS bill 3,000 × 2 × $0.02 = $120 and 600
// MB/s bill 100 × 2 × $0.08 = $16. Total $510.88.
func TestRDSRates(t *testing.T) {
	est := estimateWith(t, `{"resources":[{"address":"aws_db_instance.pg","type":"aws_db_instance","region":"us-east-1","attributes":{
		"engine":"postgres","instance_class":"db.m5.large","multi_az":true,"storage_type":"gp3","allocated_storage":500,"iops":15000,"storage_throughput":600}}]}`, "", nil, nil)
	r := est.Resources[0]
	if monthly(r) != "510.88" || len(r.Components) != 5 { // and backups beyond the free allowance, by usage

		t.Errorf("postgres Multi-AZ gp3: %s %+v", monthly(r), r.Components)
	}
	// Below 400 GB the baseline is 3,000 IOPS and 125 MB/s: 100 GB with
	// 3,000 IOPS bills nothing above it. MariaDB is listed at MySQL's
	// prices: 730 × $0.017 + 100 × $0.115 = $12.41 + $11.50.
	est = estimateWith(t, `{"resources":[{"address":"aws_db_instance.m","type":"aws_db_instance","region":"us-east-1","attributes":{
		"engine":"mariadb","instance_class":"db.t3.micro","storage_type":"gp3","allocated_storage":100,"iops":3000}}]}`, "", nil, nil)
	if r := est.Resources[0]; monthly(r) != "23.91" || len(r.Components) != 3 {
		t.Errorf("mariadb: %s %+v", monthly(r), r.Components)
	}
	// SQL Server and Oracle have their own rates, keyed by edition and
	// licence; a reservation takes RDS's two usage keys.
	sql := `{"resources":[{"address":"aws_db_instance.s","type":"aws_db_instance","region":"us-east-1","attributes":{
		"engine":"sqlserver-se","instance_class":"db.m5.large","allocated_storage":20}}]}`
	est = estimateWith(t, sql, "", nil, nil)
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "(aws/rds/us-east-1/sqlserver-se/db.m5.large)") {
		t.Errorf("SQL Server without a rate: %+v", est.Unpriced)
	}
	est = estimateWith(t, sql, `resource_usage: {aws_db_instance.s: {reserved_instance_term: 1_year, reserved_instance_payment_option: partial_upfront}}`,
		map[string]string{"aws/rds/us-east-1/sqlserver-se/db.m5.large": "0.977", "aws/rds/us-east-1/sqlserver-se/db.m5.large/reserved/standard/1_year/partial_upfront": "0.9"}, nil)
	// 730 × $0.90 + 20 GB gp2 × $0.115
	if r := est.Resources[0]; monthly(r) != "659.30" || !strings.Contains(r.Components[0].Assumption, "reserved standard 1_year partial_upfront") {
		t.Errorf("SQL Server reserved: %s %+v", monthly(r), r.Components)
	}
	est = estimateWith(t, `{"resources":[{"address":"aws_db_instance.o","type":"aws_db_instance","region":"us-east-1","attributes":{
		"engine":"oracle-ee","instance_class":"db.m5.large","allocated_storage":20}}]}`, "", nil, nil)
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "(aws/rds/us-east-1/oracle-ee/db.m5.large/byol)") {
		t.Errorf("Oracle EE is bring-your-own-licence: %+v", est.Unpriced)
	}
}

// ElastiCache: Valkey nodes have their own key; reservations take the
// term and payment keys. 2 × 730 × $0.156 = $227.76 for Redis m5.large.
func TestElastiCacheRates(t *testing.T) {
	est := estimateWith(t, `{"resources":[{"address":"aws_elasticache_cluster.c","type":"aws_elasticache_cluster","region":"us-east-1","attributes":{"node_type":"cache.m5.large","num_cache_nodes":2,"engine":"redis"}}]}`, "", nil, nil)
	if monthly(est.Resources[0]) != "227.76" {
		t.Errorf("redis: %+v", est.Resources[0])
	}
	est = estimateWith(t, `{"resources":[{"address":"aws_elasticache_cluster.v","type":"aws_elasticache_cluster","region":"us-east-1","attributes":{"node_type":"cache.m5.large","num_cache_nodes":2,"engine":"valkey"}}]}`,
		`resource_usage: {aws_elasticache_cluster.v: {reserved_instance_term: 3_year, reserved_instance_payment_option: no_upfront}}`,
		map[string]string{"aws/elasticache/us-east-1/cache.m5.large/valkey": "0.1248", "aws/elasticache/us-east-1/cache.m5.large/valkey/reserved/standard/3_year/no_upfront": "0.07"}, nil)
	// 2 × 730 × $0.07
	if r := est.Resources[0]; monthly(r) != "102.20" || !strings.HasPrefix(r.Components[0].Name, "Valkey") {
		t.Errorf("valkey reserved: %s %+v", monthly(r), r.Components)
	}
}

// lookupStub is a PriceLookup that answers from a map and counts calls.
type lookupStub struct {
	prices map[string]string
	err    error
	calls  map[string]int
}

func (l *lookupStub) Covers(provider string) bool { return provider == "aws" }

func (l *lookupStub) LookupPrice(key string) (CatalogPrice, bool, error) {
	l.calls[key]++
	if l.err != nil {
		return CatalogPrice{}, false, l.err
	}
	v, ok := l.prices[key]
	if !ok {
		return CatalogPrice{}, false, nil
	}
	return CatalogPrice{Unit: "hour", USD: D(v), Source: "AWS Price List API (live, test)", Date: "2026-12-06"}, true, nil
}

// What the catalog lacks is asked of the live lookup once per key, however
// many resources need it; its price says where it came from; a failed
// lookup is the reason the resource is not priced.
func TestLiveLookupFillsTheCatalogsGaps(t *testing.T) {
	inline := `{"resources":[
		{"address":"aws_instance.a","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"x2gd.medium","root_block_device":[{"volume_size":8,"volume_type":"gp2"}]}},
		{"address":"aws_instance.b","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"x2gd.medium","root_block_device":[{"volume_size":8,"volume_type":"gp2"}]}}]}`
	windows := `resource_usage: {aws_instance.a: {operating_system: windows}, aws_instance.b: {operating_system: windows}}`
	live := &lookupStub{prices: map[string]string{"aws/ec2/us-east-1/x2gd.medium/windows": "0.067"}, calls: map[string]int{}}
	est := estimateWith(t, inline, windows, nil, live)
	// 730 × $0.067 + 8 × $0.10 = $48.91 + $0.80
	if len(est.Resources) != 2 || monthly(est.Resources[0]) != "49.71" || est.Resources[0].Components[0].PriceSource != "AWS Price List API (live, test)" {
		t.Fatalf("live: %+v %+v", est.Resources, est.Unpriced)
	}
	if live.calls["aws/ec2/us-east-1/x2gd.medium/windows"] != 1 || live.calls["aws/ebs/us-east-1/gp2"] != 0 {
		t.Errorf("lookups: %v", live.calls)
	}
	est = estimateWith(t, inline, windows, nil, &lookupStub{err: errors.New("no AWS credentials"), calls: map[string]int{}})
	if len(est.Unpriced) != 2 || !strings.Contains(est.Unpriced[0].Reason, "live lookup failed: no AWS credentials") {
		t.Errorf("failed lookup: %+v", est.Unpriced)
	}
}

// Sustained use: each quarter of a month is billed at its rate, so the
// discount grows with the hours run — N1 half a month is 0.25 × 100% +
// 0.25 × 80% = 0.45 of 0.5 (10% off), a whole month 70% (30% off); N2 a
// whole month 80.02%; E2 has none.
func TestSustainedUseDiscount(t *testing.T) {
	for _, c := range []struct {
		family string
		hours  int64
		want   string
	}{{"n1", 365, "0.1"}, {"n1", 730, "0.3"}, {"n1", 100, "0"}, {"n2", 730, "0.1998"}, {"e2", 730, "0"}} {
		if got := sustainedUseDiscount(c.family, Int(c.hours)); got.Cmp(D(c.want)) != 0 {
			t.Errorf("%s %d hours: %s, want %s", c.family, c.hours, got, c.want)
		}
	}
}

// Infracost's nested keys are read as keys, not reported as unknown.
func TestNestedUsageIsRead(t *testing.T) {
	est := estimateInline(t, `{"resources":[{"address":"aws_s3_bucket.b","type":"aws_s3_bucket","region":"us-east-1"}]}`,
		`resource_usage: {aws_s3_bucket.b: {standard: {storage_gb: 100}, glacier_deep_archive: {storage_gb: 1000}, object_tags: 5}}`)
	r := est.Resources[0]
	notes := strings.Join(r.Notes, "\n")
	if strings.Contains(notes, "standard") || strings.Contains(notes, "glacier") || !strings.Contains(notes, "object_tags") {
		t.Errorf("notes: %s", notes)
	}
	// 100 × 0.023 + 1,000 × 0.00099
	if monthly(r) != "3.29" {
		t.Errorf("%s %+v", monthly(r), r.Components)
	}
}

// A DynamoDB table whose capacity an auto scaling target sets is priced
// at the target's minimum: 20 WCU × 730 × 0.00065 + 5 RCU (declared, not
// scaled) × 730 × 0.00013 = 9.49 + 0.4745.
func TestDynamoDBAutoScaling(t *testing.T) {
	est := estimateInline(t, `{"resources":[
		{"address":"aws_dynamodb_table.t","type":"aws_dynamodb_table","region":"us-east-1","attributes":{"name":"orders","read_capacity":5,"write_capacity":1}},
		{"address":"aws_appautoscaling_target.w","type":"aws_appautoscaling_target","region":"us-east-1","attributes":{
			"resource_id":"table/orders","scalable_dimension":"dynamodb:table:WriteCapacityUnits","min_capacity":20,"max_capacity":100}}]}`, "")
	r := resourceCost(t, est, "aws_dynamodb_table.t")
	if monthly(r) != "9.96" || !strings.Contains(strings.Join(r.Notes, "\n"), "table:WriteCapacityUnits is auto scaled between 20 and 100: priced at the minimum, 20") {
		t.Errorf("%s %v %+v", monthly(r), r.Notes, r.Components)
	}
	if len(est.Free) != 1 || est.Free[0].Type != "aws_appautoscaling_target" {
		t.Errorf("free: %+v", est.Free)
	}
}

// A Dedicated Host is billed by the hour per instance family, whatever
// runs on it: m5 at $5.069 → 730 × 5.069 = $3,700.37 a month; reserved for
// 3 years all upfront at $69,850 → 730 × 69,850 / 26,280 = $1,940.28. An
// instance with tenancy host bills no instance hours (its root volume
// still costs: 8 GB gp2 at $0.10 = $0.80). With no host price in the
// catalog, the host is listed as not priced.
func TestEC2DedicatedHost(t *testing.T) {
	inline := `{"resources":[
		{"address":"aws_ec2_host.h","type":"aws_ec2_host","region":"us-east-1","attributes":{"instance_type":"m5.large","availability_zone":"us-east-1a"}},
		{"address":"aws_ec2_host.f","type":"aws_ec2_host","region":"us-east-1","attributes":{"instance_family":"m5","availability_zone":"us-east-1a"}},
		{"address":"aws_instance.on_host","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"m5.large","tenancy":"host"}}]}`
	rates := map[string]string{
		"aws/ec2-host/us-east-1/m5":                                      "5.069",
		"aws/ec2-host/us-east-1/m5/reserved/standard/3_year/all_upfront": "69850/26280",
	}
	est := estimateWith(t, inline, `resource_usage: {aws_ec2_host.f: {reserved_instance_term: 3_year, reserved_instance_payment_option: all_upfront}}`, rates, nil)
	byAddr := map[string]ResourceCost{}
	for _, r := range est.Resources {
		byAddr[r.Address] = r
	}
	if r := byAddr["aws_ec2_host.h"]; monthly(r) != "3700.37" || r.Components[0].Name != "Dedicated Host (m5, on-demand)" {
		t.Errorf("on-demand host: %s %+v", monthly(r), r.Components)
	}
	if r := byAddr["aws_ec2_host.f"]; monthly(r) != "1940.28" || !strings.Contains(r.Components[0].Assumption, "reserved standard 3_year all_upfront") {
		t.Errorf("reserved host: %s %+v", monthly(r), r.Components)
	}
	if r := byAddr["aws_instance.on_host"]; monthly(r) != "0.80" || len(r.Components) != 1 || !strings.Contains(strings.Join(r.Notes, "\n"), "billed per host (aws_ec2_host)") {
		t.Errorf("instance on a host: %s %+v %v", monthly(r), r.Components, r.Notes)
	}

	est = estimateWith(t, inline, "", nil, nil)
	unpriced := map[string]string{}
	for _, u := range est.Unpriced {
		unpriced[u.Address] = u.Reason
	}
	if !strings.Contains(unpriced["aws_ec2_host.h"], "aws/ec2-host/us-east-1/m5") {
		t.Errorf("a host with no price: %v", unpriced)
	}
	bad := estimateWith(t, `{"resources":[{"address":"aws_ec2_host.x","type":"aws_ec2_host","region":"us-east-1","attributes":{}}]}`, "", nil, nil)
	if len(bad.Unpriced) != 1 || !strings.Contains(bad.Unpriced[0].Reason, "instance_family or instance_type is not known") {
		t.Errorf("a host of no family: %+v", bad.Unpriced)
	}
}

// RDS Extended Support, as of a given day: PostgreSQL 11 on db.t3.large
// (2 vCPUs) left standard support on 2024-02-29, so on 2025-06-01 it is in
// year 2 at $0.10 a vCPU-hour: 730 × 2 × 0.10 = $146.00 on top of the
// instance; on 2026-06-01, year 3 at $0.20: $292.00; Multi-AZ twice that.
// PostgreSQL 16, and a version given without a minor, are in standard
// support or priced by their major.
func TestRDSExtendedSupport(t *testing.T) {
	res, err := ParseInline([]byte(`{"resources":[
		{"address":"aws_db_instance.pg11","type":"aws_db_instance","region":"us-east-1","attributes":{"engine":"postgres","engine_version":"11.22","instance_class":"db.t3.large","allocated_storage":20}},
		{"address":"aws_db_instance.pg11az","type":"aws_db_instance","region":"us-east-1","attributes":{"engine":"postgres","engine_version":"11","instance_class":"db.t3.large","allocated_storage":20,"multi_az":true}},
		{"address":"aws_db_instance.my57","type":"aws_db_instance","region":"us-east-1","attributes":{"engine":"mysql","engine_version":"5.7.44","instance_class":"db.m5.xlarge","allocated_storage":20}},
		{"address":"aws_db_instance.pg16","type":"aws_db_instance","region":"us-east-1","attributes":{"engine":"postgres","engine_version":"16.4","instance_class":"db.t3.large","allocated_storage":20}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	extended := func(day string) map[string]string {
		today, _ := time.Parse(time.DateOnly, day)
		est, err := EstimateResources(res, nil, nil, Options{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range est.Resources {
			for _, c := range r.Components {
				if strings.HasPrefix(c.Name, "Extended support") {
					out[r.Address] = c.Name + " " + Dec(c.MonthlyCost).Money()
				}
			}
		}
		return out
	}
	got := extended("2025-06-01")
	want := map[string]string{
		"aws_db_instance.pg11":   "Extended support (postgres 11, year 1-2, 2 vCPUs) 146.00",
		"aws_db_instance.pg11az": "Extended support (postgres 11, year 1-2, 2 vCPUs) 292.00",
		"aws_db_instance.my57":   "Extended support (mysql 5.7, year 1-2, 4 vCPUs) 292.00", // 730 × 4 × 0.10
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("2025-06-01:\n got %v\nwant %v", got, want)
	}
	if got := extended("2026-06-01")["aws_db_instance.pg11"]; got != "Extended support (postgres 11, year 3, 2 vCPUs) 292.00" {
		t.Errorf("2026-06-01: %s", got)
	}
	if got := extended("2026-03-01")["aws_db_instance.pg11"]; !strings.Contains(got, "year 3") {
		t.Errorf("year 3 begins two years after 2024-03-01: %s", got)
	}
	if got := extended("2026-02-28")["aws_db_instance.pg11"]; !strings.Contains(got, "year 1-2") {
		t.Errorf("the last day of year 2: %s", got)
	}
	if got := extended("2024-02-29"); len(got) != 0 {
		t.Errorf("on the last day of standard support: %v", got)
	}
}

// Custom machine types bill the family's custom vCPU and memory rates,
// memory beyond the family's most per vCPU (N1: 6.5 GB) at the extended
// rate, and earn sustained use discounts: custom-2-15360-ext is 2 vCPUs ×
// 0.033174 + 13 GB × 0.004446 + 2 GB × 0.00955 an hour, × 730 = $104.57,
// 30% off for a whole month = $73.20, + a 10 GB pd-standard boot disk at
// $0.40 = $73.60. A custom type whose rates the catalog lacks is listed as
// not priced, naming the key.
func TestComputeEngineCustomMachineTypes(t *testing.T) {
	vm := func(mt string) string {
		return `{"resources":[{"address":"google_compute_instance.vm","type":"google_compute_instance","attributes":{"machine_type":"` + mt + `","zone":"us-central1-a"}}]}`
	}
	rates := map[string]string{
		"gcp/compute/us-central1/n1-custom-vcpu":         "0.033174",
		"gcp/compute/us-central1/n1-custom-ram":          "0.004446",
		"gcp/compute/us-central1/n1-custom-ram-extended": "0.00955",
	}
	est := estimateWith(t, vm("custom-2-15360-ext"), "", rates, nil)
	if len(est.Resources) != 1 || monthly(est.Resources[0]) != "73.60" || len(est.Resources[0].Components) != 5 {
		t.Fatalf("custom-2-15360-ext: %+v %+v", est.Resources, est.Unpriced)
	}
	if c := est.Resources[0].Components[2]; !strings.Contains(c.Name, "extended memory") || Dec(c.Quantity).String() != "1460" {
		t.Errorf("extended memory: %+v", c)
	}
	est = estimateWith(t, vm("n2-custom-6-20480"), "", rates, nil)
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "gcp/compute/us-central1/n2-custom-vcpu") {
		t.Errorf("n2 custom without rates: %+v", est.Unpriced)
	}
	for _, mt := range []string{"custom-2", "n4-custom-2-4096", "custom-0-1024"} {
		est = estimateWith(t, vm(mt), "", rates, nil)
		if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "is not in the catalog") {
			t.Errorf("%s: %+v", mt, est.Unpriced)
		}
	}
}

// A region the catalog does not list is priced from the cloud's price
// list when a live lookup reaches it: an m5.large in sa-east-1 with its
// 8 GB gp2 root volume, 730 × 0.153 + 8 × 0.19 = 111.69 + 1.52. A price
// the price list has no query for (a NAT gateway) leaves its resource not
// priced, saying so; without a lookup the region is unknown, as before.
func TestLiveLookupPricesRegionsTheCatalogLacks(t *testing.T) {
	inline := `{"resources":[
		{"address":"aws_instance.sp","type":"aws_instance","region":"sa-east-1","attributes":{"instance_type":"m5.large"}},
		{"address":"aws_nat_gateway.sp","type":"aws_nat_gateway","region":"sa-east-1","attributes":{}}]}`
	live := &lookupStub{prices: map[string]string{"aws/ec2/sa-east-1/m5.large": "0.153", "aws/ebs/sa-east-1/gp2": "0.19"}, calls: map[string]int{}}
	est := estimateWith(t, inline, "", nil, live)
	if len(est.Resources) != 2 || monthly(est.Resources[0]) != "113.21" {
		t.Fatalf("sa-east-1: %+v", est.Resources)
	}
	if len(est.Unpriced) != 1 || est.Unpriced[0].Address != "aws_nat_gateway.sp" || !strings.Contains(est.Unpriced[0].Reason, "not in the catalog nor in the cloud's price list") {
		t.Errorf("NAT gateway: %+v", est.Unpriced)
	}
	est = estimateWith(t, inline, "", nil, nil)
	if len(est.Unpriced) != 2 || !strings.Contains(est.Unpriced[0].Reason, `unknown AWS region "sa-east-1"`) {
		t.Errorf("without a lookup: %+v", est.Unpriced)
	}
}
