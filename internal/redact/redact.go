// Package redact removes secrets from text and JSON before anything leaves the
// process: tool results, logs, memory entries and audit records all pass here.
package redact

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Mask replaces every redacted value.
const Mask = "(sensitive)"

// minSecretLen keeps very short values (e.g. "1", "on") from being masked
// everywhere they happen to occur in unrelated text.
const minSecretLen = 4

// patterns match credentials by shape, for secrets nobody registered; the
// maintained ruleset (ruleset.go) adds a few hundred formats to these.
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
	// Authorization headers of any scheme (Basic, Bearer, Token...).
	{regexp.MustCompile(`(?i)\b(authorization"?\s*[:=]\s*"?(?:basic|bearer|token|digest|negotiate)?\s*)[^\s"',;]{4,}`), "${1}" + Mask},
	{regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{16,}=*`), "${1} " + Mask},
	// Credentials in a URL: scheme://user:PASSWORD@host (not a $VARIABLE).
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://[^:/?#\s@"']+:)[^@/\s"'$]{2}[^@/\s"']*@`), "${1}" + Mask + "@"},
}

// assignment matches NAME=value and "name": "value" where the name holds a
// secret word anywhere (DB_PASSWORD, awsSecretAccessKey, x-api-key).
var assignment = regexp.MustCompile(`(?i)([\w.\-]*(?:passw(?:or)?d|secret|api[_\-]?key|token|private[_\-]?key|credential)[\w.\-]*"?)(\s*[=:]\s*)("[^"]{4,}"|[^\s"',;]{4,})`)

// notSecretName are names with a secret word that hold no secret: paging
// cursors and counts.
var notSecretName = regexp.MustCompile(`(?i)(?:next|page|continue|continuation|pagination|sync)_?token|token_?(?:type|count|s|usage|limit)$|max_?tokens|_tokens$`)

// sensitiveName matches keys (JSON object keys, variable and env names)
// whose string values are always masked: a secret word anywhere in it.
var sensitiveName = regexp.MustCompile(`(?i)passw(?:or)?d|passwd|secret|api[_\-]?key|token|private[_\-]?key|credential|authorization|session[_\-]?key`)

func sensitiveKeyName(k string) bool {
	k = strings.Trim(k, `"`)
	return sensitiveName.MatchString(k) && !notSecretName.MatchString(k)
}

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
// needs; text with none of them (and no keyword of the ruleset) skips the
// regular expressions entirely.
var triggers = []string{"akia", "asia", "gh", "github_pat_", "sk-", "xox", "private key", "bearer", "basic", "authorization",
	"://", "passw", "secret", "api_key", "api-key", "apikey", "token", "private_key", "private-key", "credential"}

func mayHaveCredential(s string) bool {
	lower := strings.ToLower(s)
	for _, t := range triggers {
		if strings.Contains(lower, t) {
			return true
		}
	}
	return false
}

// inLowerCase reports whether found holds for doc in lower case, lowered a
// window at a time so a result of many megabytes is not copied whole; each
// window reaches into the next by what a needle of longest bytes (after
// lowering: up to four bytes of doc each) needs, and starts and ends on a
// rune, so it is bytes.ToLower's answer.
func inLowerCase(doc []byte, longest int, found func(lower []byte) bool) bool {
	const window = 64 << 10
	buf := make([]byte, 0, min(len(doc), window+4*longest))
	for start := 0; start < len(doc); {
		end := min(len(doc), start+window+4*longest)
		for end < len(doc) && !utf8.RuneStart(doc[end]) {
			end++
		}
		if found(appendLower(buf[:0], doc[start:end])) {
			return true
		}
		if end == len(doc) {
			return false
		}
		for start += window; start < len(doc) && !utf8.RuneStart(doc[start]); start++ {
		}
	}
	return false
}

// appendLower is bytes.ToLower appended to dst, without allocating for
// ASCII.
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return append(dst[:0], bytes.ToLower(b)...)
		}
	}
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// longestNeedle is the longest trigger or ruleset keyword, in bytes.
func longestNeedle() int {
	n := rulesetLongestKeyword()
	for _, t := range triggers {
		n = max(n, len(t))
	}
	return n
}

// hasTrigger is mayHaveCredential on a document already in lower case.
func hasTrigger(lower []byte) bool {
	for _, t := range triggers {
		if bytes.Contains(lower, []byte(t)) {
			return true
		}
	}
	return false
}

// Patterns masks only what looks like a credential: our structural rules
// (secret names, URL credentials, Authorization headers) and the
// maintained ruleset.
func Patterns(s string) string {
	if len(s) < 8 {
		return s
	}
	if mayHaveCredential(s) {
		for _, p := range patterns {
			if p.re.MatchString(s) {
				s = p.re.ReplaceAllString(s, p.repl)
			}
		}
		if assignment.MatchString(s) {
			s = assignment.ReplaceAllStringFunc(s, func(m string) string {
				sub := assignment.FindStringSubmatch(m)
				if notSecretName.MatchString(strings.Trim(sub[1], `"`)) || strings.Contains(sub[3], Mask) {
					return m
				}
				return sub[1] + sub[2] + Mask
			})
		}
	}
	return maskRuleset(s)
}

// Value masks secrets in a JSON-like value (maps, slices, strings) and
// returns a new value; the input is not modified.
func (r *Redactor) Value(v any) any {
	return r.value(v, map[string]bool{})
}

