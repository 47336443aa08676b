package cost

import (
	"bytes"
	"strings"
	"testing"
)

// The table's columns line up across every resource, notes between them
// included; an unpriced resource says so in the table and in markdown.
func TestTableAlignsAcrossResourcesAndNamesWhatIsNotPriced(t *testing.T) {
	est := estimateInline(t, `{"resources":[
		{"address":"aws_instance.a_rather_long_resource_name","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}},
		{"address":"aws_nat_gateway.gw","type":"aws_nat_gateway","region":"us-east-1"},
		{"address":"aws_instance.win","type":"aws_instance","region":"us-east-1","attributes":{"instance_type":"t3.micro"}}
	]}`, `resource_usage: {aws_instance.win: {operating_system: windows}}`)
	var buf bytes.Buffer
	if err := Write(&buf, est, "table"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	col := -1
	for _, l := range lines {
		if strings.HasPrefix(l, "  note:") || !strings.Contains(l, "$") || strings.HasPrefix(l, "prices:") || strings.HasPrefix(l, "* ") {
			continue
		}
		i := strings.Index(l, "$")
		if strings.HasPrefix(strings.TrimSpace(l), "Instance usage") || strings.HasPrefix(strings.TrimSpace(l), "NAT gateway") {
			i = strings.LastIndex(l, "$") // the monthly column
		} else if !strings.HasPrefix(l, "aws_") && !strings.HasPrefix(l, "TOTAL") {
			continue
		}
		if col == -1 {
			col = i
		}
		if i != col {
			t.Fatalf("the monthly column starts at %d and at %d:\n%s", col, i, buf.String())
		}
	}
	if !strings.Contains(buf.String(), "aws_instance.win") || !strings.Contains(buf.String(), "not priced") {
		t.Fatalf("an unpriced resource must say so:\n%s", buf.String())
	}
	md := Markdown(est)
	if !strings.Contains(md, "| `aws_instance.win` | not priced: no price for Instance usage (Windows, on-demand, t3.micro) (aws/ec2/us-east-1/t3.micro/windows) |") {
		t.Fatalf("markdown:\n%s", md)
	}
}
