package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// The JSON report is written a finding at a time, and is byte for byte what
// encoding/json writes for the whole report at once (its format_version
// first): with many findings, one, and none.
func TestJSONReportIsStreamedExactly(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "kubernetes")
	for _, path := range []string{filepath.Join(root, "corpus"), filepath.Join(root, "rules", "latest-tag", "bad.yaml")} {
		rep, err := validate.Run(context.Background(), []string{path}, validate.Options{Type: "kubernetes", Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*validate.Report{rep, {Findings: rep.Findings[:1]}, {Valid: true, Findings: []validate.Finding{}}} {
			var streamed, whole bytes.Buffer
			if err := validate.Write(&streamed, r, "json", false); err != nil {
				t.Fatal(err)
			}
			enc := json.NewEncoder(&whole)
			enc.SetIndent("", "  ")
			if err := enc.Encode(struct {
				FormatVersion string `json:"format_version"`
				validate.Report
			}{validate.JSONFormatVersion, *r}); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(streamed.Bytes(), []byte("{\n  \"format_version\": \"1.0\",\n")) || !bytes.Equal(streamed.Bytes(), whole.Bytes()) {
				t.Fatalf("%s (%d findings): streamed report differs:\n%s\nwant:\n%s", path, len(r.Findings), streamed.Bytes(), whole.Bytes())
			}
		}
	}
}
