package kube

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// writeTable writes a table as kubectl prints one, at most textRows rows;
// past that it says how many more the structured result holds and how to
// narrow the list.
func writeTable(b *strings.Builder, header []string, n int, row func(i int) []string, what, narrow string) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i := range min(n, textRows) {
		fmt.Fprintln(tw, strings.Join(row(i), "\t"))
	}
	tw.Flush()
	if n > textRows {
		fmt.Fprintf(b, "… and %d more %s (all are in the structured result; narrow with %s)\n", n-textRows, what, narrow)
	}
}
