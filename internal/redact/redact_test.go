package redact

import (
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
