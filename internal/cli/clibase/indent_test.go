package clibase

import (
	"bytes"
	"encoding/json"
	"testing"
)

// WriteIndented writes what json.Indent writes, for any valid JSON (but
// for whitespace after the value, which json.Indent copies and it drops).
func FuzzWriteIndented(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[],"b":{},"c":[1,{"d":"x,y:{[\"\\"}]}`, ` { "a" : [ 1 , 2 ] } `,
		`"str"`, `null`, `[[[]],[{}]]`, `{"k\"{":"\u00e9\\","n":-1.5e3,"t":true}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			return
		}
		src = bytes.TrimRight(src, " \t\r\n")
		var want bytes.Buffer
		json.Indent(&want, src, "", "  ")
		want.WriteByte('\n')
		var got bytes.Buffer
		if err := WriteIndented(&got, src); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%q:\ngot  %q\nwant %q", src, got.Bytes(), want.Bytes())
		}
	})
}