// value walks v; sensitive memoises sensitiveKeyName per key, since a
// large result repeats the same few keys (a 10,000-resource estimate has
// hundreds of thousands of "name" and "unit" keys).
func (r *Redactor) value(v any, sensitive map[string]bool) any {
	switch t := v.(type) {
	case string:
		return r.String(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			isSensitive, known := sensitive[k]
			if !known {
				isSensitive = sensitiveKeyName(k)
				sensitive[k] = isSensitive
			}
			if s, ok := val.(string); ok && s != "" && isSensitive {
				out[k] = Mask
				continue
			}
			out[k] = r.value(val, sensitive)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = r.value(val, sensitive)
		}
		return out
	default:
		return v
	}
}

// JSON redacts a JSON document. Invalid JSON is redacted as text.
func (r *Redactor) JSON(doc []byte) []byte {
	if !json.Valid(doc) {
		return []byte(r.String(string(doc)))
	}
	if !r.needed(doc) {
		return doc // clean documents (the common case) are returned as they are
	}
	return r.document(doc)
}

// needed reports whether doc could hold anything to mask: a registered
// secret, or a credential pattern or sensitive key's trigger word.
func (r *Redactor) needed(doc []byte) bool {
	if rulesetAlwaysTried() || inLowerCase(doc, longestNeedle(), func(lower []byte) bool { return hasTrigger(lower) || rulesetMayMatch(lower) }) {
		return true
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.secrets {
		if bytes.Contains(doc, []byte(v)) {
			return true
		}
	}
	return false
}

// JSONAppender is a value that appends its own JSON — exactly what
// json.Marshal writes for it — to b. encoding/json builds a document in one
// buffer it doubles as it grows and then copies out: a result of many
// megabytes costs three to four times its size in fresh memory, which a
// value that can size its buffer once avoids.
type JSONAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// Marshal encodes v as JSON with secrets masked.
func (r *Redactor) Marshal(v any) ([]byte, error) {
	var b []byte
	var err error
	if a, ok := v.(JSONAppender); ok {
		b, err = a.AppendJSON(nil)
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return nil, err
	}
	if !r.needed(b) {
		return b, nil
	}
	return r.document(b), nil
}

// document masks a valid JSON document as Value masks its decoded form —
// every string through String, a sensitive key's string value whole — but
// by scanning its strings where they lie instead of decoding it into a
// tree and encoding it again: a result of many megabytes is copied at most
// once, only the strings that change are re-encoded, and keys keep their
// order.
func (r *Redactor) document(doc []byte) []byte {
	var out []byte // nil until the first change
	copied := 0
	// Large results repeat a few keys and many values (names, units,
	// sources): each distinct one is judged once.
	sensitive := map[string]bool{}  // quoted key → whether its value is masked whole
	replaced := map[string][]byte{} // quoted value → its masked encoding, nil when unchanged
	afterSensitiveKey := false
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case ' ', '\t', '\n', '\r', ':':
			continue
		case '"':
		default:
			afterSensitiveKey = false // a number, literal, object or array
			continue
		}
		end := stringEnd(doc, i)
		next := end + 1
		for next < len(doc) && (doc[next] == ' ' || doc[next] == '\t' || doc[next] == '\n' || doc[next] == '\r') {
			next++
		}
		quoted := doc[i : end+1]
		if next < len(doc) && doc[next] == ':' { // a key
			isSensitive, known := sensitive[string(quoted)]
			if !known {
				isSensitive = sensitiveKeyName(jsonString(quoted))
				if len(sensitive) < maxRemembered {
					sensitive[string(quoted)] = isSensitive
				}
			}
			afterSensitiveKey = isSensitive
			i = end
			continue
		}
		var enc []byte
		if afterSensitiveKey && len(quoted) > 2 {
			if jsonString(quoted) != Mask {
				enc = maskedString
			}
		} else if e, known := replaced[string(quoted)]; known {
			enc = e
		} else {
			s := jsonString(quoted)
			if masked := r.String(s); masked != s {
				enc, _ = json.Marshal(masked)
			}
			if len(replaced) < maxRemembered {
				replaced[string(quoted)] = enc
			}
		}
		afterSensitiveKey = false
		if enc != nil {
			out = append(append(out, doc[copied:i]...), enc...)
			copied = end + 1
		}
		i = end
	}
	if out == nil {
		return doc
	}
	return append(out, doc[copied:]...)
}

// maskedString is Mask as a JSON string.
var maskedString, _ = json.Marshal(Mask)

// maxRemembered bounds how many distinct values document remembers.
const maxRemembered = 1 << 16

// stringEnd is the index of the quote closing the JSON string opening at
// doc[start].
func stringEnd(doc []byte, start int) int {
	for i := start + 1; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(doc) - 1
}

// jsonString decodes a quoted JSON string; most have no escapes and are
// their bytes.
func jsonString(quoted []byte) string {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	json.Unmarshal(quoted, &s)
	return s
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

// SensitiveKey reports whether a key's string value is always masked.
func SensitiveKey(name string) bool { return sensitiveKeyName(name) }

// backquoted is how YAML and JSON decoders quote the value they choke on
// ("cannot unmarshal !!str `hunter2` into int").
var backquoted = regexp.MustCompile("`[^`]*`")

// ParserError is a decoder's error without the values it quotes from the
// input: errors name keys, paths and positions, never what a file holds.
func ParserError(err error) string {
	return backquoted.ReplaceAllString(err.Error(), "a value")
}
