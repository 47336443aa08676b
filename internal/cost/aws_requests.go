package cost

// Services priced by requests and duration: Lambda, API Gateway, SQS,
// SNS, Kinesis and Step Functions, with their tiers and metering.

import (
	"fmt"
)

func awsLambda(c *costing) {
	mem, _ := c.num("memory_size", Int(128))
	// Duration is billed per GB-second of memory configured, in tiers
	// per month: on x86 the first 6 billion GB-seconds, the next 9 billion,
	// then the rest; on Arm the first 7.5 billion, the next 11.25 billion.
	arch, item, first, second := "x86_64", "gb-second", "6", "9"
	if a, ok := c.attr("architectures").([]any); ok && len(a) > 0 && a[0] == "arm64" {
		arch, item, first, second = "arm64", "gb-second-arm", "7.5", "11.25"
	}
	billion := Int(1_000_000_000)
	firstEnd := D(first).Mul(billion)
	secondEnd := firstEnd.Add(D(second).Mul(billion))
	c.usage("Requests", c.key("aws", "lambda", "requests"), "monthly_requests", million, "requests")
	reqs, given, ok := c.usageNumber("monthly_requests", "requests per month")
	ms, msGiven, msOK := c.usageNumber("request_duration_ms", "average duration of a request in milliseconds")
	if !ok || !msOK {
		return
	}
	gbs := reqs.Mul(ms).Div(thousand).Mul(mem).Div(Int(1024)).Mul(c.count).Mul(c.months())
	assumption := fmt.Sprintf("%s requests × %s ms × %s MB per month", reqs, ms, mem)
	if !given || !msGiven {
		assumption = fmt.Sprintf("no usage given: set usage %s.monthly_requests and request_duration_ms (%s MB, %s)", c.r.Address, mem, arch)
	}
	c.tiered(fmt.Sprintf("Duration (%s MB, %s)", mem, arch), gbs, []tier{
		{firstEnd, c.key("aws", "lambda", item), "first " + first + "B GB-seconds"},
		{secondEnd, c.key("aws", "lambda", item+"-tier2"), "next " + second + "B GB-seconds"},
		{Dec{}, c.key("aws", "lambda", item+"-tier3"), "over " + secondEnd.Div(billion).String() + "B GB-seconds"},
	}, true, assumption)
	// Ephemeral storage above the 512 MB included, per GB-second.
	if st := c.block("ephemeral_storage"); st != nil {
		if size, ok := numOf(st["size"], Int(512)); ok && size.Cmp(Int(512)) > 0 {
			extra := size.Sub(Int(512)).Div(Int(1024))
			c.add(fmt.Sprintf("Ephemeral storage (%s MB over the 512 included)", size.Sub(Int(512))), c.key("aws", "lambda", "ephemeral-gb-second"),
				reqs.Mul(ms).Div(thousand).Mul(extra).Mul(c.count).Mul(c.months()), true, assumption)
		}
	}
}

// requestsTiered prices a usage count of requests per month through
// per-million tiers; per is how many billed requests one is (a large
// request is metered as several).
func (c *costing) requestsTiered(name, usageKey, what string, per Dec, tiers []tier) {
	v, _, assumption, ok := c.usageAmount(usageKey, name+": "+what+" per month", what)
	if !ok {
		return
	}
	for i := range tiers {
		tiers[i].upTo = tiers[i].upTo.Div(million) // tiers are priced per million
	}
	c.tiered(name, v.Mul(per).Mul(c.count).Mul(c.months()).Div(million), tiers, true, assumption)
}

// meteredIn is how many billed units a size in KB is, metered in
// increments of step KB (a 600 KB request is two 512 KB requests).
func (c *costing) meteredIn(usageKey string, step int64) Dec {
	size, given, ok := c.usageNumber(usageKey, fmt.Sprintf("average size in KB, metered in %d KB increments", step))
	if !ok || !given || size.Sign() <= 0 {
		return Int(1)
	}
	return size.Div(Int(step)).Ceil()
}

func awsRESTAPI(c *costing) {
	c.requestsTiered("Requests", "monthly_requests", "requests", Int(1), []tier{
		{Int(333_000_000), c.key("aws", "apigw", "rest-requests"), "first 333M"},
		{Int(1_000_000_000), c.key("aws", "apigw", "rest-requests-tier2"), "next 667M"},
		{Int(20_000_000_000), c.key("aws", "apigw", "rest-requests-tier3"), "next 19B"},
		{Dec{}, c.key("aws", "apigw", "rest-requests-tier4"), "over 20B"},
	})
}

func awsHTTPAPI(c *costing) {
	switch p := c.str("protocol_type", false); p {
	case "", "HTTP":
		c.requestsTiered("Requests", "monthly_requests", "requests", c.meteredIn("request_size_kb", 512), []tier{
			{Int(300_000_000), c.key("aws", "apigw", "http-requests"), "first 300M"},
			{Dec{}, c.key("aws", "apigw", "http-requests-tier2"), "over 300M"},
		})
	case "WEBSOCKET":
		c.requestsTiered("Messages", "monthly_messages", "messages", c.meteredIn("message_size_kb", 32), []tier{
			{Int(1_000_000_000), c.key("aws", "apigw", "websocket-messages"), "first 1B"},
			{Dec{}, c.key("aws", "apigw", "websocket-messages-tier2"), "over 1B"},
		})
		c.usage("Connection minutes", c.key("aws", "apigw", "websocket-minutes"), "monthly_connection_mins", million, "connection minutes")
	default:
		c.fail("protocol_type %q is not HTTP or WEBSOCKET", p)
	}
}

