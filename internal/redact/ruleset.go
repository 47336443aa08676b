package redact

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/viper"
	gitleaks "github.com/zricethezav/gitleaks/v8/config"
)

// The maintained ruleset: gitleaks' default detectors (a few hundred
// credential formats: cloud keys, tokens of SaaS APIs, private keys...),
// run on the text itself. Each rule is tried only when one of its keywords
// occurs, found in one pass over the text.

type leakRule struct {
	re      *regexp.Regexp
	group   int
	entropy float64
}

type ruleset struct {
	rules     []leakRule
	always    []int // rules without keywords: tried on every text
	keywords  *keywordMatcher
	byKeyword [][]int // keyword index → rules
	longest   int     // the longest keyword, in bytes
}

var (
	rulesOnce sync.Once
	rules     *ruleset
)

// loadRuleset compiles gitleaks' default configuration once. A ruleset
// that cannot be loaded leaves our own patterns in force (and is a test
// failure: TestRulesetLoads).
func loadRuleset() *ruleset {
	rulesOnce.Do(func() {
		v := viper.New()
		v.SetConfigType("toml")
		if err := v.ReadConfig(strings.NewReader(gitleaks.DefaultConfig)); err != nil {
			return
		}
		var vc gitleaks.ViperConfig
		if err := v.Unmarshal(&vc); err != nil {
			return
		}
		cfg, err := vc.Translate()
		if err != nil {
			return
		}
		rs := &ruleset{}
		index := map[string]int{} // keyword → its index
		ids := make([]string, 0, len(cfg.Rules))
		for id := range cfg.Rules {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var keywords []string
		for _, id := range ids {
			r := cfg.Rules[id]
			if r.Regex == nil {
				continue // a rule about file paths only
			}
			i := len(rs.rules)
			rs.rules = append(rs.rules, leakRule{re: r.Regex, group: r.SecretGroup, entropy: r.Entropy})
			if len(r.Keywords) == 0 {
				rs.always = append(rs.always, i)
			}
			for _, k := range r.Keywords {
				k = strings.ToLower(k)
				j, ok := index[k]
				if !ok {
					j = len(keywords)
					index[k] = j
					keywords = append(keywords, k)
					rs.byKeyword = append(rs.byKeyword, nil)
					rs.longest = max(rs.longest, len(k))
				}
				rs.byKeyword[j] = append(rs.byKeyword[j], i)
			}
		}
		rs.keywords = newKeywordMatcher(keywords)
		rules = rs
	})
	return rules
}

// RulesetSize is how many detectors of the maintained ruleset are in force.
func RulesetSize() int {
	if rs := loadRuleset(); rs != nil {
		return len(rs.rules)
	}
	return 0
}

// rulesetAlwaysTried reports whether a rule of the ruleset has no keyword,
// so every text may match it.
func rulesetAlwaysTried() bool {
	rs := loadRuleset()
	return rs != nil && len(rs.always) > 0
}

func rulesetLongestKeyword() int {
	if rs := loadRuleset(); rs != nil {
		return rs.longest
	}
	return 0
}

// rulesetMayMatch reports whether a keyword of the ruleset occurs in text
// already in lower case.
func rulesetMayMatch(lower []byte) bool {
	rs := loadRuleset()
	if rs == nil {
		return false
	}
	return rs.keywords.any(lower)
}

// maskRuleset masks every secret a rule of the ruleset finds in s.
func maskRuleset(s string) string {
	rs := loadRuleset()
	if rs == nil {
		return s
	}
	var candidates map[int]bool
	rs.keywords.each(strings.ToLower(s), func(k, _ int) {
		if candidates == nil {
			candidates = map[int]bool{}
		}
		for _, i := range rs.byKeyword[k] {
			candidates[i] = true
		}
	})
	for _, i := range rs.always {
		if candidates == nil {
			candidates = map[int]bool{}
		}
		candidates[i] = true
	}
	if candidates == nil {
		return s
	}
	type span struct{ start, end int }
	var spans []span
	for i := range candidates {
		r := rs.rules[i]
		for _, m := range r.re.FindAllStringSubmatchIndex(s, -1) {
			start, end := secretSpan(m, r.group)
			if start < 0 || end-start < minSecretLen {
				continue
			}
			if r.entropy > 0 && shannon(s[start:end]) < r.entropy {
				continue
			}
			spans = append(spans, span{start, end})
		}
	}
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if sp.start < last {
			if sp.end > last {
				last = sp.end // overlapping: extend the masked run
			}
			continue
		}
		b.WriteString(s[last:sp.start])
		b.WriteString(Mask)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// secretSpan is the part of a match that is the secret: the rule's secret
// group, else the first group that matched, else the whole match (as
// gitleaks decides).
func secretSpan(m []int, group int) (int, int) {
	if group > 0 && 2*group+1 < len(m) && m[2*group] >= 0 {
		return m[2*group], m[2*group+1]
	}
	for g := 1; 2*g+1 < len(m); g++ {
		if m[2*g] >= 0 {
			return m[2*g], m[2*g+1]
		}
	}
	return m[0], m[1]
}

// shannon is the entropy of s in bits per byte.
func shannon(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h := 0.0
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
