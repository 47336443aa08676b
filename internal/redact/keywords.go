package redact

// keywordMatcher finds which of a fixed set of keywords occur in a text, in
// one pass (Aho-Corasick). Its transition table has a column only per byte
// the keywords use, plus one for every other byte: for the ruleset's few
// hundred keywords that is ~300 KB, where a table of 256 columns of int64
// (the library this replaces) held 11 MB in every process that masks.
type keywordMatcher struct {
	words []string
	class [256]uint8 // byte → column; 0 for a byte no keyword holds
	width int
	next  []int32   // state*width + column → state, failure links folded in
	ends  [][]int32 // state → the keywords (indexes) that end there
}

func newKeywordMatcher(words []string) *keywordMatcher {
	m := &keywordMatcher{words: words, width: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if m.class[w[i]] == 0 {
				m.class[w[i]] = uint8(m.width)
				m.width++
			}
		}
	}
	// The trie: -1 where it has no edge yet.
	m.next = make([]int32, m.width)
	for i := range m.next {
		m.next[i] = -1
	}
	m.ends = [][]int32{nil}
	for k, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := int32(m.class[w[i]])
			if m.next[s*int32(m.width)+c] < 0 {
				m.next[s*int32(m.width)+c] = int32(len(m.ends))
				m.ends = append(m.ends, nil)
				m.next = append(m.next, make([]int32, m.width)...)
				for j := len(m.next) - m.width; j < len(m.next); j++ {
					m.next[j] = -1
				}
			}
			s = m.next[s*int32(m.width)+c]
		}
		m.ends[s] = append(m.ends[s], int32(k))
	}
	// Breadth first, each state's missing edges become its failure state's,
	// and it inherits the keywords that end at its failure state.
	fail := make([]int32, len(m.ends))
	var queue []int32
	for c := 0; c < m.width; c++ {
		if t := m.next[c]; t > 0 {
			queue = append(queue, t)
		} else {
			m.next[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.ends[s] = append(m.ends[s], m.ends[fail[s]]...)
		row, frow := s*int32(m.width), fail[s]*int32(m.width)
		for c := int32(0); c < int32(m.width); c++ {
			if t := m.next[row+c]; t >= 0 {
				fail[t] = m.next[frow+c]
				queue = append(queue, t)
			} else {
				m.next[row+c] = m.next[frow+c]
			}
		}
	}
	return m
}

// any reports whether a keyword occurs in text.
func (m *keywordMatcher) any(text []byte) bool {
	s := int32(0)
	for _, b := range text {
		s = m.next[s*int32(m.width)+int32(m.class[b])]
		if m.ends[s] != nil {
			return true
		}
	}
	return false
}

// each calls f for every keyword occurrence in text with the keyword's
// index and the offset just past it, in the order they end.
func (m *keywordMatcher) each(text string, f func(keyword, end int)) {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		s = m.next[s*int32(m.width)+int32(m.class[text[i]])]
		for _, k := range m.ends[s] {
			f(int(k), i+1)
		}
	}
}
