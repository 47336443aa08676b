package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
)

// awsRefreshQueries are the GetProducts queries that cover every price
// the catalog keys (see pricelist): instance rates of every operating
// system and tenancy with their reservations, Dedicated Hosts with theirs,
// EBS, RDS engines and storage, ElastiCache, OpenSearch and Redshift nodes.
var awsRefreshQueries = []struct {
	service string
	filters map[string]string
}{
	{"AmazonEC2", map[string]string{"productFamily": "Compute Instance", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}},
	{"AmazonEC2", map[string]string{"productFamily": "Compute Instance", "tenancy": "Dedicated", "preInstalledSw": "NA", "capacitystatus": "Used"}},
	{"AmazonEC2", map[string]string{"productFamily": "Dedicated Host"}},
	{"AmazonEC2", map[string]string{"productFamily": "Storage"}},
	{"AmazonEC2", map[string]string{"productFamily": "System Operation", "group": "EBS IOPS"}},
	{"AmazonEC2", map[string]string{"productFamily": "Storage Snapshot"}},
	{"AmazonRDS", map[string]string{"productFamily": "Database Instance"}},
	{"AmazonRDS", map[string]string{"productFamily": "Database Storage"}},
	{"AmazonRDS", map[string]string{"productFamily": "Provisioned IOPS"}},
	{"AmazonElastiCache", map[string]string{"productFamily": "Cache Instance"}},
	{"AmazonES", map[string]string{"productFamily": "Amazon OpenSearch Service Instance"}},
	{"AmazonES", map[string]string{"productFamily": "Amazon OpenSearch Service Volume"}},
	{"AmazonRedshift", map[string]string{"productFamily": "Compute Instance"}},
}

// RefreshOptions says what `opsmcp prices refresh` fetches: a nil
// provider is skipped and its prices in Old are kept.
type RefreshOptions struct {
	AWS        *AWS
	AWSRegions []string
	GCP        *GCP
	GCPRegions []string
	Old        *cost.Catalog
	// Dump, when set, is a directory the price documents are saved in
	// as fetched (aws/<service>-<region>.json offer files, gcp/<service>.json
	// SKU lists): the generator of the embedded catalog reads them.
	Dump string
}

// Refresh fetches the live prices estimates use into a price cache, and
// counts them per provider.
func Refresh(ctx context.Context, o RefreshOptions) (*cost.Catalog, map[string]int, error) {
	var all []pricelist.Price
	if o.AWS != nil {
		for _, r := range o.AWSRegions {
			files := map[string]*pricelist.OfferFile{}
			for _, q := range awsRefreshQueries {
				f := files[q.service]
				if f == nil {
					f = pricelist.NewOfferFile(q.service)
					files[q.service] = f
				}
				err := o.AWS.products(ctx, Query{Region: r}, q.service, q.filters, 0, func(doc string, p *pricelist.AWSProduct) error {
					all = append(all, p.Prices()...)
					if o.Dump != "" {
						return f.Add([]byte(doc))
					}
					return nil
				})
				if err != nil {
					return nil, nil, fmt.Errorf("AWS prices in %s: %w", r, err)
				}
			}
			if o.Dump != "" {
				for service, f := range files {
					if err := writeDump(filepath.Join(o.Dump, "aws", service+"-"+r+".json"), f.WriteTo); err != nil {
						return nil, nil, err
					}
				}
			}
		}
	}
	if o.GCP != nil {
		skus, err := o.GCP.skus(ctx, computeService, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("GCP prices: %w", err)
		}
		var docs []json.RawMessage
		for _, doc := range skus {
			var s pricelist.GCPSku
			if err := json.Unmarshal(doc, &s); err != nil {
				return nil, nil, fmt.Errorf("GCP prices: %v", err)
			}
			for _, p := range s.Prices() {
				if slices.Contains(o.GCPRegions, strings.Split(p.Key, "/")[2]) {
					all = append(all, p)
				}
			}
			docs = append(docs, doc)
		}
		if o.Dump != "" {
			err := writeDump(filepath.Join(o.Dump, "gcp", strings.TrimPrefix(computeService, "services/")+".json"), func(w io.Writer) (int64, error) {
				return 0, pricelist.WriteSkuList(w, docs)
			})
			if err != nil {
				return nil, nil, err
			}
		}
	}
	today := time.Now().UTC().Format(time.DateOnly)
	cat := &cost.Catalog{Date: today, Currency: "USD", Source: "live prices: opsmcp prices refresh", Prices: map[string]cost.CatalogPrice{}}
	counts := map[string]int{}
	for _, p := range all {
		p.Date = today
		if _, dup := cat.Prices[p.Key]; !dup {
			counts[strings.SplitN(p.Key, "/", 2)[0]]++
		}
		cat.Prices[p.Key] = p.CatalogPrice
	}
	if o.Old != nil {
		for k, p := range o.Old.Prices {
			provider := strings.SplitN(k, "/", 2)[0]
			if _, fresh := cat.Prices[k]; !fresh && ((provider == "aws" && o.AWS == nil) || (provider == "gcp" && o.GCP == nil)) {
				if p.Date == "" {
					p.Date = o.Old.Date
				}
				cat.Prices[k] = p
			}
		}
	}
	return cat, counts, nil
}

// writeDump writes one dump file whole or not at all.
func writeDump(path string, write func(io.Writer) (int64, error)) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := write(w)
		return err
	})
}

// skuJSON is a SKU in the Billing Catalog API's JSON form.
var skuJSON = protojson.MarshalOptions{UseProtoNames: false}
