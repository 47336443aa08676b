package cost

import (
	"os"
	"strings"
	"testing"
)

func estimateInline(t *testing.T, inline string, usage string) *Estimate {
	t.Helper()
	return estimateWith(t, inline, usage, nil, nil)
}

func resourceCost(t *testing.T, est *Estimate, addr string) ResourceCost {
	t.Helper()
	for _, r := range est.Resources {
		if r.Address == addr {
			return r
		}
	}
	t.Fatalf("no %s in %+v", addr, est.Resources)
	return ResourceCost{}
}

// Each figure below is worked by hand from the catalog's unit prices.
func TestInlineArithmetic(t *testing.T) {
	est := estimateInline(t, `{"resources":[
		{"address":"aws_instance.web","type":"aws_instance","region":"us-east-1","count":3,"attributes":{"instance_type":"m5.large","root_block_device":[{"volume_type":"gp3","volume_size":20}]}},
		{"address":"aws_nat_gateway.main","type":"aws_nat_gateway","region":"eu-west-1"},
		{"address":"google_compute_instance.vm","type":"google_compute_instance","attributes":{"machine_type":"n2-standard-4","zone":"us-central1-a","boot_disk":[{"initialize_params":[{"type":"pd-balanced","size":50}]}]}},
		{"address":"aws_lambda_function.api","type":"aws_lambda_function","region":"us-east-1","attributes":{"memory_size":1024}}
	]}`, `resource_usage:
  aws_nat_gateway.main: {monthly_data_processed_gb: 100}
  aws_lambda_function.api: {monthly_requests: 2000000, request_duration_ms: 200}
`)
	for addr, want := range map[string]string{
		// 3 × 730 h × $0.096 = 210.24; 3 × 20 GB × $0.08 = 4.80
		"aws_instance.web": "215.04",
		// 730 h × $0.048 = 35.04; 100 GB × $0.048 = 4.80
		"aws_nat_gateway.main": "39.84",
		// 4 vCPU × 730 h × $0.031611 = 92.30412; 16 GB × 730 h × $0.004237 = 49.48816; 50 GB × $0.10 = 5
		"google_compute_instance.vm": "118.46",
		// 2 M requests × $0.20 = 0.40; 2,000,000 × 0.2 s × 1 GB = 400,000 GB-s × $0.0000166667 = 6.66668
		"aws_lambda_function.api": "7.07",
	} {
		if got := Dec(resourceCost(t, est, addr).MonthlyCost).Money(); got != want {
			t.Errorf("%s: %s, want %s: %+v", addr, got, want, resourceCost(t, est, addr).Components)
		}
	}
	// 215.04 + 39.84 + 118.462182 (after sustained use) + 7.06668 = 380.408862
	if got := Dec(est.TotalMonthlyCost).Money(); got != "380.41" {
		t.Errorf("total %s", got)
	}
	web := resourceCost(t, est, "aws_instance.web")
	if c := web.Components[0]; c.Quantity.String() != "2190" || Dec(c.UnitPrice).String() != "0.096" || c.PriceDate == "" || c.PriceSource == "" || c.UsageBased {
		t.Errorf("instance component: %+v", c)
	}
	nat := resourceCost(t, est, "aws_nat_gateway.main")
	if c := nat.Components[1]; !c.UsageBased || !strings.Contains(c.Assumption, "monthly_data_processed_gb") {
		t.Errorf("usage-based component without its assumption: %+v", c)
	}
}

func TestUnsupportedFreeAndUnpricedAreListed(t *testing.T) {
	est := estimateInline(t, `{"resources":[
		{"type":"aws_foo_bar","count":2},
		{"type":"aws_vpc","region":"us-east-1","count":3},
		{"address":"aws_instance.mars","type":"aws_instance","region":"mars-1","attributes":{"instance_type":"m5.large"}},
		{"address":"aws_instance.x","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"x9.huge"}}
	]}`, "")
	if len(est.Unsupported) != 1 || est.Unsupported[0] != (TypeCount{"aws_foo_bar", 2}) {
		t.Errorf("unsupported: %+v", est.Unsupported)
	}
	if len(est.Free) != 1 || est.Free[0] != (TypeCount{"aws_vpc", 3}) {
		t.Errorf("free: %+v", est.Free)
	}
	if len(est.Unpriced) != 2 || !strings.Contains(est.Unpriced[0].Reason, `unknown AWS region "mars-1"`) || !strings.Contains(est.Unpriced[1].Reason, "x9.huge") {
		t.Errorf("unpriced: %+v", est.Unpriced)
	}
	if !est.total.IsZero() {
		t.Errorf("total %s, want 0", est.total)
	}
}

