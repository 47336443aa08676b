package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSONFormatVersion is the JSON report's format_version: a reader can
// tell which shape it holds. A field added keeps the major number; a field
// removed or changed in meaning raises it.
const JSONFormatVersion = "1.0"

// writeJSON writes the report with its format_version first, findings
// streamed.
func writeJSON(w io.Writer, rep *Report) error {
	head := struct {
		FormatVersion string `json:"format_version"`
		Report
	}{JSONFormatVersion, *rep}
	head.Findings = []Finding{}
	return writeJSONStreamed(w, head, "findings", len(rep.Findings), func(i int) any { return rep.Findings[i] })
}

// writeJSONStreamed writes head as json.Encoder does with a two-space
// indent, with the n elements of the array under key (empty in head)
// marshalled one at a time: a report of 30,000 findings is written without
// a 10 MB buffer. key must be unique in head's JSON.
func writeJSONStreamed(w io.Writer, head any, key string, n int, elem func(i int) any) error {
	doc, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	doc = append(doc, '\n')
	marker := []byte(`"` + key + `": []`)
	at := bytes.Index(doc, marker)
	if at < 0 || bytes.Contains(doc[at+1:], marker) {
		return fmt.Errorf("report: %q is not a unique empty array", key)
	}
	if n == 0 {
		_, err := w.Write(doc)
		return err
	}
	indent := string(doc[bytes.LastIndexByte(doc[:at], '\n')+1 : at])
	open := at + len(marker) - 1 // the closing bracket
	if _, err := w.Write(append(doc[:open:open], '\n')); err != nil {
		return err
	}
	for i := range n {
		item, err := json.MarshalIndent(elem(i), indent+"  ", "  ")
		if err != nil {
			return err
		}
		item = append([]byte(indent+"  "), item...)
		if i < n-1 {
			item = append(item, ',')
		}
		if _, err := w.Write(append(item, '\n')); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, indent); err != nil {
		return err
	}
	_, err = w.Write(doc[open:])
	return err
}
