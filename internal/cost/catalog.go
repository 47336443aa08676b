// Package cost estimates what infrastructure costs from an embedded, dated
// price catalog (optionally overlaid by live prices fetched with `opsmcp
// prices refresh`), and says for every dollar which price, quantity and
// assumption it came from — and which resources it could not price.
package cost

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
)

//go:embed catalog.json.gz
var embeddedCatalog []byte

// CatalogPrice is one price: per unit, in USD, with where it came from.
type CatalogPrice struct {
	Unit   string `json:"unit"`
	USD    Dec    `json:"usd"`
	Source string `json:"source"`
	// Date the price was recorded; empty means the catalog's date.
	Date string `json:"date,omitempty"`
}

// Catalog is a set of prices by key ("aws/ec2/us-east-1/m5.large").
type Catalog struct {
	Date     string                  `json:"date"`
	Currency string                  `json:"currency"`
	Source   string                  `json:"source"`
	Prices   map[string]CatalogPrice `json:"prices"`
	// under is consulted for keys this catalog does not have.
	under *Catalog
	// regions are the regions of Prices by provider, indexed when the
	// catalog is parsed (every estimate asks); nil for a catalog built in
	// code, whose prices Regions reads each time.
	regions map[string]map[string]bool
}

var (
	embeddedOnce sync.Once
	embedded     *Catalog
)

// Embedded is the catalog compiled into the binary.
func Embedded() *Catalog {
	embeddedOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(embeddedCatalog))
		if err != nil {
			panic(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			panic(err)
		}
		c, err := parseCatalog(data, "embedded catalog")
		if err != nil {
			panic(err)
		}
		embedded = c
	})
	return embedded
}

func parseCatalog(data []byte, name string) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.Currency != "USD" {
		return nil, fmt.Errorf("%s: currency %q; only USD catalogs are supported", name, c.Currency)
	}
	if c.Date == "" || len(c.Prices) == 0 {
		return nil, fmt.Errorf("%s: no date or no prices", name)
	}
	for k, p := range c.Prices {
		if p.Unit == "" || p.Source == "" || p.USD.Sign() < 0 {
			return nil, fmt.Errorf("%s: price %s needs a unit, a source and a non-negative usd", name, k)
		}
	}
	c.regions = regionsOf(c.Prices)
	return &c, nil
}

// LoadCache reads a price cache written by WriteCache; a missing file is
// (nil, nil): the embedded catalog alone is used.
func LoadCache(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseCatalog(data, path)
}

// WriteCache writes c to path atomically (a temp file renamed), so a
// killed refresh never leaves half a cache.
func WriteCache(path string, c *Catalog) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}

// Over returns a catalog whose prices win over base's (a live cache over
// the embedded catalog).
func (c *Catalog) Over(base *Catalog) *Catalog {
	if c == nil {
		return base
	}
	top := *c
	top.under = base
	return &top
}

// Lookup finds a price, with the date it applies from.
func (c *Catalog) Lookup(key string) (CatalogPrice, bool) {
	for cat := c; cat != nil; cat = cat.under {
		if p, ok := cat.Prices[key]; ok {
			if p.Date == "" {
				p.Date = cat.Date
			}
			return p, true
		}
	}
	return CatalogPrice{}, false
}

// Regions lists the regions a provider ("aws", "gcp") has prices for.
func (c *Catalog) Regions(provider string) []string {
	seen := map[string]bool{}
	for cat := c; cat != nil; cat = cat.under {
		own := cat.regions
		if own == nil {
			own = regionsOf(cat.Prices)
		}
		for r := range own[provider] {
			seen[r] = true
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// regionsOf is the regions of prices keyed provider/service/region/...,
// by provider.
func regionsOf(prices map[string]CatalogPrice) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for k := range prices {
		provider, rest, _ := strings.Cut(k, "/")
		_, rest, ok := strings.Cut(rest, "/")
		region, _, _ := strings.Cut(rest, "/")
		if !ok || region == "global" {
			continue
		}
		if out[provider] == nil {
			out[provider] = map[string]bool{}
		}
		out[provider][region] = true
	}
	return out
}

// AddToCache adds prices to the cache at path (created when missing),
// keeping the others, written atomically.
func AddToCache(path string, prices map[string]CatalogPrice, source string) error {
	c, err := LoadCache(path)
	if err != nil {
		return err
	}
	if c == nil {
		c = &Catalog{Currency: "USD", Source: source, Prices: map[string]CatalogPrice{}}
	}
	for k, p := range c.Prices { // dated before the cache's date moves
		if p.Date == "" {
			p.Date = c.Date
			c.Prices[k] = p
		}
	}
	c.regions = nil // indexed before these prices were added
	for k, p := range prices {
		if p.Date == "" {
			p.Date = c.Date
		}
		c.Prices[k] = p
		if p.Date > c.Date {
			c.Date = p.Date
		}
	}
	return WriteCache(path, c)
}
