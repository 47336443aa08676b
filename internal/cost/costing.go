package cost

// How a resource is priced: the lines a mapper adds, and the attributes
// it reads (plan JSON and HCL both give blocks as lists of objects).

import (
	"fmt"
	"strconv"
)

// fail marks the resource unpriceable, keeping the first reason.
func (c *costing) fail(format string, args ...any) {
	if c.problem == "" {
		c.problem = fmt.Sprintf(format, args...)
	}
}

func (c *costing) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// add prices qty units (for the whole duration, all instances) of key.
func (c *costing) add(name, key string, qty Dec, usage bool, assumption string) {
	p, ok, why := c.e.lookup(key)
	if !ok {
		if why != "" {
			why = ": " + why
		}
		c.fail("no price for %s (%s)%s", name, key, why)
		return
	}
	monthly := qty.Mul(p.USD)
	c.comps = append(c.comps, Component{Name: name, Unit: p.Unit, Quantity: qty, UnitPrice: Price(p.USD),
		HourlyCost: Price(monthly.Div(c.e.hours)), MonthlyCost: Cents(monthly), UsageBased: usage, Assumption: assumption,
		PriceSource: p.Source, PriceDate: p.Date, monthly: monthly})
}

// priced reports whether key has a price (in the catalog or live).
func (c *costing) priced(key string) bool {
	_, ok, _ := c.e.lookup(key)
	return ok
}

// hourly prices per-hour units (instance hours) for every instance:
// hours × count × per.
func (c *costing) hourly(name, key string, per Dec) {
	c.add(name, key, c.e.hours.Mul(c.count).Mul(per), false, "")
}

// monthly prices a per-month quantity of each instance (GB-months, keys),
// prorated to the duration.
func (c *costing) monthly(name, key string, perInstance Dec) {
	c.add(name, key, perInstance.Mul(c.count).Mul(c.months()), false, "")
}

func (c *costing) months() Dec { return c.e.months }

// usageNumber reads a usage value for the resource and records the key
// (for --sync-usage-file and for keys given that nothing reads). ok is
// false when the value is there but wrong: the reason is recorded and the
// caller leaves the component it prices out.
func (c *costing) usageNumber(key, what string) (v Dec, given, ok bool) {
	v, given, err := c.e.opts.Usage.number(c.r, key)
	c.readUsage(key, what, "number", given)
	if err != nil {
		c.badUsage(err)
		return Dec{}, false, false
	}
	return v, given, true
}

// usageOr is usage usageKey's value when given, else attribute attr's (def
// when absent); false, and the resource fails, when the attribute is not
// known.
func (c *costing) usageOr(usageKey, what, attr string, def Dec) (Dec, bool) {
	if v, given, ok := c.usageNumber(usageKey, what); ok && given {
		return v, true
	}
	v, ok := c.num(attr, def)
	if !ok {
		c.fail("%s is not known", attr)
	}
	return v, ok
}

// usageGiven reports whether the usage gives a value for key.
func (c *costing) usageGiven(key string) bool {
	_, ok := c.e.opts.Usage.lookup(c.r, key)
	return ok
}

// usageText reads a string usage value (a reservation term, an OS).
func (c *costing) usageText(key, what string, allowed ...string) (s string, given, ok bool) {
	s, given, err := c.e.opts.Usage.text(c.r, key, allowed...)
	c.readUsage(key, what, "string", given)
	if err != nil {
		c.badUsage(err)
		return "", false, false
	}
	return s, given, true
}

func (c *costing) readUsage(key, what, typ string, given bool) {
	for _, k := range c.usageRead {
		if k.Key == key {
			return
		}
	}
	c.usageRead = append(c.usageRead, UsageKey{Key: key, Description: what, Type: typ, Given: given})
}

func (c *costing) badUsage(err error) {
	c.unresolved = append(c.unresolved, err.Error()+": the component it prices is left out")
}

// usageAmount reads usage usageKey, a quantity of unit a month: its value
// and what a component priced on it assumes — the value, or 0 and which
// key to set; ok is false when the value is wrong (see usageNumber).
func (c *costing) usageAmount(usageKey, description, unit string) (v Dec, given bool, assumption string, ok bool) {
	v, given, ok = c.usageNumber(usageKey, description)
	if !ok {
		return v, false, "", false
	}
	if !given {
		return v, false, fmt.Sprintf("no usage given: 0 %s per month assumed; set usage %s.%s", unit, c.r.Address, usageKey), true
	}
	return v, true, fmt.Sprintf("%s %s per month (usage %s)", v, unit, usageKey), true
}

