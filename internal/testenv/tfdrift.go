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

// DriftConfig is the terraform and provider blocks of a configuration
// whose tools/tfdrift objects are files in objects.
func DriftConfig(objects string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    drifttest = { source = "opsmcp/drifttest", version = "%s" }
  }
}
provider "drifttest" {
  root = %q
}
`, DriftProviderVersion, objects)
}

// ApplyWorkspace runs terraform init and apply -auto-approve in ws, as a
// person would have before opsmcp looked at it.
func ApplyWorkspace(t testing.TB, ws string) {
	t.Helper()
	for _, args := range [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-auto-approve", "-input=false", "-no-color"}} {
		cmd := exec.Command(Terraform(t), args...)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
	}
}

// DriftWorkspace writes a workspace in dir of tools/tfdrift objects
// (resources is their HCL), points terraform at the provider's mirror
// for the rest of the test (TF_CLI_CONFIG_FILE), and applies it. It
// returns the directory the objects are files in.
func DriftWorkspace(t testing.TB, dir, resources string) (objects string) {
	t.Helper()
	cli, _ := DriftProvider(t)
	t.Setenv("TF_CLI_CONFIG_FILE", cli)
	objects = t.TempDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(DriftConfig(objects)+resources), 0o644); err != nil {
		t.Fatal(err)
	}
	ApplyWorkspace(t, dir)
	return objects
}
