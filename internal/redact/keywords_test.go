package redact

import (
	"slices"
	"strings"
	"testing"
)

// hit is a keyword found ending at a byte offset.
type hit struct{ end, k int }

func sortHits(hs []hit) []hit {
	slices.SortFunc(hs, func(a, b hit) int {
		if a.end != b.end {
			return a.end - b.end
		}
		return a.k - b.k
	})
	return hs
}

// occurrences is what keywordMatcher.each must report: every keyword at
// every place it occurs, by plain search.
func occurrences(words []string, text string) []hit {
	var hs []hit
	for k, w := range words {
		for i := 0; i+len(w) <= len(text); i++ {
			if text[i:i+len(w)] == w {
				hs = append(hs, hit{i + len(w), k})
			}
		}
	}
	return sortHits(hs)
}

func matched(m *keywordMatcher, text string) []hit {
	var hs []hit
	m.each(text, func(k, end int) { hs = append(hs, hit{end, k}) })
	return sortHits(hs)
}

func TestKeywordMatcherFindsEveryOccurrence(t *testing.T) {
	words := []string{"he", "she", "his", "hers", "ghp_", "xox", "xoxb-", "akia", "a", "aa"}
	m := newKeywordMatcher(words)
	for _, text := range []string{
		"", "ushers", "hishers", "token ghp_abc and xoxb-1 xoxp", "AKIA", "akiaakia", "aaaa", "h", "sheshe",
		"\xff\x00she\u212a", "no keyword here at all...",
	} {
		want := occurrences(words, text)
		got := matched(m, text)
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", text, got, want)
		}
		if m.any([]byte(text)) != (len(want) > 0) {
			t.Errorf("%q: any = %v, want %v", text, !(len(want) > 0), len(want) > 0)
		}
	}
}

func TestKeywordMatcherOnTheRuleset(t *testing.T) {
	rs := loadRuleset()
	if rs == nil {
		t.Fatal("ruleset did not load")
	}
	words := rs.keywords.words
	text := strings.ToLower("export GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345 aws AKIAIOSFODNN7EXAMPLE slack xoxb-123 and some prose")
	want := occurrences(words, text)
	if got := matched(rs.keywords, text); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(want) == 0 {
		t.Fatal("the text holds ruleset keywords (ghp_, akia, xoxb): none found")
	}
}

func FuzzKeywordMatcher(f *testing.F) {
	f.Add("he,she,his,hers", "ushers")
	f.Add("ab,b,abc,bca", "abcabcab")
	f.Add("a,aa,aaa", "aaaaa")
	f.Fuzz(func(t *testing.T, list, text string) {
		var words []string
		for _, w := range strings.Split(list, ",") {
			if w != "" && len(words) < 20 {
				words = append(words, w)
			}
		}
		if len(words) == 0 || len(text) > 512 {
			return
		}
		m := newKeywordMatcher(words)
		want := occurrences(words, text)
		if got := matched(m, text); !slices.Equal(got, want) {
			t.Fatalf("words %q text %q: got %v, want %v", words, text, got, want)
		}
		if m.any([]byte(text)) != (len(want) > 0) {
			t.Fatalf("words %q text %q: any disagrees with %v", words, text, want)
		}
	})
}
