package main

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/cost"
)

// The generator reads a dump of the clouds' own price files (small files
// in the real formats: EC2 and RDS offer files, a Savings Plans file, a
// Billing Catalog SKU list): their prices replace the tables' for the same
// keys, add the keys the tables lack (a previous generation, Windows,
// reservations, SQL Server, commitments, a GPU), and the rest of the
// tables stay. The catalog it writes loads as the embedded one does.
func TestGenerateFromDump(t *testing.T) {
	dump := t.TempDir()
	for sub, names := range map[string][]string{
		"aws": {"AmazonEC2-us-east-1.json", "AmazonRDS-us-east-1.json", "AWSComputeSavingsPlan-us-east-2.json"},
		"gcp": {"compute-skus.json"},
	} {
		if err := os.MkdirAll(filepath.Join(dump, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			data, err := os.ReadFile(filepath.Join("..", "pricelist", "testdata", n))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dump, sub, n), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	dest := filepath.Join(t.TempDir(), "catalog.json.gz")
	if err := generate(dump, dest); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "catalog.json")
	out, _ := os.Create(plain)
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	out.Close()
	cat, err := cost.LoadCache(plain)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"aws/ec2/us-east-1/m3.medium":                                        "0.067",
		"aws/ec2/us-east-1/m3.medium/windows":                                "0.13",
		"aws/ec2/us-east-1/m3.medium/reserved/standard/1_year/no_upfront":    "0.045",
		"aws/rds/us-east-1/sqlserver-se/db.m5.large":                         "0.977",
		"aws/ec2/us-east-2/m5.large/savings-plan/compute/3_year/all_upfront": "0.0425",
		"gcp/compute/us-central1/n2-vcpu/commit/3_year":                      "0.014225",
		"gcp/gpu/europe-west1/nvidia-tesla-t4":                               "0.35",
		"aws/ebs/us-east-1/gp3":                                              "0.08",
		"aws/ec2/eu-west-1/m5.large":                                         "0.107", // from the tables
	} {
		p, ok := cat.Lookup(key)
		if !ok || p.USD.Cmp(cost.D(want)) != 0 {
			t.Errorf("%s = %v (%v), want %s", key, p.USD, ok, want)
		}
	}
	if p, _ := cat.Lookup("aws/ebs/us-east-1/gp3"); !strings.HasPrefix(p.Source, "AWS Price List (AmazonEC2 on-demand, effective 2026-10-01)") {
		t.Errorf("a dumped price keeps its table source: %q", p.Source)
	}
	if !strings.Contains(cat.Source, "the clouds' own price files") {
		t.Errorf("catalog source %q", cat.Source)
	}
	if err := generate(t.TempDir(), dest); err == nil || !strings.Contains(err.Error(), "holds no price files") {
		t.Errorf("empty dump: %v", err)
	}
}