// requestChunks is how many billed requests one is for SQS and SNS,
// which bill each 64 KB of a request as one (usage request_size_kb).
func (c *costing) requestChunks() Dec { return c.meteredIn("request_size_kb", 64) }

func awsSQS(c *costing) {
	name, item := "Requests", "requests"
	if c.boolean("fifo_queue") {
		name, item = "Requests (FIFO)", "fifo-requests"
	}
	c.requestsTiered(name, "monthly_requests", "requests", c.requestChunks(), []tier{{Dec{}, c.key("aws", "sqs", item), ""}})
}

func awsSNS(c *costing) {
	c.requestsTiered("Publishes", "monthly_requests", "publishes", c.requestChunks(), []tier{{Dec{}, c.key("aws", "sns", "requests"), ""}})
}

func awsKinesisStream(c *costing) {
	extended := false
	if h, ok := c.num("retention_period", Int(24)); ok && h.Cmp(Int(24)) > 0 {
		extended = true
	}
	if m := c.block("stream_mode_details"); m != nil && m["stream_mode"] == "ON_DEMAND" {
		c.hourly("Stream (on-demand)", c.key("aws", "kinesis", "on-demand-stream-hour"), Int(1))
		c.usage("Data ingested", c.key("aws", "kinesis", "on-demand-in"), "monthly_on_demand_data_in_gb", Int(1), "GB in")
		c.usage("Data retrieved", c.key("aws", "kinesis", "on-demand-out"), "monthly_on_demand_data_out_gb", Int(1), "GB out")
		c.usage("Enhanced fan-out data retrieved", c.key("aws", "kinesis", "on-demand-efo-out"), "monthly_on_demand_efo_data_out_gb", Int(1), "GB out to enhanced fan-out consumers")
		// Retention beyond a day bills only when the stream keeps data
		// longer; usage that gives the volume says it does.
		if extended || c.usageGiven("monthly_on_demand_extended_retention_gb") {
			c.usage("Extended retention", c.key("aws", "kinesis", "on-demand-extended-retention"), "monthly_on_demand_extended_retention_gb", Int(1), "GB kept 1–7 days")
		}
		if long, _ := c.num("retention_period", Int(24)); long.Cmp(Int(168)) > 0 || c.usageGiven("monthly_on_demand_long_term_retention_gb") {
			c.usage("Long-term retention", c.key("aws", "kinesis", "long-term-retention"), "monthly_on_demand_long_term_retention_gb", Int(1), "GB kept beyond 7 days")
		}
		return
	}
	shards, ok := c.num("shard_count", Dec{})
	if !ok || shards.IsZero() {
		c.fail("shard_count is not known")
		return
	}
	c.hourly(fmt.Sprintf("Shards (%s)", shards), c.key("aws", "kinesis", "shard-hour"), shards)
	c.usage("PUT payload units", c.key("aws", "kinesis", "put-units"), "monthly_provisioned_put_units", million, "PUT payload units (25 KB each)")
	if extended {
		c.hourly(fmt.Sprintf("Extended retention (%s shards)", shards), c.key("aws", "kinesis", "extended-retention-shard-hour"), shards)
	}
}

// awsStateMachine prices a Standard workflow's state transitions, or an
// Express workflow's requests and duration: each run's duration rounded up
// to 100 ms, its memory to 64 MB, in GB-hours through the monthly tiers.
func awsStateMachine(c *costing) {
	if t := c.str("type", false); t != "EXPRESS" {
		c.usage("State transitions", c.key("aws", "sfn", "transitions"), "monthly_transitions", thousand, "state transitions")
		return
	}
	c.usage("Requests", c.key("aws", "sfn", "express-requests"), "monthly_requests", million, "workflow requests")
	runs, given1, ok1 := c.usageNumber("monthly_requests", "workflow requests")
	ms, given2, ok2 := c.usageNumber("workflow_duration_ms", "average duration of a workflow in ms, billed in 100 ms increments")
	mb, given3, ok3 := c.usageNumber("memory_mb", "average memory of a workflow in MB, billed in 64 MB increments")
	if !ok1 || !ok2 || !ok3 {
		return
	}
	assumption := fmt.Sprintf("%s runs of %s ms using %s MB (usage monthly_requests, workflow_duration_ms, memory_mb)", runs, ms, mb)
	if !given1 || !given2 || !given3 {
		assumption = fmt.Sprintf("no usage given: 0 GB-hours assumed; set usage %s.monthly_requests, workflow_duration_ms and memory_mb", c.r.Address)
	}
	secs := ms.Div(Int(100)).Ceil().Div(Int(10))
	gb := mb.Div(Int(64)).Ceil().Mul(Int(64)).Div(Int(1024))
	gbHours := runs.Mul(secs).Mul(gb).Div(Int(3600)).Mul(c.count).Mul(c.months())
	c.tiered("Duration", gbHours, []tier{
		{Int(1000), c.key("aws", "sfn", "express-gb-hour-1"), "first 1,000 GB-hours"},
		{Int(5000), c.key("aws", "sfn", "express-gb-hour-2"), "next 4,000 GB-hours"},
		{Dec{}, c.key("aws", "sfn", "express-gb-hour-3"), "over 5,000 GB-hours"}}, true, assumption)
}
