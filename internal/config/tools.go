package config

import "errors"

// Tools is the tools: section.
type Tools struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// Cache is the cache: section: the response cache of read-only tools.
type Cache struct {
	MaxEntries int                 `json:"max_entries,omitempty"` // per process; default 1024
	TTL        map[string]Duration `json:"ttl,omitempty"`         // per tool; "0s" turns caching off
}

func (c *Cache) finish() error {
	if c.MaxEntries < 0 {
		return errors.New("cache.max_entries must be positive")
	}
	return nil
}
