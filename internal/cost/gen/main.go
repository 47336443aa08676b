// Command gen writes internal/cost/catalog.json.gz, the embedded price
// catalog, from the tables in aws.go and gcp.go (go generate ./internal/cost).
//
// The tables are public list prices (on-demand, Linux, shared tenancy,
// USD) compiled by hand. With -from DIR (or OPSMCP_PRICE_DUMP=DIR), the
// clouds' own price files in DIR — as `opsmcp prices refresh --dump DIR`
// saves them — are read too, and each of their prices replaces the
// table's: a maintainer with credentials regenerates the catalog from
// source. Where a price is not listed in a table for a region it is
// estimated from the same product's price in a reference region times the
// region's ratio for a comparable product, and its source says exactly
// that. `opsmcp prices refresh` replaces any of them with the clouds' own
// current prices, and every estimate says which source and date it used.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strings"
)

// date is when the tables were compiled.
const date = "2026-11-01"

const (
	awsList = "AWS public on-demand list price"
	gcpList = "Google Cloud public list price"
)

type price struct {
	Unit   string `json:"unit"`
	USD    string `json:"usd"`
	Source string `json:"source"`
}

var out = map[string]price{}

func add(key, unit, usd, source string) {
	if _, dup := out[key]; dup {
		panic("duplicate price " + key)
	}
	if _, ok := new(big.Rat).SetString(usd); !ok {
		panic("bad price " + key + " " + usd)
	}
	out[key] = price{Unit: unit, USD: usd, Source: source}
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

// mul is a×b rounded to places decimals, without trailing zeros.
func mul(a, b string, places int) string {
	s := new(big.Rat).Mul(rat(a), rat(b)).FloatString(places)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// scale is a×num/den rounded to places decimals, without trailing zeros.
func scale(a, num, den string, places int) string {
	return mul(a, new(big.Rat).Quo(rat(num), rat(den)).RatString(), places)
}

func ratio(a, b string) string { return new(big.Rat).Quo(rat(a), rat(b)).FloatString(6) }

func main() {
	from := flag.String("from", os.Getenv("OPSMCP_PRICE_DUMP"), "a directory of the clouds' price files (aws/*.json, gcp/*.json)")
	dest := flag.String("o", "catalog.json.gz", "the catalog file to write")
	flag.Parse()
	if err := generate(*from, *dest); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// generate writes the catalog from the tables and, when from is set, the
// price files in it.
func generate(from, dest string) error {
	out = map[string]price{}
	awsCatalog()
	gcpCatalog()
	tables := len(out)
	source := "opsmcp embedded catalog: public list prices compiled by hand; estimated prices say so"
	if from != "" {
		dumped, err := fromDump(from)
		if err != nil {
			return err
		}
		for k, p := range dumped {
			out[k] = p
		}
		source = "opsmcp embedded catalog: the clouds' own price files, else public list prices compiled by hand; estimated prices say so"
		fmt.Printf("%d prices from %s (%d of them new), %d from the tables\n", len(dumped), from, len(out)-tables, len(out)-len(dumped))
	}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Written by hand in key order, one price per line, so the file is
	// the same bytes on every run and diffs read line by line.
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"date\": %q,\n  \"currency\": \"USD\",\n  \"source\": %q,\n  \"prices\": {\n", date, source)
	for i, k := range keys {
		v, _ := json.Marshal(out[k])
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    %q: %s%s\n", k, v, sep)
	}
	b.WriteString("  }\n}\n")
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(b.Bytes())
	zw.Close()
	if err := os.WriteFile(dest, z.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d prices\n", dest, len(keys))
	return nil
}
