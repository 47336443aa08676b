package drift

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// A workspace of objects managed by a real provider (tools/tfdrift, files
// in a directory): applied, it is in sync; then one object is edited and
// another deleted outside Terraform, and the refresh-only plan names
// them — the changed attribute paths, the deletion — without writing the
// state (the same bytes before and after).
func TestTerraformDrift(t *testing.T) {
	ws := t.TempDir()
	objects := testenv.DriftWorkspace(t, ws, `
resource "drifttest_object" "a" {
  name    = "a"
  content = "one"
  labels  = { team = "web", tier = "front" }
}
resource "drifttest_object" "b" {
  name    = "b"
  content = "two"
}
resource "drifttest_object" "c" {
  name    = "c"
  content = "three"
}
`)
	ctx := context.Background()
	bin, err := terraform.Locate(ctx, "")
	if err != nil {
		t.Fatal(err)
	}

	if got := Terraform(ctx, bin, ws, t.TempDir()); got.Status != InSync || len(got.Resources) != 0 {
		t.Fatalf("just applied: %+v", got)
	}

	edited := `{"content": "edited by hand", "labels": {"team": "ops", "tier": "front"}}`
	if err := os.WriteFile(filepath.Join(objects, "a.json"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(objects, "c.json")); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(ws, "terraform.tfstate")
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	got := Terraform(ctx, bin, ws, t.TempDir())
	want := []Resource{
		{Address: "drifttest_object.a", Type: "drifttest_object", Change: Changed, Paths: []string{"content", "labels.team"}},
		{Address: "drifttest_object.c", Type: "drifttest_object", Change: Deleted},
	}
	if got.Status != Drifted || !reflect.DeepEqual(got.Resources, want) {
		t.Errorf("drift:\n got %+v\nwant %+v", got, want)
	}
	after, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the state changed: a refresh-only check must not write it")
	}
	if _, err := os.Stat(filepath.Join(objects, "c.json")); !os.IsNotExist(err) {
		t.Error("the deleted object came back: drift detection must change nothing")
	}

	// A workspace that cannot be planned is an error with the reason.
	os.WriteFile(filepath.Join(ws, "broken.tf"), []byte("resource \"drifttest_object\" {"), 0o644)
	if got := Terraform(ctx, bin, ws, t.TempDir()); got.Status != Error || got.Reason == "" {
		t.Errorf("broken workspace: %+v", got)
	}
}

// ChangedPaths names nested keys and list items, and keys one side lacks.
func TestChangedPaths(t *testing.T) {
	before := map[string]any{"a": "x", "m": map[string]any{"k": "1", "gone": "y"}, "l": []any{map[string]any{"p": 80.0}, "s"}}
	after := map[string]any{"a": "x", "m": map[string]any{"k": "2", "new": "z"}, "l": []any{map[string]any{"p": 81.0}, "s"}}
	want := []string{"l[0].p", "m.gone", "m.k", "m.new"}
	if got := ChangedPaths(before, after); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ChangedPaths([]any{1.0}, []any{1.0, 2.0}); !reflect.DeepEqual(got, []string{"(the whole value)"}) {
		t.Errorf("list length: %v", got)
	}
}
