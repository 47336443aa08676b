package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
)

// LiveLookup prices what the catalog lacks, for estimates: an AWS key
// with the Price List API (GetProducts for its product, whose other
// prices — its reservations — come along), a Compute Engine key with the
// Cloud Billing Catalog (Compute Engine's SKUs, read once). What is found
// is added to the price cache, so the next estimate finds it there.
type LiveLookup struct {
	AWS *AWS
	GCP *GCP
	// Cache is cost.price_cache; "" keeps what is found in memory only.
	Cache string
	Ctx   context.Context
	mu    sync.Mutex
	// The first failure per provider: without credentials every lookup
	// fails alike.
	awsErr, gcpErr error
	gcp            map[string]cost.CatalogPrice // Compute Engine's prices, once read
	// AWS prices found so far, and the queries asked: the keys of one
	// product (a family's reservations, many resources of one type) cost
	// one GetProducts query per estimate.
	aws     map[string]cost.CatalogPrice
	queried map[string]bool
}

// maxLookupProducts bounds one lookup: a key's query matches a handful
// of products.
const maxLookupProducts = 100

// Covers implements cost.PriceLookup: the clouds whose price lists the
// lookup reaches.
func (l *LiveLookup) Covers(provider string) bool {
	return (provider == "aws" && l.AWS != nil) || (provider == "gcp" && l.GCP != nil)
}

// LookupPrice implements cost.PriceLookup.
func (l *LiveLookup) LookupPrice(key string) (cost.CatalogPrice, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx := l.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if strings.HasPrefix(key, "gcp/") {
		return l.lookupGCP(ctx, key)
	}
	service, region, filters, ok := pricelist.AWSQuery(key)
	if !ok || l.AWS == nil {
		return cost.CatalogPrice{}, false, nil
	}
	if l.awsErr != nil {
		return cost.CatalogPrice{}, false, l.awsErr
	}
	if p, ok := l.aws[key]; ok {
		return p, true, nil
	}
	query := fmt.Sprint(service, region, filters) // fmt prints a map's keys sorted
	if l.queried[query] {
		return cost.CatalogPrice{}, false, nil
	}
	found := map[string]cost.CatalogPrice{}
	err := l.AWS.products(ctx, Query{Region: region}, service, filters, maxLookupProducts, func(_ string, p *pricelist.AWSProduct) error {
		for _, pr := range p.Prices() {
			found[pr.Key] = live(pr)
		}
		return nil
	})
	if err != nil {
		l.awsErr = err
		return cost.CatalogPrice{}, false, err
	}
	if l.aws == nil {
		l.aws, l.queried = map[string]cost.CatalogPrice{}, map[string]bool{}
	}
	l.queried[query] = true
	maps.Copy(l.aws, found)
	return l.keep(key, found)
}

// lookupGCP reads Compute Engine's SKUs once per estimate.
func (l *LiveLookup) lookupGCP(ctx context.Context, key string) (cost.CatalogPrice, bool, error) {
	if l.GCP == nil || !(strings.HasPrefix(key, "gcp/compute/") || strings.HasPrefix(key, "gcp/gpu/") || strings.HasPrefix(key, "gcp/disk/")) {
		return cost.CatalogPrice{}, false, nil
	}
	if l.gcpErr != nil {
		return cost.CatalogPrice{}, false, l.gcpErr
	}
	if l.gcp == nil {
		docs, err := l.GCP.skus(ctx, computeService, 0)
		if err != nil {
			l.gcpErr = err
			return cost.CatalogPrice{}, false, err
		}
		found := map[string]cost.CatalogPrice{}
		for _, doc := range docs {
			var s pricelist.GCPSku
			if json.Unmarshal(doc, &s) == nil {
				for _, pr := range s.Prices() {
					found[pr.Key] = live(pr)
				}
			}
		}
		l.gcp = found
		if l.Cache != "" && len(found) > 0 {
			if err := cost.AddToCache(l.Cache, found, cacheSource); err != nil {
				return cost.CatalogPrice{}, false, err
			}
		}
	}
	p, ok := l.gcp[key]
	return p, ok, nil
}

const cacheSource = "live prices: opsmcp prices refresh and live lookups"

func live(p pricelist.Price) cost.CatalogPrice {
	p.Date = time.Now().UTC().Format(time.DateOnly)
	p.Source += ", looked up live"
	return p.CatalogPrice
}

// keep adds what a lookup found to the cache and answers for key.
func (l *LiveLookup) keep(key string, found map[string]cost.CatalogPrice) (cost.CatalogPrice, bool, error) {
	if l.Cache != "" && len(found) > 0 {
		if err := cost.AddToCache(l.Cache, found, cacheSource); err != nil {
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

// HasGCPCredentials reports whether the environment names Google
// credentials: a key file, or gcloud's application default credentials.
func HasGCPCredentials() bool {
	if f := os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"); f != "" {
		_, err := os.Stat(f)
		return err == nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "gcloud", "application_default_credentials.json"))
	return err == nil
}
