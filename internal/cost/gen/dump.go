package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cost/pricelist"
)

// fromDump reads the clouds' own price files in dir — AWS bulk offer
// files and Savings Plans rate files under aws/, Billing Catalog SKU
// lists under gcp/, as `opsmcp prices refresh --dump` saves them or as
// downloaded from the clouds' bulk price APIs — and returns their
// catalog prices. Each replaces the hand-compiled price of its key.
func fromDump(dir string) (map[string]price, error) {
	files := map[string]func(io.Reader) ([]pricelist.Price, error){}
	for sub, read := range map[string]func(io.Reader) ([]pricelist.Price, error){"aws": pricelist.ReadAWSOffer, "gcp": pricelist.ReadGCPSkus} {
		names, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			files[n] = read
			if strings.HasPrefix(filepath.Base(n), "AWSComputeSavingsPlan") {
				files[n] = pricelist.ReadSavingsPlans
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no price files (aws/*.json, gcp/*.json)", dir)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	out := map[string]price{}
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return nil, err
		}
		prices, err := files[n](f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		for _, p := range prices {
			out[p.Key] = price{Unit: p.Unit, USD: p.USD.String(), Source: p.Source}
		}
	}
	return out, nil
}
