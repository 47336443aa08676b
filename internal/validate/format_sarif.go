package validate

import (
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opsmcp/opsmcp/internal/version"
)

// SARIF 2.1.0, as GitHub code scanning reads it.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	SemanticVer    string      `json:"semanticVersion"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	ShortDescription     sarifText     `json:"shortDescription"`
	FullDescription      *sarifText    `json:"fullDescription,omitempty"`
	DefaultConfiguration sarifRuleConf `json:"defaultConfiguration"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// Suppressions: inSource for an annotation or comment, external for
	// a baseline; code scanning shows such a result as dismissed.
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifURI names a file as code scanning wants it: relative to the working
// directory (the repository root in CI) when it is below it, else an
// absolute file:// URI.
func sarifURI(file string) string {
	if filepath.IsAbs(file) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
		}
	}
	escaped := func(p string) string {
		parts := strings.Split(filepath.ToSlash(p), "/")
		for i, s := range parts {
			parts[i] = url.PathEscape(s)
		}
		return strings.Join(parts, "/")
	}
	if filepath.IsAbs(file) {
		return "file://" + escaped(file)
	}
	return escaped(file)
}

func writeSARIF(w io.Writer, rep *Report) error {
	var ids []string
	for _, f := range rep.Findings {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "opsmcp", SemanticVer: version.Version, InformationURI: "https://github.com/opsmcp/opsmcp", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	for _, id := range ids {
		r := registry[id]
		rule := sarifRule{ID: id, ShortDescription: sarifText{id}, DefaultConfiguration: sarifRuleConf{"warning"}}
		if r != nil {
			rule.ShortDescription = sarifText{r.Summary}
			rule.DefaultConfiguration.Level = sarifLevel(r.Severity)
			if r.Rationale != "" {
				rule.FullDescription = &sarifText{r.Rationale}
			}
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
	}
	result := func(i int) any {
		f := rep.Findings[i]
		msg := f.Message
		if f.Resource != "" {
			msg += " (" + f.Resource + ")"
		}
		if f.Via != "" {
			msg += " via " + f.Via
		}
		if f.Hint != "" {
			msg += ". Fix: " + f.Hint
		}
		res := sarifResult{RuleID: f.Rule, RuleIndex: slices.Index(ids, f.Rule), Level: sarifLevel(f.Severity), Message: sarifText{msg}}
		loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: sarifURI(f.File)}}}
		if f.Line > 0 {
			loc.Physical.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		}
		res.Locations = []sarifLocation{loc}
		if sup := f.Suppressed; sup.Kind != "" {
			kind := "inSource"
			if sup.Kind == SuppressedByBaseline {
				kind = "external"
			}
			res.Suppressions = []sarifSuppression{{Kind: kind, Status: "accepted", Justification: sup.Justification}}
		}
		return res
	}
	head := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	return writeJSONStreamed(w, head, "results", len(rep.Findings), result)
}
