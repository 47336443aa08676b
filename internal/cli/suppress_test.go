package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

type suppressedReport struct {
	Valid      bool `json:"valid"`
	Errors     int  `json:"errors"`
	Warnings   int  `json:"warnings"`
	Suppressed int  `json:"suppressed"`
	Findings   []struct {
		Rule       string `json:"rule"`
		File       string `json:"file"`
		Line       int    `json:"line"`
		Suppressed struct {
			Kind          string `json:"kind"`
			Justification string `json:"justification"`
		} `json:"suppressed"`
	} `json:"findings"`
}

func validateJSON(t *testing.T, args ...string) (int, suppressedReport) {
	t.Helper()
	code, out, errs := run(t, append([]string{"validate", "--format", "json"}, args...)...)
	var rep suppressedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: exit %d, %v\n%s%s", args, code, err, out, errs)
	}
	return code, rep
}

// Suppressions leave a trail: annotation, comment and baseline each hide a
// finding from the counts with its reason, keep it in JSON and SARIF, a
// suppression without a reason is a finding, and an unsuppressible rule's
// error is never hidden.
func TestSuppressionsWithATrail(t *testing.T) {
	t.Setenv("OPSMCP_CONFIG", "")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
  namespace: jobs
  annotations:
    opsmcp.dev/ignore: "host-network: takes addresses by DHCP on the node's network; latest-tag: pinned by the image policy controller; missing-pdb"
spec:
  replicas: 1
  selector:
    matchLabels: {app: batch}
  template:
    metadata:
      labels: {app: batch}
    spec:
      hostNetwork: true
      containers:
        # opsmcp:ignore missing-liveness-probe the worker exits on failure and the Deployment restarts it
        - name: worker
          image: registry.example.com/worker:latest
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}
          readinessProbe: {exec: {command: ["true"]}}
          securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
`)
	write("Dockerfile", "# opsmcp:ignore docker-no-healthcheck health is checked by the orchestrator\nFROM alpine:3.20\nCMD [\"sh\"]\n# opsmcp:ignore DL3007\n")
	write("main.tf", "terraform { // opsmcp:ignore tf-no-required-version the CI image pins terraform\n}\n\nresource \"terraform_data\" \"x\" {\n  input = \"a\"\n}\n")
	code, rep := validateJSON(t, dir)
	kinds := map[string]string{}
	for _, f := range rep.Findings {
		if f.Suppressed.Kind != "" {
			kinds[f.Rule] = f.Suppressed.Kind + ": " + f.Suppressed.Justification
		}
	}
	want := map[string]string{
		"host-network":           "annotation: takes addresses by DHCP on the node's network",
		"latest-tag":             "annotation: pinned by the image policy controller",
		"missing-liveness-probe": "comment: the worker exits on failure and the Deployment restarts it",
		"docker-no-healthcheck":  "comment: health is checked by the orchestrator",
		"tf-no-required-version": "comment: the CI image pins terraform",
	}
	for rule, w := range want {
		if kinds[rule] != w {
			t.Errorf("%s: suppressed %q, want %q", rule, kinds[rule], w)
		}
	}
	reasonless := 0
	for _, f := range rep.Findings {
		switch {
		case f.Rule == "suppression-reason" && f.Suppressed.Kind == "":
			reasonless++
		case f.Rule == "missing-pdb":
			t.Errorf("missing-pdb is off by default: a suppression does not turn it on")
		}
	}
	if reasonless != 2 || rep.Suppressed != len(want) {
		t.Fatalf("want 2 reasonless-suppression findings and %d suppressed, got %d and %d (exit %d): %+v", len(want), reasonless, rep.Suppressed, code, rep)
	}

	// Text lists only what counts, and says how many were suppressed.
	_, text, _ := run(t, "validate", dir)
	if strings.Contains(text, "[latest-tag]") || !strings.Contains(text, ", 5 suppressed") || !strings.Contains(text, "[suppression-reason]") {
		t.Fatalf("text report:\n%s", text)
	}

	// SARIF carries the suppressions with their justification, and
	// Microsoft's validator accepts it.
	sarif := filepath.Join(t.TempDir(), "r.sarif")
	run(t, "validate", "--format", "sarif", "--output", sarif, dir)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []struct {
					Kind, Status, Justification string
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	data, _ := os.ReadFile(sarif)
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	inSource := 0
	for _, r := range log.Runs[0].Results {
		if len(r.Suppressions) == 1 && r.Suppressions[0].Kind == "inSource" && r.Suppressions[0].Justification != "" {
			inSource++
		}
	}
	if inSource != len(want) {
		t.Fatalf("SARIF: %d results with an inSource suppression, want %d", inSource, len(want))
	}
	cmd := exec.Command(testenv.SarifMultitool(t), "validate", sarif, "--output", filepath.Join(t.TempDir(), "v.sarif"))
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "HOME="+t.TempDir())
	if res, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(res), ": error ") {
		t.Fatalf("SARIF Multitool validate: %v\n%s", err, res)
	}

	// A baseline accepts what is there now; a later finding is new.
	baseline := filepath.Join(dir, ".opsmcp-baseline.json")
	if code, rep := validateJSON(t, "--write-baseline", baseline, dir); code != 0 || rep.Errors+rep.Warnings != 0 || !rep.Valid {
		t.Fatalf("--write-baseline: exit %d, %+v", code, rep)
	}
	if code, rep := validateJSON(t, "--baseline", baseline, dir); code != 0 || rep.Errors+rep.Warnings != 0 || rep.Suppressed <= len(want) {
		t.Fatalf("--baseline: exit %d, %+v", code, rep)
	}
	write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: jobs\nspec:\n  selector: {app: none}\n  ports: [{port: 80}]\n")
	_, rep = validateJSON(t, "--baseline", baseline, dir)
	var fresh []string
	for _, f := range rep.Findings {
		if f.Suppressed.Kind == "" {
			fresh = append(fresh, f.Rule)
		}
	}
	if strings.Join(fresh, ",") != "service-selects-nothing" {
		t.Fatalf("with the baseline only the new finding counts, got %v", fresh)
	}
	// The baseline is found from another working directory too.
	t.Chdir(t.TempDir())
	if _, rep := validateJSON(t, "--baseline", baseline, dir); rep.Warnings != 1 {
		t.Fatalf("baseline from another directory: %+v", rep)
	}
	if code, _, errs := run(t, "validate", "--baseline", filepath.Join(dir, "deploy.yaml"), dir); code != 2 || !strings.Contains(errs, "not a baseline file") {
		t.Fatalf("a file that is no baseline: exit %d %s", code, errs)
	}

	// validate.unsuppressible: an error of that rule counts whatever the
	// annotation says.
	write("bad.yaml", `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: jobs
  annotations:
    opsmcp.dev/ignore: "invalid-data-key: legacy key"
data:
  "bad key": x
`)
	if _, rep := validateJSON(t, dir); rep.Errors != 0 {
		t.Fatalf("annotation should suppress invalid-data-key: %+v", rep)
	}
	cfg := write("opsmcp.yaml", "validate:\n  unsuppressible: [invalid-data-key]\n")
	t.Setenv("OPSMCP_CONFIG", cfg)
	if code, rep := validateJSON(t, dir); code != 1 || rep.Errors != 1 {
		t.Fatalf("unsuppressible invalid-data-key: exit %d %+v", code, rep)
	}
}