// usage prices a usage-based quantity given per month per instance in the
// usage under usageKey (0 when not given, and the assumption says so),
// divided by per (1,000,000 for a per-1M price).
func (c *costing) usage(name, key, usageKey string, per Dec, what string) {
	v, _, assumption, ok := c.usageAmount(usageKey, name+": "+what+" per month", what)
	if !ok {
		return
	}
	if per.IsZero() {
		per = Int(1)
	}
	c.add(name, key, v.Mul(c.count).Mul(c.months()).Div(per), true, assumption)
}

// key builds a price key in the resource's region.
func (c *costing) key(provider, service, item string) string {
	return provider + "/" + service + "/" + c.r.Region + "/" + item
}

// Attribute access. Plan JSON and HCL both give blocks as lists of objects.

func (c *costing) attr(name string) any { return c.r.Attributes[name] }

// str is a string attribute, "" when absent; an unknown value fails the
// resource when required.
func (c *costing) str(name string, required bool) string {
	switch v := c.attr(name).(type) {
	case string:
		return v
	case Unknown:
		if required {
			c.fail("%s is not known until apply%s", name, why(v))
		}
	case nil:
		if required {
			c.fail("%s is not set", name)
		}
	default:
		return fmt.Sprint(v)
	}
	return ""
}

func why(u Unknown) string {
	if u.Why == "" {
		return ""
	}
	return " (" + u.Why + ")"
}

// num is a numeric attribute or def; ok is false when it is unknown.
func (c *costing) num(name string, def Dec) (Dec, bool) {
	return numOf(c.attr(name), def)
}

func numOf(v any, def Dec) (Dec, bool) {
	switch v := v.(type) {
	case nil:
		return def, true
	case Unknown:
		return def, false
	case float64:
		return Float(v), true
	case int:
		return Int(int64(v)), true
	case int64:
		return Int(v), true
	case Dec:
		return v, true
	case string:
		if d, err := ParseDec(v); err == nil {
			return d, true
		}
	case interface{ String() string }:
		if d, err := ParseDec(v.String()); err == nil {
			return d, true
		}
	}
	return def, false
}

func (c *costing) boolean(name string) bool {
	switch v := c.attr(name).(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(v)
		return b
	}
	return false
}

// block is the first object of a nested block ("root_block_device").
func (c *costing) block(name string) map[string]any {
	return firstBlock(c.attr(name))
}

func firstBlock(v any) map[string]any {
	switch v := v.(type) {
	case []any:
		if len(v) > 0 {
			m, _ := v[0].(map[string]any)
			return m
		}
	case map[string]any:
		return v
	}
	return nil
}

func blocks(v any) []map[string]any {
	var out []map[string]any
	switch v := v.(type) {
	case []any:
		for _, b := range v {
			if m, ok := b.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, v)
	}
	return out
}

// tier is one band of a tiered price: the units up to upTo per month (zero
// for no bound) are priced at key.
type tier struct {
	upTo  Dec
	key   string
	label string
}

// tiered prices qty units (for the whole duration) through consecutive
// tiers, as AWS bills requests and durations: one component per tier
// used. Tiers are per account and month; a resource is tiered on its own,
// so resources that share an account's tiers are priced at most at what
// they would cost together.
func (c *costing) tiered(name string, qty Dec, tiers []tier, usage bool, assumption string) {
	from := Dec{}
	for i, t := range tiers {
		left := qty.Sub(from)
		if left.Sign() <= 0 && i > 0 {
			return
		}
		in := left
		if !t.upTo.IsZero() {
			bound := t.upTo.Mul(c.months())
			if in.Cmp(bound.Sub(from)) > 0 {
				in = bound.Sub(from)
			}
			from = bound
		}
		label := name
		if len(tiers) > 1 {
			label = fmt.Sprintf("%s (%s)", name, t.label)
		}
		c.add(label, t.key, in, usage, assumption)
		if t.upTo.IsZero() {
			return
		}
	}
}

// runHours is the hours each instance runs over the estimate's duration.
func (c *costing) runHours() Dec {
	if c.monthlyHours.IsZero() {
		return c.e.hours
	}
	return c.monthlyHours.Mul(c.e.months)
}

// readMonthlyHours reads Infracost's monthly_hrs: an instance that runs
// part of the month.
func (c *costing) readMonthlyHours() bool {
	v, given, ok := c.usageNumber("monthly_hrs", "hours the instance runs a month")
	if !ok {
		return false
	}
	if given {
		if v.Cmp(Int(HoursPerMonth)) > 0 {
			c.badUsage(fmt.Errorf("usage %s.monthly_hrs is %s, more than the %d hours of a month", c.r.Address, v, HoursPerMonth))
			return false
		}
		c.monthlyHours = v
	}
	return true
}
