package mcpkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// PolicyDigest identifies a configuration: the SHA-256 of its JSON form.
// Audit records of reloads name the policy before and after by it.
func PolicyDigest(cfg *config.Config) string {
	b, _ := json.Marshal(cfg)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// reloader reloads opsmcp.yaml into a serving process: a valid file
// becomes the runtime of the next call (sessions stay: hosts swap their
// runtime, an HTTP service its handler); an invalid one is refused, the
// error logged and the old policy kept. Every attempt is audited with the
// policy's digest before and after. What needs a new process (where
// memory is, the listening address, TLS) is refused as a change.
type reloader struct {
	mu       sync.Mutex
	server   string // who audits: the server's name, or "opsmcp" for several
	override func(*config.Config) error
	apply    func(*Runtime) error
	current  *Runtime
	loaded   [sha256.Size]byte // the file's bytes last read, so an event that changed nothing is no reload
}

func newReloader(server string, rt *Runtime, override func(*config.Config) error, apply func(*Runtime) error) *reloader {
	r := &reloader{server: server, override: override, apply: apply, current: rt}
	r.loaded, _ = fileSum(rt.Config.Path)
	return r
}

func fileSum(path string) ([sha256.Size]byte, error) {
	b, err := os.ReadFile(path)
	return sha256.Sum256(b), err
}

// errNoConfigFile: a process on built-in defaults has nothing to reload.
var errNoConfigFile = errors.New("no opsmcp.yaml was loaded (built-in defaults): nothing to reload")

// Reload reads the config file again; trigger says why (SIGHUP, file).
func (r *reloader) Reload(trigger string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	old := r.current
	path := old.Config.Path
	if path == "" {
		old.Log.Warn("config reload: "+errNoConfigFile.Error(), "trigger", trigger)
		return errNoConfigFile
	}
	r.loaded, _ = fileSum(path)
	oldDigest := PolicyDigest(old.Config)
	cfg, err := config.Load(path)
	if err == nil {
		err = r.override(cfg)
	}
	if err == nil && cfg.Memory != old.Config.Memory {
		err = fmt.Errorf("memory moved from %s to %s: a new memory store needs a restart", old.Config.Memory, cfg.Memory)
	}
	var next Runtime
	if err == nil {
		next = *old
		next.Config = cfg
		err = r.apply(&next)
	}
	if err != nil {
		old.Log.Error("config reload refused: the old policy stays", "path", path, "trigger", trigger, "error", err.Error(), "policy", oldDigest)
		r.audit(old, path, trigger, oldDigest, "", "refused: "+err.Error(), time.Since(start))
		return err
	}
	r.current = &next
	if next.Cache != nil {
		next.Cache.invalidate("") // answers cached under the old policy
	}
	newDigest := PolicyDigest(cfg)
	took := time.Since(start)
	next.Log.Info("config reloaded", "path", path, "trigger", trigger, "old_policy", oldDigest, "new_policy", newDigest,
		"mode", string(cfg.Mode), "duration_ms", float64(took.Microseconds())/1000)
	logGate(&next)
	r.audit(&next, path, trigger, oldDigest, newDigest, "ok", took)
	return nil
}

func (r *reloader) audit(rt *Runtime, path, trigger, oldDigest, newDigest, outcome string, took time.Duration) {
	if rt.Memory == nil {
		return
	}
	args, _ := json.Marshal(map[string]string{"path": path, "trigger": trigger, "old_policy": oldDigest, "new_policy": newDigest})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := &memory.AuditRecord{Principal: rt.Principal, Server: r.server, Tool: "config/reload", Args: args, Outcome: outcome, DurationMS: took.Milliseconds()}
	if err := rt.Memory.AppendAudit(ctx, rec); err != nil {
		rt.Log.Error("audit record not written", "error", err.Error())
	}
}

// watch reloads on SIGHUP, and when files is set on a change of the
// config file (an editor's write or rename, a ConfigMap's symlink swap:
// the directory is watched and the file's bytes compared), until ctx ends.
func (r *reloader) watch(ctx context.Context, files bool) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var events <-chan fsnotify.Event
	if path := r.current.Config.Path; files && path != "" {
		w, err := fsnotify.NewWatcher()
		if err == nil {
			defer w.Close()
			err = w.Add(filepath.Dir(path))
		}
		if err != nil {
			r.current.Log.Warn("config file not watched: reload with SIGHUP", "path", path, "error", err.Error())
		} else {
			events = w.Events
		}
	}
	// Editors write a file in several steps: reload once they are done.
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.Reload("SIGHUP")
		case ev := <-events:
			// Only the file itself, or a Kubernetes volume's swap of its
			// ..data link; other files beside it (memory.db) come and go.
			if name := filepath.Base(ev.Name); name == filepath.Base(r.current.Config.Path) || strings.HasPrefix(name, "..") {
				settle.Reset(200 * time.Millisecond)
			}
		case <-settle.C:
			r.mu.Lock()
			sum, err := fileSum(r.current.Config.Path)
			changed := err == nil && sum != r.loaded
			r.mu.Unlock()
			if changed {
				r.Reload("file")
			}
		}
	}
}
