package cloud

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
)

// LiveLookup prices what the catalog lacks with the AWS Price List API
// (GetProducts), for estimates: each price found, with the rest of its
// product's prices (its reservations), is added to the price cache, so
// the next estimate finds it there.
type LiveLookup struct {
	AWS *AWS
	// Cache is cost.price_cache; "" keeps what is found in memory only.
	Cache string
	Ctx   context.Context
	mu    sync.Mutex
	err   error // the first failure: without credentials every lookup fails alike
}

// maxLookupProducts bounds one lookup: a key's query matches a handful
// of products.
const maxLookupProducts = 100

// LookupPrice implements cost.PriceLookup.
func (l *LiveLookup) LookupPrice(key string) (cost.CatalogPrice, bool, error) {
	service, region, filters, ok := pricelist.AWSQuery(key)
	if !ok || l.AWS == nil {
		return cost.CatalogPrice{}, false, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return cost.CatalogPrice{}, false, l.err
	}
	ctx := l.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	today := time.Now().UTC().Format(time.DateOnly)
	found := map[string]cost.CatalogPrice{}
	err := l.AWS.products(ctx, Query{Region: region}, service, filters, maxLookupProducts, func(_ string, p *pricelist.AWSProduct) error {
		for _, pr := range p.Prices() {
			pr.Date = today
			pr.Source += ", looked up live"
			found[pr.Key] = pr.CatalogPrice
		}
		return nil
	})
	if err != nil {
		l.err = err
		return cost.CatalogPrice{}, false, err
	}
	if l.Cache != "" && len(found) > 0 {
		if err := cost.AddToCache(l.Cache, found, "live prices: opsmcp prices refresh and live lookups"); err != nil {
			return cost.CatalogPrice{}, false, err
		}
	}
	p, ok := found[key]
	return p, ok, nil
}

// HasAWSCredentials reports whether the environment names AWS
// credentials — keys, a profile, web identity, a container's endpoint or
// a shared credentials file — so estimates look prices up live only where
// they can, without probing for an instance role on every estimate.
func HasAWSCredentials() bool {
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		if os.Getenv(v) != "" {
			return true
		}
	}
	file := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return false
		}
		file = filepath.Join(home, ".aws", "credentials")
	}
	_, err := os.Stat(file)
	return err == nil
}
