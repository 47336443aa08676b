// Package kubeschema holds the OpenAPI v3 schemas of a real Kubernetes
// apiserver (generated from kubesim, embedded compressed) and validates
// YAML documents against them with line numbers.
package kubeschema

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

//go:embed v1.36.json.gz
var embedded []byte

// Schema is one OpenAPI v3 schema with references resolved.
type Schema struct {
	Type       string
	Format     string
	Properties map[string]*Schema
	Required   []string
	Items      *Schema
	// Additional is the schema of map values (additionalProperties).
	Additional  *Schema
	Enum        []string
	IntOrString bool
	Quantity    bool
	// PreserveUnknown: any field is accepted below this point.
	PreserveUnknown bool
	ListType        string
	ListMapKeys     []string
}

// Catalog is the schemas of one Kubernetes version, by kind.
type Catalog struct {
	Version string
	byGVK   map[schema.GroupVersionKind]*Schema
}

// For returns the schema of a kind, or nil when the version has none (a CRD).
func (c *Catalog) For(gvk schema.GroupVersionKind) *Schema { return c.byGVK[gvk] }

// Known reports whether the group/kind exists in any version (to tell a
// removed apiVersion from an unknown kind).
func (c *Catalog) Known(gk schema.GroupKind) []string {
	var versions []string
	for gvk := range c.byGVK {
		if gvk.GroupKind() == gk {
			versions = append(versions, gvk.Version)
		}
	}
	return versions
}

var (
	loadOnce sync.Once
	catalog  *Catalog
	loadErr  error
)

// Load decodes the embedded schemas once per process.
func Load() (*Catalog, error) {
	loadOnce.Do(func() { catalog, loadErr = decode(embedded) })
	return catalog, loadErr
}

type rawSchema struct {
	Type                 string                `json:"type"`
	Format               string                `json:"format"`
	Properties           map[string]*rawSchema `json:"properties"`
	Required             []string              `json:"required"`
	Items                *rawSchema            `json:"items"`
	AdditionalProperties json.RawMessage       `json:"additionalProperties"`
	Enum                 []any                 `json:"enum"`
	Ref                  string                `json:"$ref"`
	AllOf                []*rawSchema          `json:"allOf"`
	OneOf                []*rawSchema          `json:"oneOf"`
	IntOrString          bool                  `json:"x-kubernetes-int-or-string"`
	Preserve             bool                  `json:"x-kubernetes-preserve-unknown-fields"`
	ListType             string                `json:"x-kubernetes-list-type"`
	ListMapKeys          []string              `json:"x-kubernetes-list-map-keys"`
	GVK                  []struct {
		Group   string `json:"group"`
		Version string `json:"version"`
		Kind    string `json:"kind"`
	} `json:"x-kubernetes-group-version-kind"`
}

func decode(gz []byte) (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Version string                `json:"kubernetes_version"`
		Schemas map[string]*rawSchema `json:"schemas"`
	}
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		return nil, fmt.Errorf("kubeschema: embedded schemas: %w", err)
	}
	r := &resolver{raw: doc.Schemas, done: map[string]*Schema{}}
	c := &Catalog{Version: doc.Version, byGVK: map[schema.GroupVersionKind]*Schema{}}
	for name, s := range doc.Schemas {
		for _, g := range s.GVK {
			c.byGVK[schema.GroupVersionKind{Group: g.Group, Version: g.Version, Kind: g.Kind}] = r.named(name)
		}
	}
	return c, nil
}

type resolver struct {
	raw  map[string]*rawSchema
	done map[string]*Schema
}

// named resolves a component once; recursive types (JSONSchemaProps)
// share the pointer.
func (r *resolver) named(name string) *Schema {
	if s, ok := r.done[name]; ok {
		return s
	}
	s := &Schema{}
	r.done[name] = s
	switch name {
	case "io.k8s.apimachinery.pkg.api.resource.Quantity":
		s.Quantity = true
		return s
	case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
		s.IntOrString = true
		return s
	case "io.k8s.apimachinery.pkg.runtime.RawExtension", "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1":
		s.PreserveUnknown = true
		return s
	}
	if raw, ok := r.raw[name]; ok {
		r.fill(s, raw)
	} else {
		s.PreserveUnknown = true
	}
	return s
}

// resolve returns the schema of raw: the shared named schema for a
// reference, else a new one.
func (r *resolver) resolve(raw *rawSchema) *Schema {
	if raw.Ref != "" {
		return r.named(raw.Ref)
	}
	if len(raw.AllOf) == 1 && raw.AllOf[0].Ref != "" && raw.Type == "" && raw.Properties == nil {
		return r.named(raw.AllOf[0].Ref)
	}
	s := &Schema{}
	r.fill(s, raw)
	return s
}

func (r *resolver) fill(s *Schema, raw *rawSchema) {
	s.Type, s.Format, s.Required = raw.Type, raw.Format, raw.Required
	s.IntOrString = raw.IntOrString || raw.Format == "int-or-string"
	s.PreserveUnknown = raw.Preserve
	s.ListType, s.ListMapKeys = raw.ListType, raw.ListMapKeys
	for _, e := range raw.Enum {
		s.Enum = append(s.Enum, fmt.Sprint(e))
	}
	if raw.Properties != nil {
		s.Properties = make(map[string]*Schema, len(raw.Properties))
		for name, p := range raw.Properties {
			s.Properties[name] = r.resolve(p)
		}
	}
	if raw.Items != nil {
		s.Items = r.resolve(raw.Items)
	}
	if len(raw.AdditionalProperties) > 0 {
		var b bool
		if json.Unmarshal(raw.AdditionalProperties, &b) == nil {
			if b {
				s.Additional = &Schema{PreserveUnknown: true}
			}
		} else {
			var ap rawSchema
			if json.Unmarshal(raw.AdditionalProperties, &ap) == nil {
				s.Additional = r.resolve(&ap)
			}
		}
	}
	if s.Type == "" && s.Properties == nil && s.Items == nil && s.Additional == nil && !s.IntOrString {
		s.PreserveUnknown = true
	}
}
