package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiextensionsvalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/validate/kubeschema"
)

func init() {
	registerType("kubernetes", SeverityError,
		&Rule{ID: "invalid-crd", Summary: "A CustomResourceDefinition the apiserver refuses (a schema that is not structural, a CEL rule that does not compile, names that do not match)."},
		&Rule{ID: "crd-schema", Summary: "A custom resource breaks its CRD's openAPIV3Schema (bounds, patterns, lengths, list types, embedded objects)."},
		&Rule{ID: "crd-rule", Summary: "A custom resource breaks one of its CRD's x-kubernetes-validations CEL rules."},
	)
}

// crdVersion is what checks the custom resources of one served version,
// made the way kube-apiserver makes it from the CRD.
type crdVersion struct {
	crd        string // the CRD's name
	namespaced bool
	structural *structuralschema.Structural
	validator  apiextensionsvalidation.SchemaValidator
	cel        *cel.Validator
	scale      *apiextensions.CustomResourceSubresourceScale
}

// crdSchemas are the CRDs a run knows: in the validated set, in
// --crds/validate.crds, or read from the cluster.
type crdSchemas struct {
	mu       sync.Mutex
	versions map[schema.GroupVersionKind]*crdVersion
	kinds    map[schema.GroupKind][]string // served versions, for "not served"
}

func newCRDSchemas() *crdSchemas {
	return &crdSchemas{versions: map[schema.GroupVersionKind]*crdVersion{}, kinds: map[schema.GroupKind][]string{}}
}

func (c *crdSchemas) For(gvk schema.GroupVersionKind) *crdVersion {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.versions[gvk]
}

func (c *crdSchemas) served(gk schema.GroupKind) []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kinds[gk]
}

// decodeCRD reads a CRD object as the apiserver does on create: v1
// defaults, the stored version set, converted to the internal type.
func decodeCRD(obj map[string]any) (*apiextensions.CustomResourceDefinition, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal(raw, &v1); err != nil {
		return nil, err
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&v1)
	var crd apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &crd, nil); err != nil {
		return nil, err
	}
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			crd.Status.StoredVersions = []string{v.Name}
		}
	}
	return &crd, nil
}

// add learns a CRD's served versions; a CRD the apiserver would refuse
// is not learned (its own check reports why).
func (c *crdSchemas) add(obj map[string]any) error {
	crd, err := decodeCRD(obj)
	if err != nil {
		return err
	}
	if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), crd); len(errs) > 0 {
		return errs.ToAggregate()
	}
	gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
	learned := map[schema.GroupVersionKind]*crdVersion{}
	var served []string
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		props := crd.Spec.Validation
		if v.Schema != nil {
			props = v.Schema
		}
		if props == nil || props.OpenAPIV3Schema == nil {
			continue
		}
		s, err := structuralschema.NewStructural(props.OpenAPIV3Schema)
		if err != nil {
			return err
		}
		validator, _, err := apiextensionsvalidation.NewSchemaValidator(props.OpenAPIV3Schema)
		if err != nil {
			return err
		}
		cv := &crdVersion{crd: crd.Name, namespaced: crd.Spec.Scope == apiextensions.NamespaceScoped, structural: s, validator: validator,
			cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}
		if sub := v.Subresources; sub != nil && sub.Scale != nil {
			cv.scale = sub.Scale
		} else if sub := crd.Spec.Subresources; sub != nil && sub.Scale != nil {
			cv.scale = sub.Scale
		}
		learned[gk.WithVersion(v.Name)] = cv
		served = append(served, v.Name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for gvk, v := range learned {
		c.versions[gvk] = v
	}
	c.kinds[gk] = served
	return nil
}

