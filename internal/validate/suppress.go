package validate

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// IgnoreAnnotation suppresses findings on the object that carries it:
// "rule-id: reason", several separated by ';'.
const IgnoreAnnotation = "opsmcp.dev/ignore"

// How a finding was suppressed (SARIF: inSource for the first two,
// external for a baseline).
const (
	SuppressedByAnnotation = "annotation"
	SuppressedByComment    = "comment"
	SuppressedByBaseline   = "baseline"
)

// Suppression says who decided a finding does not count, and why.
type Suppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func init() {
	register(&Rule{ID: "suppression-reason", Type: "any", Severity: SeverityWarning,
		Summary:   "A suppression (opsmcp.dev/ignore annotation or # opsmcp:ignore comment) without a reason, or naming no rule; it suppresses nothing.",
		Rationale: "A suppression is a decision someone must be able to read later: why the finding does not apply."})
}

// ignore is one suppression read from an object or a comment.
type ignore struct{ rule, reason string }

// objectKey names an object in a file as findings do.
type objectKey struct{ file, resource string }

// suppressions collects what the validated files say to suppress, from
// the workers that read them (content already in hand) or, for files
// read elsewhere (Terraform, Dockerfiles), on demand.
type suppressions struct {
	mu       sync.Mutex
	comments map[string]map[int][]ignore // file → line of the comment
	objects  map[objectKey][]ignore
}

func newSuppressions() *suppressions {
	return &suppressions{comments: map[string]map[int][]ignore{}, objects: map[objectKey][]ignore{}}
}

// commentIgnore is "# opsmcp:ignore rule-id[,rule-id] reason" (or // in
// HCL), on a line of its own or after code.
var commentIgnore = regexp.MustCompile(`(?:#|//)\s*opsmcp:ignore\b[ \t]*([^\s]*)[ \t]*(.*)$`)

// scanComments indexes a file's ignore comments; a comment without a rule
// or a reason is a finding.
func (s *suppressions) scanComments(file string, data []byte, add func(Finding)) {
	s.mu.Lock()
	_, done := s.comments[file]
	if !done {
		s.comments[file] = map[int][]ignore{}
	}
	s.mu.Unlock()
	if done || !bytes.Contains(data, []byte("opsmcp:ignore")) {
		return
	}
	byLine := map[int][]ignore{}
	for i, line := range strings.Split(string(data), "\n") {
		m := commentIgnore.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rules, reason := m[1], strings.TrimSpace(m[2])
		if rules == "" || reason == "" {
			add(Finding{Rule: "suppression-reason", Severity: SeverityWarning, File: file, Line: i + 1,
				Message: "opsmcp:ignore needs a rule id and a reason; this comment suppresses nothing",
				Hint:    "# opsmcp:ignore rule-id why it does not apply here"})
			continue
		}
		for _, r := range strings.Split(rules, ",") {
			if r = strings.TrimSpace(r); r != "" {
				byLine[i+1] = append(byLine[i+1], ignore{r, reason})
			}
		}
	}
	s.mu.Lock()
	s.comments[file] = byLine
	s.mu.Unlock()
}

// addObject indexes an object's opsmcp.dev/ignore annotation.
func (s *suppressions) addObject(d *kubeDoc, add func(Finding)) {
	raw, ok := nested(d.obj, "metadata", "annotations", IgnoreAnnotation).(string)
	if !ok {
		return
	}
	var list []ignore
	for part := range strings.SplitSeq(raw, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		rule, reason, _ := strings.Cut(part, ":")
		rule, reason = strings.TrimSpace(rule), strings.TrimSpace(reason)
		if rule == "" || reason == "" || strings.ContainsAny(rule, " \t") {
			line, col := d.at([]string{"metadata", "annotations", IgnoreAnnotation})
			add(Finding{Rule: "suppression-reason", Severity: SeverityWarning, File: d.file, Line: line, Column: col, Resource: d.resource(),
				Message: fmt.Sprintf("%s entry %q needs a rule id and a reason; it suppresses nothing", IgnoreAnnotation, strings.TrimSpace(part)),
				Hint:    `"rule-id: why it does not apply here", several separated by ';'`})
			continue
		}
		list = append(list, ignore{rule, reason})
	}
	if len(list) > 0 {
		s.mu.Lock()
		k := objectKey{d.file, d.resource()}
		s.objects[k] = append(s.objects[k], list...)
		s.mu.Unlock()
	}
}

// match finds what suppresses f: its object's annotation, then a comment
// on its line or the line above.
func (s *suppressions) match(f Finding) (Suppression, bool) {
	if f.Resource != "" {
		for _, ig := range s.objects[objectKey{f.File, f.Resource}] {
			if ig.rule == f.Rule {
				return Suppression{SuppressedByAnnotation, ig.reason}, true
			}
		}
	}
	if f.Line > 0 {
		lines := s.comments[f.File]
		for _, l := range []int{f.Line, f.Line - 1} {
			for _, ig := range lines[l] {
				if ig.rule == f.Rule {
					return Suppression{SuppressedByComment, ig.reason}, true
				}
			}
		}
	}
	return Suppression{}, false
}

// apply marks the findings the sources suppress. Files whose comments were
// not scanned while they were validated are read now (under g's rule), once
// each. Errors of an unsuppressible rule stay counted, and say so.
func (s *suppressions) apply(rep *Report, g *fsguard.Guard, unsuppressible []string, add func(Finding)) {
	for _, f := range rep.Findings {
		s.mu.Lock()
		_, scanned := s.comments[f.File]
		s.mu.Unlock()
		if !scanned && f.Line > 0 && f.File != "" {
			if data, err := g.ReadFile(f.File); err == nil {
				s.scanComments(f.File, data, add)
			} else {
				s.comments[f.File] = nil
			}
		}
	}
	for i, f := range rep.Findings {
		if f.Suppressed.Kind != "" {
			continue
		}
		sup, ok := s.match(f)
		if !ok {
			continue
		}
		if f.Severity == SeverityError && slices.Contains(unsuppressible, f.Rule) {
			rep.Findings[i].Hint = strings.TrimPrefix(f.Hint+"; ", "; ") + f.Rule + " may not be suppressed here (validate.unsuppressible): fix it"
			continue
		}
		rep.Findings[i].Suppressed = sup
	}
}
