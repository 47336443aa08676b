package redact

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// needed lowers a large document a window at a time: every needle is found
// wherever it lies — across a window's edge, after runes whose lower case
// is longer or shorter (İ, K) — exactly where bytes.ToLower finds it.
func TestInLowerCaseIsBytesToLower(t *testing.T) {
	if rulesetAlwaysTried() {
		t.Log("the ruleset has a rule without keywords: needed never scans")
	}
	pieces := []string{"a", "B", "{\"k\":", "İ", "\u212a", "é", "Ω", "\xff", " ", "TOKEN", "toke"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var doc []byte
		for len(doc) < 150_000+rng.IntN(100_000) {
			doc = append(doc, pieces[rng.IntN(len(pieces))]...)
		}
		for _, needle := range []string{"token", "kk", "i̇", "bearer", "aé"} {
			want := bytes.Contains(bytes.ToLower(doc), []byte(needle))
			got := inLowerCase(doc, len(needle), func(lower []byte) bool { return bytes.Contains(lower, []byte(needle)) })
			if got != want {
				t.Fatalf("%q in a %d-byte document: got %v, want %v", needle, len(doc), got, want)
			}
		}
	}
	// At each window edge.
	for _, at := range []int{64<<10 - 3, 64 << 10, 64<<10 + 1, 128<<10 - 2} {
		doc := bytes.Repeat([]byte("x"), 200_000)
		copy(doc[at:], "BeArEr")
		if !inLowerCase(doc, 6, func(lower []byte) bool { return bytes.Contains(lower, []byte("bearer")) }) {
			t.Fatalf("bearer at %d not found", at)
		}
		// Three Kelvin signs are nine bytes of doc and "kkk" lowered.
		copy(doc[at:], "\u212a\u212a\u212a")
		if !inLowerCase(doc, 3, func(lower []byte) bool { return bytes.Contains(lower, []byte("kkk")) }) {
			t.Fatalf("KKK (Kelvin signs) at %d not found", at)
		}
	}
}
