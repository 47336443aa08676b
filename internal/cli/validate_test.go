package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

func TestValidateCommand(t *testing.T) {
	corpus := filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "kubernetes", "corpus")
	warnOnly := filepath.Join(testenv.RepoRoot(t), "testdata", "manifests", "web")
	t.Setenv("OPSMCP_CONFIG", "")

	code, out, _ := run(t, "validate", corpus)
	if code != 1 || !strings.Contains(out, "INVALID: ") || !strings.Contains(out, "[selector-mismatch]") {
		t.Fatalf("text report of the corpus: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "validate", "--fail-on", "never", corpus); code != 0 {
		t.Fatalf("--fail-on never: exit %d", code)
	}
	// A file with warnings only: exit 0 at --fail-on error, 1 at warning.
	if code, out, _ := run(t, "validate", warnOnly); code != 0 || !strings.Contains(out, ": warning [") || !strings.Contains(out, " 0 errors") {
		t.Fatalf("warnings only, --fail-on error: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "validate", "--fail-on", "warning", warnOnly); code != 1 {
		t.Fatalf("warnings only, --fail-on warning: exit %d", code)
	}

	code, out, _ = run(t, "validate", "--format", "json", corpus)
	var rep struct {
		Valid    bool `json:"valid"`
		Errors   int  `json:"errors"`
		Findings []struct {
			Rule string `json:"rule"`
			Line int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Valid || rep.Errors == 0 || code != 1 {
		t.Fatalf("json: exit %d, %v\n%.500s", code, err, out)
	}

	// SARIF 2.1.0 that Microsoft's SARIF validator accepts without an error.
	dir := t.TempDir()
	sarif := filepath.Join(dir, "report.sarif")
	if code, _, errs := run(t, "validate", "--format", "sarif", "--output", sarif, corpus); code != 1 {
		t.Fatalf("sarif: exit %d %s", code, errs)
	}
	cmd := exec.Command(testenv.SarifMultitool(t), "validate", sarif, "--output", filepath.Join(dir, "validation.sarif"))
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "HOME="+dir)
	res, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(res), ": error ") || !strings.Contains(string(res), "1 files scanned") {
		t.Fatalf("SARIF Multitool validate: %v\n%s", err, res)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	data, _ := os.ReadFile(sarif)
	if err := json.Unmarshal(data, &log); err != nil || log.Version != "2.1.0" || len(log.Runs[0].Results) != len(rep.Findings) {
		t.Fatalf("sarif content: %v %+v", err, log.Version)
	}

	// JUnit XML: one failure per error or warning.
	code, out, _ = run(t, "validate", "--format", "junit", corpus)
	var suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || suites.Failures == 0 || suites.Tests < suites.Failures || len(suites.Suites) == 0 {
		t.Fatalf("junit: exit %d %v\n%.500s", code, err, out)
	}

	for _, bad := range [][]string{
		{"validate", "--format", "xml", corpus},
		{"validate", "--type", "helm", corpus},
		{"validate", "--fail-on", "sometimes", corpus},
		{"validate", filepath.Join(dir, "missing")},
		{"validate", "--disable", "no-such-rule", corpus},
		{"validate"},
	} {
		if code, _, errs := run(t, bad...); code != 2 || errs == "" {
			t.Fatalf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
	if code, out, _ := run(t, "validate", "--list-rules"); code != 0 || !strings.Contains(out, "selector-mismatch") {
		t.Fatalf("--list-rules: %d", code)
	}
}
