package terraform

import (
	"errors"
	"strings"
	"testing"
)

// Readers share a workspace's lock; a writer excludes them and they
// exclude a writer.
func TestSharedWorkspaceLock(t *testing.T) {
	dir := t.TempDir()
	r1, err := LockWorkspaceShared(dir, "/ws", "drift")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := LockWorkspaceShared(dir, "/ws", "drift")
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	if _, err := LockWorkspace(dir, "/ws", "apply"); !errors.Is(err, ErrLocked) {
		t.Fatalf("a writer while read: %v", err)
	}
	r1()
	r2()
	w, err := LockWorkspace(dir, "/ws", "apply")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockWorkspaceShared(dir, "/ws", "drift"); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "apply by pid") {
		t.Fatalf("a reader while written: %v", err)
	}
	w()
}
