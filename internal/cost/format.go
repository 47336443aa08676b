package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Formats an estimate can be written in.
var Formats = []string{"table", "json", "markdown"}

// Write renders an estimate.
func Write(w io.Writer, est *Estimate, format string) error {
	switch format {
	case "", "table":
		return writeTable(w, est)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(est)
	case "markdown":
		_, err := io.WriteString(w, Markdown(est))
		return err
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
}

func period(est *Estimate) string {
	if est.DurationHours == HoursPerMonth {
		return "month"
	}
	return fmt.Sprintf("%d hours", est.DurationHours)
}

// Summary is one line: the total, and for a plan the change.
func Summary(est *Estimate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$%s per %s for %d resources", Dec(est.TotalMonthlyCost).Money(), period(est), len(est.Resources))
	if est.DiffMonthlyCost != nil {
		fmt.Fprintf(&b, " (was $%s: %s)", Dec(*est.PriorMonthlyCost).Money(), Signed(Dec(*est.DiffMonthlyCost)))
	}
	if n := count(est.Unsupported); n > 0 {
		fmt.Fprintf(&b, "; %d unsupported resources not included", n)
	}
	if len(est.Unpriced) > 0 {
		fmt.Fprintf(&b, "; %d resources could not be priced", len(est.Unpriced))
	}
	return b.String()
}

func count(tc []TypeCount) int {
	n := 0
	for _, t := range tc {
		n += t.Count
	}
	return n
}

// priorOf is a resource's before and change columns; "–" for one that
// came from an input that is not a plan.
func priorOf(r ResourceCost) (string, string) {
	if r.PriorMonthlyCost == nil || r.DiffMonthlyCost == nil {
		return "–", "–"
	}
	return "$" + Dec(*r.PriorMonthlyCost).Money(), Signed(Dec(*r.DiffMonthlyCost))
}

// Signed writes a difference as +$1.23 or -$1.23.
func Signed(d Dec) string {
	if d.Sign() < 0 {
		return "-$" + d.Neg().Money()
	}
	return "+$" + d.Money()
}

func writeTable(w io.Writer, est *Estimate) error {
	plan := est.DiffMonthlyCost != nil
	// Rows of cells, and notes between them: the columns are sized over
	// every row of every resource, so they line up across the whole table
	// (a note does not widen or break them).
	type row struct {
		cells []string
		note  string
	}
	var rows []row
	cells := func(name, qty, unit, price, monthly, before, change, action string) {
		c := []string{name, qty, unit, price, monthly}
		if plan {
			c = append(c, before, change, action)
		}
		rows = append(rows, row{cells: c})
	}
	monthly := "MONTHLY"
	if est.DurationHours != HoursPerMonth {
		monthly = fmt.Sprintf("%dH", est.DurationHours)
	}
	unpriced := map[string]bool{}
	for _, u := range est.Unpriced {
		unpriced[u.Address] = true
	}
	cells("RESOURCE", "QUANTITY", "UNIT", "UNIT PRICE", monthly, "BEFORE", "CHANGE", "ACTION")
	for _, r := range est.Resources {
		before, change := "", ""
		if plan {
			before, change = priorOf(r)
		}
		cost := "$" + Dec(r.MonthlyCost).Money()
		if unpriced[r.Address] {
			cost = "not priced"
		}
		cells(r.Address, "", "", "", cost, before, change, r.Action)
		for _, c := range r.Components {
			name := "  " + c.Name
			if c.UsageBased {
				name += " *"
			}
			cells(name, c.Quantity.String(), c.Unit, "$"+Dec(c.UnitPrice).PriceString(), "$"+Dec(c.MonthlyCost).Money(), "", "", "")
		}
		for _, n := range r.Notes {
			rows = append(rows, row{note: "  note: " + n})
		}
	}
	if plan {
		cells("TOTAL", "", "", "", "$"+Dec(est.TotalMonthlyCost).Money(), "$"+Dec(*est.PriorMonthlyCost).Money(), Signed(Dec(*est.DiffMonthlyCost)), "")
	} else {
		cells("TOTAL", "", "", "", "$"+Dec(est.TotalMonthlyCost).Money(), "", "", "")
	}
	var width []int
	for _, r := range rows {
		for i, c := range r.cells {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var line strings.Builder
	for _, r := range rows {
		line.Reset()
		if r.cells == nil {
			line.WriteString(r.note)
		}
		for i, c := range r.cells {
			line.WriteString(c)
			if i < len(r.cells)-1 {
				line.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(line.String(), " ")); err != nil {
			return err
		}
	}
	return writeFootnotes(w, est, "")
}

// Footnotes lists what the total leaves out and where prices came from,
// one line each.
func Footnotes(est *Estimate) string {
	var b strings.Builder
	writeFootnotes(&b, est, "")
	return b.String()
}

func writeFootnotes(w io.Writer, est *Estimate, bullet string) error {
	var b strings.Builder
	usage := false
	for _, r := range est.Resources {
		for _, c := range r.Components {
			usage = usage || c.UsageBased
		}
	}
	if usage {
		fmt.Fprintf(&b, "%s* usage-based: priced on the usage given, or on 0 where none was (see each assumption in --format json)\n", bullet)
	}
	for _, u := range est.Unpriced {
		fmt.Fprintf(&b, "%snot priced: %s (%s): %s\n", bullet, u.Address, u.Type, u.Reason)
	}
	if len(est.Unsupported) > 0 {
		var parts []string
		for _, t := range est.Unsupported {
			parts = append(parts, fmt.Sprintf("%s × %d", t.Type, t.Count))
		}
		fmt.Fprintf(&b, "%sunsupported, not in the total: %s\n", bullet, strings.Join(parts, ", "))
	}
	if len(est.Free) > 0 {
		var parts []string
		for _, t := range est.Free {
			parts = append(parts, fmt.Sprintf("%s × %d", t.Type, t.Count))
		}
		fmt.Fprintf(&b, "%sfree: %s\n", bullet, strings.Join(parts, ", "))
	}
	for _, u := range est.Unresolved {
		fmt.Fprintf(&b, "%sunresolved: %s\n", bullet, u)
	}
	src := fmt.Sprintf("%sprices: %s, %s", bullet, est.Prices.Catalog, est.Prices.CatalogDate)
	if est.Prices.LiveCache != "" {
		src += fmt.Sprintf("; live prices from %s, %s, where they exist", est.Prices.LiveCache, est.Prices.LiveDate)
	}
	b.WriteString(src + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown is the estimate for a pull-request comment.
func Markdown(est *Estimate) string {
	var b strings.Builder
	plan := est.DiffMonthlyCost != nil
	fmt.Fprintf(&b, "**Estimated cost: $%s per %s**", Dec(est.TotalMonthlyCost).Money(), period(est))
	if plan {
		fmt.Fprintf(&b, " (%s from $%s)", Signed(Dec(*est.DiffMonthlyCost)), Dec(*est.PriorMonthlyCost).Money())
	}
	b.WriteString("\n\n")
	if plan {
		b.WriteString("| Resource | Action | Before | After | Change |\n|---|---|---:|---:|---:|\n")
	} else {
		b.WriteString("| Resource | Monthly |\n|---|---:|\n")
	}
	why := map[string]string{}
	for _, u := range est.Unpriced {
		why[u.Address] = "not priced: " + mdEscape(u.Reason)
	}
	for _, r := range est.Resources {
		after := "$" + Dec(r.MonthlyCost).Money()
		if reason, ok := why[r.Address]; ok {
			after = reason // never a bare $0.00 for what could not be priced
		}
		if plan {
			before, change := priorOf(r)
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Address, r.Action, before, after, change)
		} else {
			fmt.Fprintf(&b, "| `%s` | %s |\n", r.Address, after)
		}
	}
	b.WriteString("\n<details><summary>Cost components</summary>\n\n| Resource | Component | Quantity | Unit price | Monthly |\n|---|---|---:|---:|---:|\n")
	for _, r := range est.Resources {
		for _, c := range r.Components {
			name := c.Name
			if c.UsageBased {
				name += " \\*"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s %s | $%s | $%s |\n", r.Address, mdEscape(name), c.Quantity.String(), c.Unit, Dec(c.UnitPrice).PriceString(), Dec(c.MonthlyCost).Money())
		}
	}
	b.WriteString("\n</details>\n\n")
	writeFootnotes(&b, est, "- ")
	return b.String()
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
