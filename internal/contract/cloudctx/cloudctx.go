// Package cloudctx is the cloud server's contract with the others: its
// gather_context result, one exported type that the server returns and the
// rules expert reads. A renamed field is a compile error on both sides, not
// a silent empty value. It imports only the cloud server's own domain, so
// linking it costs no other server's dependencies.
package cloudctx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cloud"
)

// CloudContext is the cloud server's gather_context result: who, how much of what,
// and what this month has cost so far. A part that failed says why and
// the rest is still there.
type CloudContext struct {
	AWS *AWSContext  `json:"aws,omitempty"`
	GCP []GCPContext `json:"gcp,omitempty"`
	// Errors are the parts that could not be read.
	Errors []string `json:"errors,omitempty"`
}

// AWSContext is the AWS part.
type AWSContext struct {
	Identity *cloud.Identity `json:"identity,omitempty"`
	// Counts by region and kind (instances, clusters, databases, functions), and buckets.
	Counts  map[string]map[string]int `json:"counts"`
	Buckets int                       `json:"buckets"`
	// MonthToDate is the unblended spend since the first of the month.
	MonthToDate string `json:"month_to_date,omitempty"`
}

// GCPContext is one project's part.
type GCPContext struct {
	Project   string `json:"project"`
	Instances int    `json:"instances"`
	Buckets   int    `json:"buckets"`
}

func (r CloudContext) SummaryText() string {
	var b strings.Builder
	if a := r.AWS; a != nil {
		if a.Identity != nil {
			fmt.Fprintf(&b, "AWS account %s (%s)", a.Identity.Account, a.Identity.ARN)
		} else {
			b.WriteString("AWS")
		}
		if a.MonthToDate != "" {
			fmt.Fprintf(&b, "; month to date $%s", a.MonthToDate)
		}
		regions := make([]string, 0, len(a.Counts))
		for r := range a.Counts {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		for _, reg := range regions {
			c := a.Counts[reg]
			fmt.Fprintf(&b, "\n%s: %d instances, %d EKS clusters, %d databases, %d functions", reg, c["instances"], c["clusters"], c["databases"], c["functions"])
		}
		fmt.Fprintf(&b, "\n%d S3 buckets", a.Buckets)
	}
	for _, g := range r.GCP {
		fmt.Fprintf(&b, "\nGCP %s: %d instances, %d buckets", g.Project, g.Instances, g.Buckets)
	}
	for _, e := range r.Errors {
		b.WriteString("\nnot read: " + e)
	}
	return strings.TrimSpace(b.String())
}
