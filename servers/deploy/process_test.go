package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// TestTwoProcessesApplyOneWorkspace runs the real CLI twice at once: one
// apply holds the workspace lock, the other is refused with a lock error.
func TestTwoProcessesApplyOneWorkspace(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp")
	ws := testenv.CopyWorkspace(t, "slow")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "opsmcp.yaml")
	cfg := fmt.Sprintf("mode: apply\nmemory: %s\nterraform:\n  workspaces: [%s]\n", filepath.Join(dir, "memory.db"), ws)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"--config", cfgPath}, args...)...)
		return cmd
	}
	planOut, err := run("call", "deploy", "apply_terraform", "workspace="+ws, "variables={\"seconds\":4}", "--json").Output()
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var plan struct {
		PlanID string `json:"plan_id"`
	}
	if err := json.Unmarshal(planOut, &plan); err != nil || plan.PlanID == "" {
		t.Fatalf("plan output %s: %v", planOut, err)
	}
	var aOut, aErr bytes.Buffer
	a := run("call", "deploy", "apply_terraform", "workspace="+ws, "plan_id="+plan.PlanID, "auto_approve=true")
	a.Stdout, a.Stderr = &aOut, &aErr
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the first process holds the lock.
	lockDir := filepath.Join(dir, "locks")
	deadline := time.Now().Add(30 * time.Second)
	for {
		unlock, err := terraform.LockWorkspace(lockDir, ws, "probe")
		if errors.Is(err, terraform.ErrLocked) {
			break
		}
		if err == nil {
			unlock()
		}
		if time.Now().After(deadline) {
			t.Fatal("first apply never took the lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var bErr bytes.Buffer
	b := run("call", "deploy", "apply_terraform", "workspace="+ws, "plan_id="+plan.PlanID, "auto_approve=true")
	b.Stderr = &bErr
	err = b.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("second apply: want exit 1, got %v (stderr %s)", err, bErr.String())
	}
	if !strings.Contains(bErr.String(), "busy") {
		t.Fatalf("second apply error does not name the lock: %s", bErr.String())
	}
	if err := a.Wait(); err != nil {
		t.Fatalf("first apply failed: %v\n%s", err, aErr.String())
	}
	if !strings.Contains(aOut.String(), "Applied plan") {
		t.Fatalf("first apply output: %s", aOut.String())
	}
	if n := stateResources(t, ws); n != 2 {
		t.Fatalf("state holds %d instances, want 2", n)
	}
}

func TestCLIExitCodes(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp")
	ws := testenv.CopyWorkspace(t, "basic")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"call", "nosuch", "tool"}, 2, "unknown server"},
		{[]string{"call", "deploy", "nosuch"}, 2, "has no tool"},
		{[]string{"call", "deploy", "apply_terraform", "--args", "{not json"}, 2, "--args must be a JSON object"},
		{[]string{"call", "deploy", "apply_terraform"}, 2, `missing required argument "workspace"`},
		{[]string{"call", "deploy", "apply_terraform", "workspace=" + ws}, 1, "no workspaces are allowlisted"},
		{[]string{"call", "deploy", "validate_deployment", "type=terraform", "config_path=" + ws}, 0, ""},
		// opsmcp call obeys read_paths like a server: by default the
		// working directory (no config file) and the workspaces.
		{[]string{"call", "deploy", "validate_deployment", "config_path=/etc"}, 1, "/etc is not allowed"},
		{[]string{"tools"}, 0, ""},
		{[]string{"frobnicate"}, 2, "unknown command"},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Dir = filepath.Dir(ws)
		cmd.Env = append(os.Environ(), "OPSMCP_MEMORY="+filepath.Join(t.TempDir(), "m.db"), "OPSMCP_CONFIG=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("opsmcp %v: exit %d stderr %q; want exit %d containing %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}

// TestCLIShowsProgressOnATerminal runs `opsmcp call` under a pseudo-terminal
// (script(1)): each resource terraform reaches is printed on stderr.
func TestCLIShowsProgressOnATerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatal("script(1) from util-linux is needed to give the CLI a terminal")
	}
	bin := filepath.Join(testenv.Binaries(t), "opsmcp")
	ws := testenv.CopyWorkspace(t, "demo")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("memory: %s\nterraform:\n  workspaces: [%s]\n", filepath.Join(dir, "m.db"), ws)), 0o644)
	line := fmt.Sprintf("%s --config %s call deploy apply_terraform workspace=%s", bin, cfg, ws)
	out, err := exec.Command("script", "-qec", line, "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(string(out), "… terraform_data.network: Plan to create") || !strings.Contains(string(out), "4 to add") {
		t.Fatalf("no live progress on the terminal:\n%s", out)
	}
}
