package kube

// What changed between two versions of an object, and the digest a change
// id binds to: paths and hashes only, never values.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// ignoredPaths are fields the server owns; they differ on every write.
var ignoredPaths = []string{"metadata.managedFields", "metadata.resourceVersion", "metadata.generation",
	"metadata.uid", "metadata.creationTimestamp", "status", "metadata.annotations.deployment.kubernetes.io/revision"}

// maxChangedPaths bounds the list per object.
const maxChangedPaths = 25

// ChangedPaths lists the field paths whose values differ between two
// versions of an object: paths only, never values (Secrets).
func ChangedPaths(before, after map[string]any) []string {
	var out []string
	var walk func(path string, a, b any)
	walk = func(path string, a, b any) {
		if slices.Contains(ignoredPaths, path) || len(out) > maxChangedPaths {
			return
		}
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		// A map that appears or goes: name its leaves, not the map.
		if aok && b == nil || bok && a == nil {
			aok, bok = true, true
		}
		if aok && bok {
			union := map[string]any{}
			maps.Copy(union, am)
			maps.Copy(union, bm)
			for _, k := range slices.Sorted(maps.Keys(union)) {
				walk(join(path, k), am[k], bm[k])
			}
			return
		}
		al, alok := a.([]any)
		bl, blok := b.([]any)
		if alok && blok && len(al) == len(bl) {
			for i := range al {
				walk(fmt.Sprintf("%s[%s]", path, itemKey(al[i], i)), al[i], bl[i])
			}
			return
		}
		if !reflect.DeepEqual(a, b) {
			out = append(out, path)
		}
	}
	walk("", before, after)
	if len(out) > maxChangedPaths {
		out = append(out[:maxChangedPaths], "…")
	}
	return out
}

// renderedDigest hashes an object as rendered, without the fields the
// server owns (they differ on every write).
func renderedDigest(obj map[string]any) string {
	h := sha256.New()
	var walk func(path string, v any)
	walk = func(path string, v any) {
		if slices.Contains(ignoredPaths, path) || allocated(path) {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				fmt.Fprintf(h, "%q{", k)
				walk(join(path, k), t[k])
				h.Write([]byte("}"))
			}
		case []any:
			for i, x := range t {
				fmt.Fprintf(h, "[%d]", i)
				walk(fmt.Sprintf("%s[%s]", path, itemKey(x, i)), x)
			}
		default:
			b, _ := json.Marshal(t)
			h.Write(b)
		}
	}
	walk("", obj)
	return hex.EncodeToString(h.Sum(nil))
}

// allocated are fields the server fills in anew on every dry-run create
// (a Service's cluster IPs and node ports).
func allocated(path string) bool {
	switch path {
	case "spec.clusterIP", "spec.clusterIPs", "spec.healthCheckNodePort":
		return true
	}
	return strings.HasPrefix(path, "spec.ports[") && strings.HasSuffix(path, ".nodePort")
}

// ChangeID names what a set of applies would do on a context: the objects
// as the server rendered them in the dry run, and the namespaces. The
// same id again means nothing differs.
func ChangeID(context string, results []ObjectResult) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", context)
	for _, r := range results {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00", r.Kind, r.Namespace, r.Name, r.Action, r.Digest)
	}
	return "c-" + hex.EncodeToString(h.Sum(nil))
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// itemKey names a list item by its name when it has one (containers,
// ports, env), else by index.
func itemKey(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		if n, ok := m["name"].(string); ok {
			return n
		}
	}
	return fmt.Sprint(i)
}
