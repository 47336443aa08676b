package validate

import (
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
)

// JUnit XML: a test suite per file, a failing test case per error or
// warning (CI systems show them as failed tests), a passing one for a
// file without findings.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

// junitSkipped is a suppressed finding: shown, not failed.
type junitSkipped struct {
	Message string `xml:"message,attr"`
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
		if f.Suppressed.Kind != "" {
			c.Skipped = &junitSkipped{Message: "suppressed by " + f.Suppressed.Kind + ": " + f.Suppressed.Justification}
			s.Skipped++
		} else if f.Severity != SeverityInfo {
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
		out.Skipped += s.Skipped
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
