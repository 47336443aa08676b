package policy

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
)

// Cache keeps the last compiled set of each list of paths, compiled again
// only when a policy file is added, removed or changed: a server loads
// gate.policies at every call without compiling them every time.
type Cache struct {
	mu   sync.Mutex
	sets map[string]cached
}

type cached struct {
	stamp string
	set   *Set
}

// Load is Load(paths), from the cache while no file changed.
func (c *Cache) Load(paths []string) (*Set, error) {
	key := strings.Join(paths, "\x00")
	stamp, err := stampOf(paths)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.sets[key]; ok && e.stamp == stamp {
		return e.set, nil
	}
	set, err := Load(paths)
	if err != nil {
		return nil, err
	}
	if c.sets == nil {
		c.sets = map[string]cached{}
	}
	c.sets[key] = cached{stamp: stamp, set: set}
	return set, nil
}

// stampOf names every .rego file under paths with its size and time.
func stampOf(paths []string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return b.String(), nil
}