func TestEgressIsTieredPerRegion(t *testing.T) {
	est := estimateInline(t, `{"resources":[
		{"address":"aws_instance.a","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}},
		{"address":"aws_instance.b","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}}
	]}`, `resource_usage: {"aws_instance.*": {monthly_data_transfer_out_gb: 550}}`)
	// 2 × 550 = 1,100 GB; the first 100 free; 1,000 × $0.09 = 90.00
	if got := Dec(resourceCost(t, est, "aws_data_transfer_out.us-east-1").MonthlyCost).Money(); got != "90.00" {
		t.Errorf("egress %s", got)
	}
}

func TestBadInline(t *testing.T) {
	for in, want := range map[string]string{
		`{"resources":[{"type":"aws_instance","count":-1}]}`: "count -1 is negative",
		`{"resources":[]}`:                       "no resources",
		`{"resources":[{"region":"us-east-1"}]}`: "has no type",
		`{"resource":[]}`:                        "unknown field",
	} {
		if _, err := ParseInline([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

func TestMoneyIsExact(t *testing.T) {
	// 0.1 + 0.2 in floats is 0.30000000000000004.
	if s := Float(0.1).Add(Float(0.2)).String(); s != "0.3" {
		t.Errorf("0.1 + 0.2 = %s", s)
	}
	if s := D("1460").Mul(D("0.0000166667")).String(); s != "0.024333382" {
		t.Errorf("exact product: %s", s)
	}
	if s := D("0.005").Money(); s != "0.01" {
		t.Errorf("half a cent rounds away from zero: %s", s)
	}
}

func TestBadPlansAndUsage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, body, want string }{
		{"old.json", `{"format_version":"0.1","terraform_version":"0.12.31","planned_values":{},"resource_changes":[]}`, "format_version 0.1: only format 1.x"},
		{"other.json", `{"format_version":"1.0","terraform_version":"","resource_changes":[]}`, "not a Terraform plan JSON"},
		{"state.json", `{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"x","outputs":{},"resources":[]}`, "Terraform state"},
		{"pulumi.json", `{"steps":[{"op":"create","urn":"urn:pulumi:dev::x::aws:ec2/instance:Instance::web"}]}`, "is not a Terraform plan JSON, an inline resource list"},
		{"neg.json", `{"resources":[{"type":"aws_instance","count":-2}]}`, "count -2 is negative"},
	} {
		_, err := Load(nil, write(tc.name, tc.body), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// Usage for a resource the input does not have is reported, not ignored.
	est := estimateInline(t, `{"resources":[{"address":"aws_nat_gateway.a","type":"aws_nat_gateway","region":"us-east-1"}]}`,
		`resource_usage: {aws_nat_gateway.b: {monthly_data_processed_gb: 5}}`)
	if len(est.Unresolved) != 1 || !strings.Contains(est.Unresolved[0], "usage is given for aws_nat_gateway.b, which is not among the resources") {
		t.Errorf("unresolved: %q", est.Unresolved)
	}
	if _, err := EstimateResources(nil, nil, nil, Options{DurationHours: -1}); err == nil {
		t.Error("negative duration accepted")
	}
}

// No attribute value a plan or HCL can give (an unknown, a list where a
// block is expected, a string where a number is) panics a mapper: each
// worked case (types_test.go), which reaches its mapper's deep paths, is
// estimated again with each of its attributes, and each of the resources
// it takes values from, replaced by each shape.
func TestMappersSurviveAnyShape(t *testing.T) {
	shapes := []any{nil, "x", 3, true, []any{}, []any{"x"}, []any{map[string]any{}}, map[string]any{}, Unknown{Why: "u"},
		Unknown{Ref: "aws_launch_template.x"}, []any{map[string]any{"a": Unknown{}}}}
	for _, tc := range typeCases {
		rs := tc.resources(t)
		for _, r := range rs {
			m := r.Attributes // shared with rs, so each change is seen
			for k, orig := range m {
				for _, v := range shapes {
					m[k] = v
					func() {
						defer func() {
							if e := recover(); e != nil {
								t.Errorf("%s %s with %s = %#v: panic %v", tc.typ, tc.attrs, k, v, e)
							}
						}()
						EstimateResources(rs, nil, nil, Options{})
					}()
				}
				m[k] = orig
			}
		}
	}
}
