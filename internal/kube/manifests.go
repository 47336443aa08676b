package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/redact"
)

// Document is one parsed manifest document and where it came from.
type Document struct {
	Source string // "path#2" or "inline[0]#1": file or argument, then document number
	Object *unstructured.Unstructured
}

// manifestExts are the files a manifest directory contributes, like kubectl.
var manifestExts = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// IsInlineManifest tells an inline YAML/JSON document from a path.
func IsInlineManifest(s string) bool {
	t := strings.TrimSpace(s)
	return strings.Contains(t, "\n") || strings.HasPrefix(t, "{") || strings.HasPrefix(t, "apiVersion:") ||
		strings.HasPrefix(t, "kind:") || strings.HasPrefix(t, "---")
}

// ReadManifests parses every document of every manifest (file, directory
// of .yaml/.yml/.json files, not recursive like kubectl -f, or inline
// text). Any error refuses the whole set: nothing is half-read.
func ReadManifests(g *fsguard.Guard, manifests []string) ([]Document, error) {
	if len(manifests) == 0 {
		return nil, errors.New("manifests is empty: give file paths, directories or inline YAML documents")
	}
	var docs []Document
	for i, m := range manifests {
		if IsInlineManifest(m) {
			d, err := parseDocuments(fmt.Sprintf("inline[%d]", i), []byte(m))
			if err != nil {
				return nil, err
			}
			docs = append(docs, d...)
			continue
		}
		files, err := manifestFiles(g, m)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := g.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("manifest: %w", err)
			}
			d, err := parseDocuments(f, data)
			if err != nil {
				return nil, err
			}
			docs = append(docs, d...)
		}
	}
	if len(docs) == 0 {
		return nil, errors.New("the manifests hold no Kubernetes objects")
	}
	return docs, nil
}

func manifestFiles(g *fsguard.Guard, path string) ([]string, error) {
	_, st, err := g.Resolve(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("manifest %s does not exist (give a file, a directory, or inline YAML)", path)
		}
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if !st.IsDir() {
		if !manifestExts[strings.ToLower(filepath.Ext(path))] {
			return nil, fmt.Errorf("manifest %s is not a .yaml, .yml or .json file", path)
		}
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("manifest directory %s: %w", path, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && manifestExts[strings.ToLower(filepath.Ext(e.Name()))] {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("manifest directory %s has no .yaml, .yml or .json files", path)
	}
	return files, nil
}

// parseDocuments splits a YAML stream (or one JSON document) into objects;
// a kind: List contributes its items.
func parseDocuments(source string, data []byte) ([]Document, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []Document
	for n := 1; ; n++ {
		raw, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		where := fmt.Sprintf("%s#%d", source, n)
		if err != nil {
			return nil, fmt.Errorf("manifest %s: %v", where, err)
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			continue
		}
		var m map[string]any
		// Strict: a key given twice is an error, not a silent last-wins.
		if err := yaml.UnmarshalStrict(raw, &m); err != nil {
			return nil, fmt.Errorf("manifest %s is not valid YAML: %s", where, strings.TrimPrefix(redact.ParserError(err), "error converting YAML to JSON: "))
		}
		if m == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("manifest %s: %v", where, err)
			}
			for i := range list.Items {
				item := &list.Items[i]
				if err := checkObject(item); err != nil {
					return nil, fmt.Errorf("manifest %s item %d: %v", where, i, err)
				}
				docs = append(docs, Document{Source: fmt.Sprintf("%s[%d]", where, i), Object: item})
			}
			continue
		}
		if err := checkObject(u); err != nil {
			return nil, fmt.Errorf("manifest %s: %v", where, err)
		}
		docs = append(docs, Document{Source: where, Object: u})
	}
}

func checkObject(u *unstructured.Unstructured) error {
	switch {
	case u.GetAPIVersion() == "":
		return errors.New("apiVersion is missing")
	case u.GetKind() == "":
		return errors.New("kind is missing")
	case u.GetName() == "":
		return fmt.Errorf("%s has no metadata.name (server-side apply needs one)", u.GetKind())
	}
	if _, err := schema.ParseGroupVersion(u.GetAPIVersion()); err != nil {
		return fmt.Errorf("apiVersion %q: %v", u.GetAPIVersion(), err)
	}
	return nil
}

// stripComments drops whole-line YAML comments, so a document of only
// comments counts as empty.
func stripComments(b []byte) []byte {
	var out []byte
	for line := range bytes.Lines(b) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
		}
	}
	return out
}
