// Command gen reads the OpenAPI v3 schemas of a running kubesim apiserver
// (the real ones, /openapi/v3) and writes them, trimmed to what validation
// uses, as the compressed file the kubeschema package embeds. Run it with
// go generate ./internal/validate/kubeschema.
package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"k8s.io/client-go/rest"

	"github.com/opsmcp/opsmcp/internal/kubesim"
)

// kept are the schema keywords validation reads; the rest (descriptions,
// defaults, examples) is dropped.
var kept = map[string]bool{
	"type": true, "format": true, "properties": true, "required": true, "items": true,
	"additionalProperties": true, "enum": true, "$ref": true, "allOf": true, "nullable": true,
	"x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true,
	"x-kubernetes-embedded-resource": true, "x-kubernetes-group-version-kind": true,
	"x-kubernetes-list-type": true, "x-kubernetes-list-map-keys": true,
	"maxLength": true, "minLength": true, "maximum": true, "minimum": true, "pattern": true,
	"maxItems": true, "minItems": true, "oneOf": true,
}

func trim(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range t {
			if !kept[k] {
				continue
			}
			switch k {
			case "properties":
				props := map[string]any{}
				for name, p := range val.(map[string]any) {
					props[name] = trim(p)
				}
				out[k] = props
			case "$ref":
				out[k] = strings.TrimPrefix(val.(string), "#/components/schemas/")
			case "items", "additionalProperties":
				if b, ok := val.(bool); ok {
					out[k] = b
				} else {
					out[k] = trim(val)
				}
			case "allOf", "oneOf":
				var all []any
				for _, s := range val.([]any) {
					all = append(all, trim(s))
				}
				out[k] = all
			default:
				out[k] = val
			}
		}
		return out
	}
	return v
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUTPUT.json.gz")
		os.Exit(2)
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
	ctx := context.Background()
	k, err := kubesim.Start(ctx, root, kubesim.Options{Nodes: 1})
	if err != nil {
		fail(err)
	}
	defer k.Stop()
	tr, err := rest.TransportFor(k.RestConfig())
	if err != nil {
		fail(err)
	}
	hc := &http.Client{Transport: tr}
	get := func(path string, into any) {
		resp, err := hc.Get(k.Server + path)
		if err != nil {
			fail(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			fail(fmt.Errorf("GET %s: %s %s", path, resp.Status, b))
		}
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			fail(err)
		}
	}
	var index struct {
		Paths map[string]struct {
			URL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	get("/openapi/v3", &index)
	schemas := map[string]any{}
	var names []string
	for p := range index.Paths {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		if p != "api/v1" && !strings.HasPrefix(p, "apis/") {
			continue
		}
		var doc struct {
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		get(index.Paths[p].URL, &doc)
		for name, s := range doc.Components.Schemas {
			schemas[name] = trim(s)
		}
	}
	version, err := k.ServerVersion()
	if err != nil {
		fail(err)
	}
	out := map[string]any{"kubernetes_version": version, "schemas": schemas}
	f, err := os.CreateTemp(filepath.Dir(os.Args[1]), ".schemas-*")
	if err != nil {
		fail(err)
	}
	f.Chmod(0o644)
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
	if err := zw.Close(); err != nil {
		fail(err)
	}
	f.Close()
	if err := os.Rename(f.Name(), os.Args[1]); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "kubeschema: %d schemas of Kubernetes %s into %s\n", len(schemas), version, os.Args[1])
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kubeschema gen:", err)
	os.Exit(1)
}
