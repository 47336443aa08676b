// Package redact removes secrets from text and JSON before anything leaves the
// process: tool results, logs, memory entries and audit records all pass here.
package redact

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every redacted value.
const Mask = "(sensitive)"

// minSecretLen keeps very short values (e.g. "1", "on") from being masked
// everywhere they happen to occur in unrelated text.
const minSecretLen = 4

// patterns match credentials by shape, for secrets nobody registered.
var patterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`), Mask},       // AWS access key id
	{regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`), Mask},      // GitHub tokens
	{regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}\b`), Mask},    // GitHub fine-grained PAT
	{regexp.MustCompile(`\bsk-(?:ant-)?[A-Za-z0-9_\-]{20,}\b`), Mask}, // OpenAI / Anthropic keys
	{regexp.MustCompile(`\bxox[baprs]-[A-Za-z0-9\-]{10,}\b`), Mask},   // Slack tokens
	{regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`), Mask},
	{regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*`), "${1} " + Mask},
	{regexp.MustCompile(`(?i)\b(aws_secret_access_key|password|passwd|secret|api_key|apikey|token)(\s*[=:]\s*)("[^"]{4,}"|[^\s"',;]{4,})`), "${1}${2}" + Mask},
}

// sensitiveKey names JSON object keys whose values are always masked.
var sensitiveKey = regexp.MustCompile(`(?i)^(password|passwd|secret|client_secret|secret_access_key|aws_secret_access_key|api_key|apikey|access_token|refresh_token|auth_token|token|private_key|credentials?)$`)

// Redactor masks known secret values (registered at run time, such as
// Terraform sensitive outputs) and anything shaped like a credential.
// The zero value is ready to use; it is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is masked whole
}

// Add registers secret values to mask from now on.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < minSecretLen || v == Mask {
			continue
		}
		dup := false
		for _, s := range r.secrets {
			if s == v {
				dup = true
				break
			}
		}
		if !dup {
			r.secrets = append(r.secrets, v)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// String masks secrets in s.
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, v := range r.secrets {
			if strings.Contains(s, v) {
				s = strings.ReplaceAll(s, v, Mask)
			}
		}
		r.mu.RUnlock()
	}
	return Patterns(s)
}

// triggers are substrings (lower case) at least one of which every pattern
// needs; text with none of them skips the regular expressions entirely.
var triggers = []string{"akia", "asia", "gh", "github_pat_", "sk-", "xox", "private key", "bearer",
	"password", "passwd", "secret", "api_key", "apikey", "token", "private_key", "credential"}

func mayHaveCredential(s string) bool {
	lower := strings.ToLower(s)
	for _, t := range triggers {
		if strings.Contains(lower, t) {
			return true
		}
	}
	return false
}

// Patterns masks only what looks like a credential.
func Patterns(s string) string {
	if len(s) < 8 || !mayHaveCredential(s) {
		return s
	}
	for _, p := range patterns {
		if p.re.MatchString(s) {
			s = p.re.ReplaceAllString(s, p.repl)
		}
	}
	return s
}

// Value masks secrets in a JSON-like value (maps, slices, strings) and
// returns a new value; the input is not modified.
func (r *Redactor) Value(v any) any {
	switch t := v.(type) {
	case string:
		return r.String(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if s, ok := val.(string); ok && sensitiveKey.MatchString(k) && s != "" {
				out[k] = Mask
				continue
			}
			out[k] = r.Value(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = r.Value(val)
		}
		return out
	default:
		return v
	}
}

// JSON redacts a JSON document. Invalid JSON is redacted as text.
func (r *Redactor) JSON(doc []byte) []byte {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return []byte(r.String(string(doc)))
	}
	out, err := json.Marshal(r.Value(v))
	if err != nil {
		return []byte(r.String(string(doc)))
	}
	return out
}

// needed reports whether s could hold anything to mask: a registered
// secret, or a credential pattern or sensitive key's trigger word.
func (r *Redactor) needed(s string) bool {
	if mayHaveCredential(s) {
		return true
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// Marshal encodes v as JSON with secrets masked. Clean output (the common
// case) is encoded once and not walked.
func (r *Redactor) Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if !r.needed(string(b)) {
		return b, nil
	}
	return r.JSON(b), nil
}

// Any converts a Go value to its JSON form and redacts it, returning the
// generic JSON value (map[string]any, []any, ...).
func (r *Redactor) Any(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, err
	}
	return r.Value(g), nil
}

// LooksSecret reports whether a value has the shape of a credential
// (a token, key or password pattern).
func LooksSecret(s string) bool { return Patterns(s) != s }

// secretNamed matches names (env vars, keys) that usually hold secrets.
var secretNamed = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key|credential)`)

// SecretNamed reports whether a name (an env var, a key) usually holds a secret.
func SecretNamed(name string) bool { return secretNamed.MatchString(name) }
