package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	driftOnce   sync.Once
	driftMirror string
	driftErr    error
	driftOut    []byte
)

// DriftProviderVersion is the version tools/tfdrift is mirrored as.
const DriftProviderVersion = "0.1.0"

// DriftProvider builds tools/tfdrift once per test process into a
// filesystem mirror (registry.terraform.io/opsmcp/drifttest) and returns
// a CLI configuration file that installs it from there, for
// TF_CLI_CONFIG_FILE or terraform.provider_mirror (the mirror is its
// directory's "mirror").
func DriftProvider(t testing.TB) (cliConfig, mirror string) {
	t.Helper()
	Terraform(t)
	driftOnce.Do(func() {
		driftMirror = filepath.Join(processDir(t, "tfdrift"), "mirror")
		target := filepath.Join(driftMirror, "registry.terraform.io", "opsmcp", "drifttest", DriftProviderVersion, runtime.GOOS+"_"+runtime.GOARCH)
		if driftErr = os.MkdirAll(target, 0o755); driftErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(target, "terraform-provider-drifttest_v"+DriftProviderVersion), "./tools/tfdrift")
		cmd.Dir = RepoRoot(t)
		driftOut, driftErr = cmd.CombinedOutput()
	})
	if driftErr != nil {
		t.Fatalf("go build ./tools/tfdrift: %v\n%s", driftErr, driftOut)
	}
	cliConfig = filepath.Join(t.TempDir(), "terraform.rc")
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", driftMirror)
	if err := os.WriteFile(cliConfig, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return cliConfig, driftMirror
}
