package validate

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opsmcp/opsmcp/internal/version"
)

// Formats a report can be written in.
var Formats = []string{"text", "json", "sarif", "junit"}

// Write renders the report in format (color applies to text only).
func Write(w io.Writer, rep *Report, format string, color bool) error {
	switch format {
	case "", "text":
		return writeText(w, rep, color)
	case "json":
		head := *rep
		head.Findings = []Finding{}
		return writeJSONStreamed(w, head, "findings", len(rep.Findings), func(i int) any { return rep.Findings[i] })
	case "sarif":
		return writeSARIF(w, rep)
	case "junit":
		return writeJUnit(w, rep)
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
}

// Text is the human report: one line per finding, then a summary line.
func Text(rep *Report, color bool) string {
	var b strings.Builder
	writeText(&b, rep, color)
	return b.String()
}

func writeText(w io.Writer, rep *Report, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	// One buffer reused per line: a report of any size is written without
	// being held in memory.
	var line []byte
	for _, f := range rep.Findings {
		line = append(line[:0], f.File...)
		if f.Line > 0 {
			line = fmt.Appendf(line, ":%d", f.Line)
			if f.Column > 0 {
				line = fmt.Appendf(line, ":%d", f.Column)
			}
		}
		sev := string(f.Severity)
		switch f.Severity {
		case SeverityError:
			sev = paint("31;1", sev)
		case SeverityWarning:
			sev = paint("33", sev)
		default:
			sev = paint("36", sev)
		}
		line = fmt.Appendf(line, ": %s [%s] %s", sev, f.Rule, f.Message)
		if f.Resource != "" {
			line = fmt.Appendf(line, " (%s)", f.Resource)
		}
		if f.Hint != "" {
			line = fmt.Appendf(line, "\n    hint: %s", f.Hint)
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	verdict := paint("32;1", "valid")
	if !rep.Valid {
		verdict = paint("31;1", "INVALID")
	}
	_, err := fmt.Fprintf(w, "%s: %d files, %d resources; %d errors, %d warnings, %d info\n", verdict, rep.Files, rep.Resources, rep.Errors, rep.Warnings, rep.Infos)
	return err
}

// writeJSONStreamed writes head as json.Encoder does with a two-space
// indent, with the n elements of the array under key (empty in head)
// marshalled one at a time: a report of 30,000 findings is written without
// a 10 MB buffer. key must be unique in head's JSON.
func writeJSONStreamed(w io.Writer, head any, key string, n int, elem func(i int) any) error {
	doc, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	doc = append(doc, '\n')
	marker := []byte(`"` + key + `": []`)
	at := bytes.Index(doc, marker)
	if at < 0 || bytes.Contains(doc[at+1:], marker) {
		return fmt.Errorf("report: %q is not a unique empty array", key)
	}
	if n == 0 {
		_, err := w.Write(doc)
		return err
	}
	indent := string(doc[bytes.LastIndexByte(doc[:at], '\n')+1 : at])
	open := at + len(marker) - 1 // the closing bracket
	if _, err := w.Write(append(doc[:open:open], '\n')); err != nil {
		return err
	}
	for i := range n {
		item, err := json.MarshalIndent(elem(i), indent+"  ", "  ")
		if err != nil {
			return err
		}
		item = append([]byte(indent+"  "), item...)
		if i < n-1 {
			item = append(item, ',')
		}
		if _, err := w.Write(append(item, '\n')); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, indent); err != nil {
		return err
	}
	_, err = w.Write(doc[open:])
	return err
}

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
		if f.Hint != "" {
			msg += ". Fix: " + f.Hint
		}
		res := sarifResult{RuleID: f.Rule, RuleIndex: slices.Index(ids, f.Rule), Level: sarifLevel(f.Severity), Message: sarifText{msg}}
		loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: sarifURI(f.File)}}}
		if f.Line > 0 {
			loc.Physical.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		}
		res.Locations = []sarifLocation{loc}
		return res
	}
	head := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	return writeJSONStreamed(w, head, "results", len(rep.Findings), result)
}

// JUnit XML: a test suite per file, a failing test case per error or
// warning (CI systems show them as failed tests), a passing one for a
// file without findings.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, rep *Report) error {
	out := junitSuites{Name: "opsmcp validate"}
	byFile := map[string]*junitSuite{}
	var order []string
	for _, f := range rep.Findings {
		s, ok := byFile[f.File]
		if !ok {
			s = &junitSuite{Name: f.File}
			byFile[f.File] = s
			order = append(order, f.File)
		}
		c := junitCase{Name: fmt.Sprintf("%s:%d %s", filepath.Base(f.File), f.Line, f.Rule), Classname: f.File}
		if f.Severity != SeverityInfo {
			text := f.Message
			if f.Hint != "" {
				text += "\nhint: " + f.Hint
			}
			c.Failure = &junitFailure{Message: f.Message, Type: string(f.Severity), Text: text}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	for _, name := range order {
		s := byFile[name]
		out.Suites = append(out.Suites, *s)
		out.Tests += s.Tests
		out.Failures += s.Failures
	}
	if len(out.Suites) == 0 {
		out.Suites = []junitSuite{{Name: "opsmcp validate", Tests: 1, Cases: []junitCase{{Name: "no findings", Classname: "opsmcp"}}}}
		out.Tests = 1
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
