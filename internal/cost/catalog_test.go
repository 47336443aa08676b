package cost

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded catalog is exactly what `go generate ./internal/cost`
// writes from the tables in gen: nobody edits the compressed file by hand.
func TestCatalogIsGenerated(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "gen"), "./gen").CombinedOutput(); err != nil {
		t.Fatalf("building gen: %v\n%s", err, out)
	}
	cmd := exec.Command(filepath.Join(dir, "gen"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	fresh, _ := os.ReadFile(filepath.Join(dir, "catalog.json.gz"))
	if !bytes.Equal(fresh, embeddedCatalog) {
		t.Fatal("catalog.json.gz is stale: run go generate ./internal/cost")
	}
}

// Every price has a unit, a source and a date; estimated prices say so;
// every required region is there.
func TestCatalogCoverage(t *testing.T) {
	cat := Embedded()
	estimated := 0
	for k := range cat.Prices {
		p, _ := cat.Lookup(k)
		if p.Unit == "" || p.Source == "" || p.Date != cat.Date {
			t.Errorf("%s: %+v", k, p)
		}
		if strings.HasPrefix(p.Source, "estimated: ") {
			estimated++
		}
	}
	if got := strings.Join(cat.Regions("aws"), " "); got != "ap-southeast-1 eu-central-1 eu-west-1 us-east-1 us-east-2 us-west-2" {
		t.Errorf("AWS regions: %s", got)
	}
	if got := strings.Join(cat.Regions("gcp"), " "); got != "asia-southeast1 europe-west1 us-central1 us-east1" {
		t.Errorf("GCP regions: %s", got)
	}
	for _, fam := range []string{"t3", "t3a", "t4g", "m5", "m6i", "m6g", "m7i", "m7g", "c5", "c6i", "c7g", "r5", "r6i", "r7g"} {
		for _, region := range cat.Regions("aws") {
			for _, size := range []string{"large", "xlarge", "2xlarge"} {
				if _, ok := cat.Lookup("aws/ec2/" + region + "/" + fam + "." + size); !ok {
					t.Errorf("no EC2 %s.%s in %s", fam, size, region)
				}
			}
		}
	}
	t.Logf("%d prices, %d of them estimated", len(cat.Prices), estimated)
}
