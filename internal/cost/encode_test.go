package cost

import (
	"bytes"
	"encoding/json"
	"testing"
)

// AppendJSON writes exactly what json.Marshal writes, for an estimate of
// every priced type (with prior costs, unsupported, free and unpriced
// resources), for addresses holding quotes, HTML and the field's own
// text, and for no resources at all.
func TestAppendJSONIsMarshal(t *testing.T) {
	type result struct { // as servers/deploy's EstimateCostsResult embeds it
		Input string `json:"input"`
		Estimate
	}
	var planned, prior []Resource
	for _, tc := range typeCases {
		for _, r := range tc.resources(t) {
			planned = append(planned, r)
			prior = append(prior, r)
		}
	}
	odd := Resource{Address: `aws_ebs_volume.v["<a&b> \"resources\":null"]`, Type: "aws_ebs_volume", Attributes: map[string]any{"size": 10}}
	planned = append(planned, odd, Resource{Address: "aws_glue_job.j", Type: "aws_glue_job"},
		Resource{Address: "aws_iam_role.r", Type: "aws_iam_role"}, Resource{Address: "aws_instance.bad", Type: "aws_instance", Attributes: map[string]any{"instance_type": "zz.nope"}})
	est, err := EstimateResources(planned, prior[:len(prior)/2], nil, Options{IncludeDataTransfer: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(est.Resources) < len(typeCases) || len(est.Unsupported) == 0 || len(est.Free) == 0 || len(est.Unpriced) == 0 || est.DiffMonthlyCost == nil {
		t.Fatalf("the estimate lacks a part to encode: %d resources, %d unsupported, %d free, %d unpriced", len(est.Resources), len(est.Unsupported), len(est.Free), len(est.Unpriced))
	}
	for name, resources := range map[string][]ResourceCost{"all": est.Resources, "none": {}, "nil": nil, "one": est.Resources[:1]} {
		whole := result{Input: `plan "<&>"`, Estimate: *est}
		whole.Resources = resources
		want, err := json.Marshal(whole)
		if err != nil {
			t.Fatal(err)
		}
		rest := whole
		rest.Resources = nil
		got, err := AppendJSON([]byte("prefix"), rest, resources)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("%s: AppendJSON differs from json.Marshal:\n%.300s\n%.300s", name, got, want)
		}
	}
	if _, err := AppendJSON(nil, struct{ A int }{1}, est.Resources); err == nil {
		t.Error("a value without a resources field was encoded")
	}
}
