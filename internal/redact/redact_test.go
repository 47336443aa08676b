package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRulesetLoads(t *testing.T) {
	if n := RulesetSize(); n < 100 {
		t.Fatalf("the maintained ruleset has %d detectors", n)
	}
}

// Secrets as people write them are masked; what only looks alike is not.
func TestPatterns(t *testing.T) {
	for in, secret := range map[string]string{
		"DB_PASSWORD=hunter2hunter2":                          "hunter2hunter2",
		"awsSecretAccessKey: abcd1234efgh":                    "abcd1234efgh",
		"postgres://admin:Sup3rS3cretPw@db.internal:5432/app": "Sup3rS3cretPw",
		"Authorization: Basic dXNlcjpwYXNzd29yZA==":           "dXNlcjpwYXNzd29yZA==",
		"x-api-key=Zm9vYmFyYmF6cXV4":                          "Zm9vYmFyYmF6cXV4",
		"stripe sk_live_51HxQ2aKZ8pLmN3oQ7rS9tUvWx":           "sk_live_51HxQ2aKZ8pLmN3oQ7rS9tUvWx",
		"slack xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQr": "xoxb-1234567890",
	} {
		if out := Patterns(in); strings.Contains(out, secret) {
			t.Errorf("%q -> %q: %q is not masked", in, out, secret)
		}
	}
	for _, in := range []string{
		"replicas 3 image nginx:1.25",
		"next_token: page-2",
		"DB_URL=postgres://app:$DB_PASSWORD@db/app",
		"max_tokens=4096",
	} {
		if out := Patterns(in); out != in {
			t.Errorf("%q was changed to %q", in, out)
		}
	}
}

func TestSensitiveKeys(t *testing.T) {
	var r Redactor
	b, err := r.Marshal(map[string]any{"db_password": "x1234", "awsSecretAccessKey": "zzzzzzzz", "next_token": "abcd1234", "max_tokens": "100"})
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, s := range []string{"x1234", "zzzzzzzz"} {
		if strings.Contains(got, s) {
			t.Errorf("%s: %q is not masked", got, s)
		}
	}
	for _, s := range []string{"abcd1234", `"100"`} {
		if !strings.Contains(got, s) {
			t.Errorf("%s: %q was masked", got, s)
		}
	}
}

// A document is masked where it lies exactly as its decoded value is:
// strings in any position (escaped ones too), a sensitive key's string
// value whole but not its object or array values' own keys, keys kept.
func TestDocumentMatchesValue(t *testing.T) {
	r := &Redactor{}
	r.Add("hunter2-registered")
	docs := []string{
		`{"password":"p@ss","nested":{"token":{"kind":"x","v":"ghp_` + strings.Repeat("a", 36) + `"}},"list":["hunter2-registered",1,true,null]}`,
		`{ "api_key" : "k-123456" , "next_token" : "keepme12", "s":"line\n\"quoted\" hunter2-registered \u00e9" }`,
		`["Authorization: Bearer abcdefghijklmnopqrstuvwx", {"secret": ""}, {"secret": 5}, {"secret": ["inner"]}]`,
		`{"k":"no secrets here","n":1.5e3,"o":{},"a":[]}`,
		// Repeated keys and values are judged once and masked everywhere.
		`[{"v":"hunter2-registered","token":"x1"},{"v":"hunter2-registered","token":"x1"},{"token":{"token":"x1"}},"x1","x1"]`,
	}
	for _, d := range docs {
		var v any
		if err := json.Unmarshal([]byte(d), &v); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(r.Value(v))
		var got any
		if err := json.Unmarshal(r.JSON([]byte(d)), &got); err != nil {
			t.Fatalf("%s: %v", r.JSON([]byte(d)), err)
		}
		gotJSON, _ := json.Marshal(got)
		if string(gotJSON) != string(want) {
			t.Errorf("%s\n got %s\nwant %s", d, gotJSON, want)
		}
	}
	if got := string(r.JSON([]byte(`{"b":"hunter2-registered","a":1}`))); got != `{"b":"(sensitive)","a":1}` {
		t.Errorf("keys reordered or spacing changed: %s", got)
	}
}

// FuzzDocument: masking a document where it lies gives valid JSON with
// the same value Value gives for it decoded.
func FuzzDocument(f *testing.F) {
	f.Add(`{"password":"p","a":["x",{"token":"yyyyy"}]}`)
	f.Add(`"ghp_` + strings.Repeat("b", 36) + `"`)
	f.Add(`{"a\"b":"c\\d","secret":{"x":"AKIAABCDEFGHIJKLMNOP"}}`)
	r := &Redactor{}
	r.Add("registered-secret")
	f.Fuzz(func(t *testing.T, d string) {
		var v any
		if json.Unmarshal([]byte(d), &v) != nil {
			return
		}
		out := r.JSON([]byte(d))
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q → invalid %q", d, out)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(r.Value(v))
		if string(a) != string(b) {
			t.Fatalf("%q:\n got %s\nwant %s", d, a, b)
		}
	})
}

// selfEncoded appends its JSON itself, as a large result does.
type selfEncoded struct{ doc string }

func (s selfEncoded) AppendJSON(b []byte) ([]byte, error) { return append(b, s.doc...), nil }

// A value that encodes itself is used as it encodes itself, and masked
// like any other.
func TestMarshalMasksWhatAValueEncodesItself(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t-value-42")
	b, err := r.Marshal(selfEncoded{`{"db_password":"x1234","note":"token s3cr3t-value-42 here","kept":"plain"}`})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); strings.Contains(got, "x1234") || strings.Contains(got, "s3cr3t-value-42") || !strings.Contains(got, `"kept":"plain"`) {
		t.Fatalf("masked: %s", got)
	}
}
