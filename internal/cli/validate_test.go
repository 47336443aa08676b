package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
		{"validate", "--type", "ansible", corpus},
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

// startOnFIFO starts bin with args and a named pipe as the last path, and
// returns once the validator has opened the pipe fifo (our open for writing
// returns only then), with the binary the process is running at that
// moment. Writing doc to the pipe lets it finish.
func startOnFIFO(t *testing.T, fifo, bin, doc string, args ...string) (exe string, code int, out string) {
	t.Helper()
	cmd := exec.Command(bin, append(args, fifo)...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.Env = append(os.Environ(), "OPSMCP_CONFIG=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	exe, err = os.Readlink(fmt.Sprintf("/proc/%d/exe", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(doc)
	w.Close()
	cmd.Wait()
	return exe, cmd.ProcessState.ExitCode(), buf.String()
}

// opsmcp validate hands the run to opsmcp-validate of the same build (the
// validators without the servers' clients), with every flag; a sibling of
// another build, or none, and --cluster validate in opsmcp itself, with the
// same report.
func TestValidateHandsOverToTheValidatorBinary(t *testing.T) {
	bins := testenv.Binaries(t)
	doc := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 1\n" +
		"  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n" +
		"    spec:\n      containers: [{name: web, image: nginx:latest}]\n"
	fifo := filepath.Join(t.TempDir(), "app.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"validate", "--format", "json", "--disable", "missing-limits", "--disable", "missing-requests,run-as-non-root", "--fail-on", "warning"}

	exe, code, handed := startOnFIFO(t, fifo, filepath.Join(bins, "opsmcp"), doc, args...)
	if filepath.Base(exe) != "opsmcp-validate" {
		t.Fatalf("opsmcp validate ran in %s, not in opsmcp-validate beside it", exe)
	}
	if code != 1 || !strings.Contains(handed, `"rule": "latest-tag"`) || strings.Contains(handed, "missing-limits") || strings.Contains(handed, "run-as-non-root") ||
		!strings.Contains(handed, "opsmcp: 0 errors") {
		t.Fatalf("handed over: exit %d\n%s", code, handed)
	}

	// Alone, opsmcp validates itself: the same report and exit code.
	alone := t.TempDir()
	data, _ := os.ReadFile(filepath.Join(bins, "opsmcp"))
	os.WriteFile(filepath.Join(alone, "opsmcp"), data, 0o755)
	exe, code, inProcess := startOnFIFO(t, fifo, filepath.Join(alone, "opsmcp"), doc, args...)
	if filepath.Base(exe) != "opsmcp" || code != 1 || inProcess != handed {
		t.Fatalf("without opsmcp-validate: ran in %s, exit %d\n%s\nhanded over:\n%s", exe, code, inProcess, handed)
	}

	// Beside an opsmcp-validate of another build, opsmcp validates itself.
	build := exec.Command("go", "build", "-ldflags", "-X github.com/opsmcp/opsmcp/internal/version.Version=9.9.9", "-o", alone+"/", "./cmd/opsmcp-validate")
	build.Dir = testenv.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if exe, _, _ := startOnFIFO(t, fifo, filepath.Join(alone, "opsmcp"), doc, args...); filepath.Base(exe) != "opsmcp" {
		t.Fatalf("another build's opsmcp-validate ran: %s", exe)
	}
	// Run directly, opsmcp-validate is the same command under its own name.
	_, code, direct := startOnFIFO(t, fifo, filepath.Join(bins, "opsmcp-validate"), doc, args[1:]...)
	if code != 1 || strings.Replace(direct, "opsmcp-validate:", "opsmcp:", 1) != handed {
		t.Fatalf("opsmcp-validate: exit %d\n%s", code, direct)
	}
	if code, out, _ := runBinary(t, filepath.Join(bins, "opsmcp-validate"), "--cluster", "x.yaml"); code != 2 || !strings.Contains(out, "opsmcp validate --cluster") {
		t.Fatalf("opsmcp-validate --cluster: exit %d %s", code, out)
	}
}

func runBinary(t *testing.T, bin string, args ...string) (int, string, error) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out), nil
	}
	return 0, string(out), err
}

// A pull request's checkout is validated without executing anything it
// holds: a provider planted in its implicit local mirror never runs, and
// opsmcp validate (and ci, which validates the same way) leaves it as it was.
func TestValidateExecutesNothingFromAPullRequest(t *testing.T) {
	t.Setenv("OPSMCP_CONFIG", "")
	dir := t.TempDir()
	marker := filepath.Join(t.TempDir(), "provider-ran")
	plugin := filepath.Join(dir, "terraform.d", "plugins", "example.com", "evil", "evil", "1.0.0", "linux_amd64", "terraform-provider-evil_v1.0.0")
	write(t, plugin, "#!/bin/sh\ntouch "+marker+"\nexit 1\n")
	os.Chmod(plugin, 0o755)
	write(t, filepath.Join(dir, "main.tf"), "terraform {\n  required_providers {\n    evil = { source = \"example.com/evil/evil\", version = \"1.0.0\" }\n  }\n}\nresource \"evil_thing\" \"x\" {}\n")
	var before []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error { before = append(before, p); return nil })
	code, out, _ := run(t, "validate", "--type", "terraform", dir)
	if code != 1 || !strings.Contains(out, "terraform-init") {
		t.Fatalf("exit %d: the provider cannot be had and the report should say so:\n%s", code, out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the planted provider ran")
	}
	var after []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error { after = append(after, p); return nil })
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Fatalf("validation wrote into the directory:\n%s", strings.Join(after, "\n"))
	}
}
