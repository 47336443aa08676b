package cost

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
)

// resourcesHole is where an estimate with no resources slice holds it.
const resourcesHole = `"resources":null`

// AppendJSON appends to b what json.Marshal writes for v — an Estimate, or
// a value embedding one, whose Resources are nil — with resources put in
// their place. Each resource is encoded on its own and the whole written
// into a buffer sized once: a 10,000-resource estimate is 11 MB of JSON,
// which json.Marshal would build in a buffer doubled a dozen times and
// then copy, the peak of a whole `opsmcp cost` run (redact.JSONAppender).
func AppendJSON(b []byte, v any, resources []ResourceCost) ([]byte, error) {
	head, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if resources == nil {
		return append(b, head...), nil
	}
	// Only numbers and strings come before the resources field, and a
	// string cannot hold an unescaped quote: the first match is the field.
	at := bytes.Index(head, []byte(resourcesHole))
	if at < 0 {
		return nil, errors.New("cost.AppendJSON: the value has no resources field set to null")
	}
	parts := make([][]byte, len(resources))
	size := len(head) - len("null") + len("[]") + max(len(resources)-1, 0)
	for i := range resources {
		if parts[i], err = json.Marshal(&resources[i]); err != nil {
			return nil, err
		}
		size += len(parts[i])
	}
	b = slices.Grow(b, size)
	b = append(b, head[:at+len(resourcesHole)-len("null")]...)
	b = append(b, '[')
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	b = append(b, ']')
	return append(b, head[at+len(resourcesHole):]...), nil
}
