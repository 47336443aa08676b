package kube

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/opsmcp/opsmcp/internal/redact"
)

// Described is one object without its noise, and what `kubectl describe`
// adds: conditions, the owner chain and recent events.
type Described struct {
	Object     map[string]any `json:"object"`
	Conditions []Condition    `json:"conditions,omitempty"`
	// Owners is the chain of controllers up from the object:
	// "ReplicaSet/web-7d4b9", "Deployment/web".
	Owners []string       `json:"owners,omitempty"`
	Events []EventSummary `json:"events,omitempty"`
	// Secrets are values to mask (a Secret's data), never serialized.
	Secrets []string `json:"-"`
}

// Condition is one status condition.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Since   string `json:"since,omitempty"`
}

// lastApplied is kubectl's client-side apply annotation: a second copy of
// the spec, secrets included.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Describe reads one object as get_resource returns it.
func (c *Cluster) Describe(ctx context.Context, r Resource, ns, name string) (*Described, error) {
	if !r.Namespaced {
		ns = ""
	}
	obj, err := c.Dynamic.Resource(r.GVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, c.Explain(err, "get", r.String()+"/"+name, ns)
	}
	d := &Described{}
	unstructured.RemoveNestedField(obj.Object, "metadata", "managedFields")
	if ann := obj.GetAnnotations(); ann[lastApplied] != "" {
		delete(ann, lastApplied)
		obj.SetAnnotations(ann)
	}
	if r.GVR.Group == "" && r.Kind == "Secret" {
		d.Secrets = hideSecretData(obj.Object)
	}
	maskEnvValues(obj.Object)
	d.Object = obj.Object
	d.Conditions = conditionsOf(obj.Object, time.Now())
	d.Owners = c.owners(ctx, obj)
	if events, err := c.Events(ctx, ns, EventFilter{Kind: r.Kind, Name: name, Limit: 20}); err == nil {
		d.Events = events
	}
	return d, nil
}

// hideSecretData replaces a Secret's values with their sizes and returns
// the values (for the redactor, should they appear elsewhere).
func hideSecretData(obj map[string]any) []string {
	var values []string
	data, _, _ := unstructured.NestedMap(obj, "data")
	sizes := map[string]any{}
	for k, v := range data {
		s, _ := v.(string)
		values = append(values, s)
		dec, err := base64.StdEncoding.DecodeString(s)
		if err == nil {
			values = append(values, string(dec))
		}
		sizes[k] = fmt.Sprintf("(%d bytes)", len(dec))
	}
	if len(sizes) > 0 {
		obj["data"] = sizes
	}
	delete(obj, "stringData")
	return values
}

// maskEnvValues masks literal env values wherever a pod template or pod
// spec holds containers: opsmcp never returns env values.
func maskEnvValues(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if k == "env" {
				if list, ok := child.([]any); ok {
					for _, e := range list {
						if m, ok := e.(map[string]any); ok {
							if _, has := m["value"]; has {
								m["value"] = redact.Mask
							}
						}
					}
				}
				continue
			}
			maskEnvValues(child)
		}
	case []any:
		for _, child := range x {
			maskEnvValues(child)
		}
	}
}

func conditionsOf(obj map[string]any, now time.Time) []Condition {
	list, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	var out []Condition
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		c := Condition{Type: str("type"), Status: str("status"), Reason: str("reason"), Message: str("message")}
		if t, err := time.Parse(time.RFC3339, str("lastTransitionTime")); err == nil {
			c.Since = Age(t, now)
		}
		out = append(out, c)
	}
	return out
}

// owners follows controller owner references up, at most five levels.
func (c *Cluster) owners(ctx context.Context, obj *unstructured.Unstructured) []string {
	var chain []string
	for range 5 {
		ref := metav1.GetControllerOf(obj)
		if ref == nil {
			refs := obj.GetOwnerReferences()
			if len(refs) == 0 {
				break
			}
			ref = &refs[0]
		}
		chain = append(chain, ref.Kind+"/"+ref.Name)
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err != nil {
			break
		}
		m, err := c.mapping(gv.WithKind(ref.Kind))
		if err != nil {
			break
		}
		ns := obj.GetNamespace()
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			ns = ""
		}
		next, err := c.Dynamic.Resource(m.Resource).Namespace(ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			break
		}
		obj = next
	}
	return chain
}
