package terraform

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrLocked is returned when another process holds a workspace's lock.
var ErrLocked = errors.New("workspace is locked")

// LockWorkspace takes an exclusive, non-blocking lock on a workspace that
// holds across processes (flock on a file in lockDir). The kernel drops the
// lock if the holder dies, so a killed process never leaves it stuck.
func LockWorkspace(lockDir, workspace, purpose string) (unlock func(), err error) {
	return lockWorkspace(lockDir, workspace, purpose, syscall.LOCK_EX)
}

// LockWorkspaceShared takes the workspace's lock for reading: readers
// (drift checks) share it; a plan or apply holding it exclusively keeps
// them out, and they keep a plan or apply out while they read.
func LockWorkspaceShared(lockDir, workspace, purpose string) (unlock func(), err error) {
	return lockWorkspace(lockDir, workspace, purpose, syscall.LOCK_SH)
}

func lockWorkspace(lockDir, workspace, purpose string, how int) (unlock func(), err error) {
	if err := os.MkdirAll(lockDir, 0o700); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(workspace))
	path := filepath.Join(lockDir, hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("%w: %s is busy (%s); try again when it finishes", ErrLocked, workspace, who)
		}
		return nil, err
	}
	if how == syscall.LOCK_SH {
		// Shared holders leave the file alone: it names the exclusive one.
		return func() {
			_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
		}, nil
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%s by pid %d", purpose, os.Getpid())
	return func() {
		_ = f.Truncate(0)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
