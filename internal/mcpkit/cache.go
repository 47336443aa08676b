package mcpkit

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// Cache is the response cache for read-only, idempotent tools: a bounded
// LRU per process. A mutating call invalidates the cached reads of its scope
// (and reads that span every scope).
type Cache struct {
	mu       sync.Mutex
	max      int
	order    *list.List // front = most recently used
	items    map[string]*list.Element
	requests atomic.Int64
	hits     atomic.Int64
}

type cacheItem struct {
	key, scope string
	out        Outcome
	expires    time.Time
}

// DefaultCacheEntries bounds the cache when cache.max_entries is not set.
const DefaultCacheEntries = 1024

// NewCache makes a cache holding at most max results.
func NewCache(max int) *Cache {
	if max <= 0 {
		max = DefaultCacheEntries
	}
	return &Cache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// CacheStats are the counters the metrics endpoint exports as
// mcp_cache_requests_total and mcp_cache_hits_total.
type CacheStats struct {
	Requests, Hits int64
	Entries        int
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	n := c.order.Len()
	c.mu.Unlock()
	return CacheStats{Requests: c.requests.Load(), Hits: c.hits.Load(), Entries: n}
}

// cacheKeyOf is sha256 over server, tool, principal, the decoded input and
// scope: arguments that differ only in key order, spacing or spelled-out
// defaults share an entry.
func cacheKeyOf(server, tool, principal string, in any, scope string) string {
	canon, _ := json.Marshal(in)
	h := sha256.New()
	for _, part := range [][]byte{[]byte(server), []byte(tool), []byte(principal), canon, []byte(scope)} {
		h.Write(part)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) get(key string) (*Outcome, bool) {
	if c == nil {
		return nil, false
	}
	c.requests.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	it := el.Value.(*cacheItem)
	if time.Now().After(it.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return nil, false
	}
	c.order.MoveToFront(el)
	c.hits.Add(1)
	out := it.out
	return &out, true
}

func (c *Cache) put(key, scope string, out *Outcome, ttl time.Duration) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	it := &cacheItem{key: key, scope: scope, out: *out, expires: time.Now().Add(ttl)}
	if el, ok := c.items[key]; ok {
		el.Value = it
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(it)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheItem).key)
	}
}

// invalidate drops cached reads of scope, and of the all-scopes scope "";
// a mutation of scope "" drops everything.
func (c *Cache) invalidate(scope string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		it := el.Value.(*cacheItem)
		if scope == "" || it.scope == "" || it.scope == scope {
			c.order.Remove(el)
			delete(c.items, it.key)
		}
		el = next
	}
}

// cacheTTL is the tool's TTL after cache.ttl overrides; 0 when the tool may
// not be cached or the process has no cache.
func cacheTTL(rt *Runtime, t *Tool) time.Duration {
	if rt.Cache == nil || !t.cacheable() {
		return 0
	}
	if d, ok := rt.Config.Cache.TTL[t.Name]; ok {
		return time.Duration(d)
	}
	return t.CacheTTL
}
