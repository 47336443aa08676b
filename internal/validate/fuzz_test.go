package validate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/validate/kubeschema"
)

// FuzzKubernetes feeds arbitrary bytes through the Kubernetes parser,
// schema validation, the apiserver checks and the rules: nothing may
// panic, and every finding must name a registered rule. Seeds: the corpus.
func FuzzKubernetes(f *testing.F) {
	for _, dir := range []string{"corpus", "rules/*"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "validate", "kubernetes", dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	cat, err := kubeschema.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var findings []Finding
		add := func(x Finding) { findings = append(findings, x) }
		k := &kubeChecker{opts: Options{Strict: true}, catalog: cat, add: add}
		var cross []crossInfo
		parseKube("fuzz.yaml", data, add, func(d *kubeDoc) {
			cross = append(cross, k.check(context.Background(), d))
		})
		k.crossChecks(cross)
		for _, x := range findings {
			if registry[x.Rule] == nil {
				t.Fatalf("finding of unregistered rule %q", x.Rule)
			}
		}
	})
}

// FuzzDockerfile feeds arbitrary bytes through BuildKit's parser and the
// Dockerfile rules. Seeds: the rule examples.
func FuzzDockerfile(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "validate", "docker", "rules", "*", "*"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		validateDockerfile("Dockerfile", data, func(x Finding) {
			if registry[x.Rule] == nil || x.Line < 1 {
				t.Fatalf("bad finding %+v", x)
			}
		})
	})
}
