package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
)

// BaselineVersion is the baseline file's version field.
const BaselineVersion = 1

// Baseline is a file of accepted findings: a run given it reports only
// findings not in it. Entries match by rule, file, resource and message,
// not by line, so edits elsewhere in a file do not revive them; a finding
// that appears more often than the baseline holds it is new.
type Baseline struct {
	Version  int             `json:"version"`
	Findings []BaselineEntry `json:"findings"`
	// dir is where the file lies: entries' files are relative to it, so a
	// baseline committed with the repository works from any directory.
	dir  string
	path string
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Resource string   `json:"resource,omitempty"`
	Message  string   `json:"message"`
}

// LoadBaseline reads a baseline written by WriteBaseline.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	var b Baseline
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline %s: not a baseline file opsmcp validate --write-baseline writes: %v", path, err)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline %s: version %d; this opsmcp reads version %d", path, b.Version, BaselineVersion)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	b.dir, b.path = filepath.Dir(abs), path
	return &b, nil
}

// NewBaseline is an empty baseline to be written at path.
func NewBaseline(path string) (*Baseline, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return &Baseline{Version: BaselineVersion, Findings: []BaselineEntry{}, dir: filepath.Dir(abs), path: path}, nil
}

func (b *Baseline) entry(f Finding) BaselineEntry {
	file := f.File
	if abs, err := filepath.Abs(file); err == nil {
		if rel, err := filepath.Rel(b.dir, abs); err == nil {
			file = rel
		}
	}
	return BaselineEntry{Rule: f.Rule, Severity: f.Severity, File: filepath.ToSlash(file), Resource: f.Resource, Message: f.Message}
}

// key ignores severity: a rule whose severity changed still matches.
func (e BaselineEntry) key() BaselineEntry { e.Severity = ""; return e }

// apply marks the report's findings the baseline holds (each entry
// matches one finding).
func (b *Baseline) apply(rep *Report, unsuppressible []string) {
	left := map[BaselineEntry]int{}
	for _, e := range b.Findings {
		left[e.key()]++
	}
	for i, f := range rep.Findings {
		if f.Suppressed.Kind != "" || (f.Severity == SeverityError && slices.Contains(unsuppressible, f.Rule)) {
			continue
		}
		k := b.entry(f).key()
		if left[k] > 0 {
			left[k]--
			rep.Findings[i].Suppressed = Suppression{SuppressedByBaseline, "accepted in the baseline " + b.path}
		}
	}
}

// Accept adds the report's findings that nothing in the source suppresses
// (baseline ones included: rewriting a baseline keeps what it held and
// still occurs). Errors of unsuppressible rules are never accepted.
func (b *Baseline) Accept(rep *Report, unsuppressible []string) {
	b.Findings = b.Findings[:0]
	for _, f := range rep.Findings {
		if f.Suppressed.Kind == SuppressedByAnnotation || f.Suppressed.Kind == SuppressedByComment {
			continue
		}
		if f.Severity == SeverityError && slices.Contains(unsuppressible, f.Rule) {
			continue
		}
		b.Findings = append(b.Findings, b.entry(f))
	}
}

// Write writes the baseline atomically (never half a file).
func (b *Baseline) Write() error {
	return atomicfile.Write(b.path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	})
}
