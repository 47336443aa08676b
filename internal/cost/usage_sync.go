package cost

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SyncUsage adds to a usage file (Infracost's format, version 0.1) every
// usage key the estimated resources take, as `infracost breakdown
// --sync-usage-file` does. The file is edited, not rewritten: what it
// holds stays as it is, comments and order included (values, type
// defaults, wildcard entries, keys opsmcp does not read); each key given
// nowhere is added to its resource's entry as 0, with a comment saying
// what it is (strings as "", which reads as not given). existing may be
// empty (a new file).
func SyncUsage(existing []byte, resources []ResourceCost) ([]byte, error) {
	root, err := usageDocument(existing)
	if err != nil {
		return nil, err
	}
	ru := mappingValue(root, "resource_usage")
	added := map[string]*yaml.Node{}
	var newAddrs []string
	for _, rc := range resources {
		for _, k := range rc.Usage {
			if k.Given {
				continue
			}
			entry := mappingValue(ru, rc.Address)
			if entry == nil && hasKey(ru, rc.Address) { // "addr:" with no keys yet
				entry = &yaml.Node{Kind: yaml.MappingNode}
				for i := 0; i+1 < len(ru.Content); i += 2 {
					if ru.Content[i].Value == rc.Address {
						ru.Content[i+1] = entry
					}
				}
			}
			if entry == nil {
				if entry = added[rc.Address]; entry == nil {
					entry = &yaml.Node{Kind: yaml.MappingNode}
					added[rc.Address] = entry
					newAddrs = append(newAddrs, rc.Address)
				}
			}
			// A dotted key is a path into nested maps, as Infracost writes
			// them (standard: {storage_gb: 0}, node_pool[0]: {nodes: 0}).
			path := strings.Split(k.Key, ".")
			parent := nestedMapping(entry, path[:len(path)-1])
			last := path[len(path)-1]
			if parent == nil || mappingValue(parent, last) != nil || hasKey(parent, last) || hasKey(entry, k.Key) {
				continue
			}
			v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "0", LineComment: k.Description}
			if k.Type == "string" {
				v.Tag, v.Value, v.Style = "!!str", "", yaml.DoubleQuotedStyle
			}
			parent.Content = append(parent.Content, scalar(last), v)
		}
	}
	sort.Strings(newAddrs)
	for _, a := range newAddrs {
		ru.Content = append(ru.Content, scalar(a), added[a])
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// usageDocument is the file's top mapping, with version and
// resource_usage present (a new one when the file is empty).
func usageDocument(existing []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := yaml.Unmarshal(existing, &doc); err != nil {
			return nil, fmt.Errorf("usage file: %w", err)
		}
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode, HeadComment: "Usage-based quantities per resource, in Infracost's usage file format.\n" +
			"opsmcp cost --sync-usage-file adds the keys the resources take; values given are kept."}
	}
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("usage file: the document is not a mapping")
	}
	if mappingValue(root, "resource_usage") == nil && !hasKey(root, "resource_type_default_usage") && len(root.Content) > 0 {
		// The bare address map: becomes resource_usage.
		inner := &yaml.Node{Kind: yaml.MappingNode, Content: root.Content}
		root = &yaml.Node{Kind: yaml.MappingNode, HeadComment: root.HeadComment, Content: []*yaml.Node{scalar("resource_usage"), inner}}
	}
	if !hasKey(root, "version") {
		root.Content = append([]*yaml.Node{scalar("version"), {Kind: yaml.ScalarNode, Value: UsageFileVersion}}, root.Content...)
	}
	if ru := mappingValue(root, "resource_usage"); ru == nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "resource_usage" { // present but empty (null)
				root.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode}
				return root, nil
			}
		}
		root.Content = append(root.Content, scalar("resource_usage"), &yaml.Node{Kind: yaml.MappingNode})
	}
	return root, nil
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// nestedMapping is the mapping at path under m, made where missing; nil
// when a value that is not a mapping is in the way (the user's, kept).
func nestedMapping(m *yaml.Node, path []string) *yaml.Node {
	for _, p := range path {
		next := mappingValue(m, p)
		if next == nil {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if m.Content[i].Value == p {
					if m.Content[i+1].Tag != "!!null" {
						return nil
					}
					next = &yaml.Node{Kind: yaml.MappingNode} // "p:" with nothing yet
					m.Content[i+1] = next
				}
			}
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode}
			m.Content = append(m.Content, scalar(p), next)
		}
		m = next
	}
	return m
}

// mappingValue is the mapping under key in m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.MappingNode {
			return m.Content[i+1]
		}
	}
	return nil
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}