// crdKind is the CustomResourceDefinition kind.
var crdKind = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// loadCRDs learns the CRDs of the given files and directories and of the
// cluster (those of the validated set are learned as the run reads them).
// Files are read through g; a CRD there that cannot be used is a finding
// on its file.
func loadCRDs(ctx context.Context, g *fsguard.Guard, extra []string, cluster ClusterCRDs, add func(Finding)) *crdSchemas {
	c := newCRDSchemas()
	learn := func(file string, data []byte) {
		if !bytes.Contains(data, []byte("CustomResourceDefinition")) {
			return
		}
		parseKube(file, data, func(Finding) {}, func(d *kubeDoc) {
			if d.gvk.GroupKind() != crdKind {
				return
			}
			if err := c.add(d.obj); err != nil {
				line, col := d.at(nil)
				add(Finding{Rule: "invalid-crd", Severity: SeverityError, File: file, Line: line, Column: col, Resource: d.resource(),
					Message: "not used to check custom resources: " + err.Error()})
			}
		})
	}
	for _, root := range extra {
		err := g.WalkFiles(root, func(dir string) bool { return skipDirs[filepath.Base(dir)] }, func(p string) error {
			if ext := strings.ToLower(p); strings.HasSuffix(ext, ".yaml") || strings.HasSuffix(ext, ".yml") || strings.HasSuffix(ext, ".json") {
				if data, err := g.ReadFile(p); err == nil {
					learn(p, data)
				}
			}
			return nil
		})
		if err != nil {
			add(Finding{Rule: "invalid-crd", Severity: SeverityError, File: root, Message: "CRDs: " + err.Error()})
		}
	}
	if cluster != nil {
		objs, err := cluster(ctx)
		if err != nil {
			add(Finding{Rule: "cluster-dry-run", Severity: SeverityError, Message: "reading the cluster's CRDs: " + err.Error()})
		}
		for _, o := range objs {
			c.add(o)
		}
	}
	return c
}

// crdCheck validates a custom resource as kube-apiserver does on create:
// defaults applied, unknown fields found by pruning, the schema, object
// metadata, embedded resources, list types, then the CEL rules (skipped
// when a blocking error came first, as the apiserver skips them).
func (k *kubeChecker) crdCheck(d *kubeDoc, v *crdVersion) {
	obj := runtime.DeepCopyJSON(d.obj)
	structuraldefaulting.Default(obj, v.structural)
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	for _, p := range structuralpruning.PruneWithOptions(obj, v.structural, true, opts) {
		k.finding(d, kubeschema.UnknownField, fieldSegments(p), fmt.Sprintf("unknown field %q (the CRD %s has no such field)", p, v.crd), "")
	}
	u := &unstructured.Unstructured{Object: obj}
	var errs field.ErrorList
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessor(u, v.namespaced, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	errs = append(errs, apiextensionsvalidation.ValidateCustomResource(nil, obj, v.validator)...)
	errs = append(errs, schemaobjectmeta.Validate(nil, obj, v.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, obj)...)
	schemaErrs := len(errs)
	blocking := false
	for _, e := range errs {
		blocking = blocking || e.Type == field.ErrorTypeRequired || e.Type == field.ErrorTypeTypeInvalid || e.Type == field.ErrorTypeNotSupported
	}
	if !blocking {
		celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, obj, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	for i, e := range errs {
		rule := "crd-schema"
		switch {
		case i >= schemaErrs:
			rule = "crd-rule"
		case strings.HasPrefix(e.Field, "metadata"):
			rule = "invalid-name"
			if strings.HasPrefix(e.Field, "metadata.labels") {
				rule = "invalid-label"
			} else if strings.HasPrefix(e.Field, "metadata.annotations") {
				rule = "invalid-annotation"
			}
		case e.Type == field.ErrorTypeRequired:
			rule = kubeschema.Required
		case e.Type == field.ErrorTypeTypeInvalid:
			rule = kubeschema.WrongType
		case e.Type == field.ErrorTypeNotSupported:
			rule = kubeschema.NotInEnum
		}
		k.finding(d, rule, fieldSegments(e.Field), e.Error(), "")
	}
}

// fieldSegments turns an apiserver field path ("spec.ports[0].name",
// "metadata.labels[app.kubernetes.io/name]") into document segments.
func fieldSegments(path string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '.':
			flush()
		case '[':
			flush()
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return out
			}
			inner := path[i+1 : i+end]
			if inner != "" && strings.Trim(inner, "0123456789") == "" {
				out = append(out, "["+inner+"]")
			} else {
				out = append(out, inner)
			}
			i += end
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}
