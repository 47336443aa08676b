package cost

import (
	"fmt"
	"math/big"
	"strings"
)

// Dec is an exact decimal quantity or amount of money. Prices are quoted
// to ten decimal places ($0.0000166667 per GB-second) and multiplied by
// hours, counts and usage: binary floats would print 1460.0000000000002.
// The zero value is 0.
type Dec struct{ r *big.Rat }

// D parses a decimal literal; it panics on a malformed one, so it is for
// constants in code. ParseDec is for input.
func D(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDec parses a decimal number ("0.096", "730", "-2.5", "1e3").
func ParseDec(s string) (Dec, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return Dec{}, fmt.Errorf("%q is not a decimal number", s)
	}
	return Dec{r}, nil
}

// Int is n as a Dec.
func Int(n int64) Dec { return Dec{new(big.Rat).SetInt64(n)} }

// Float is f as a Dec, by its shortest decimal representation (so 0.1 is
// exactly 0.1): for usage numbers that arrive as JSON numbers.
func Float(f float64) Dec {
	d, _ := ParseDec(fmt.Sprint(f))
	return d
}

func (d Dec) rat() *big.Rat {
	if d.r == nil {
		return new(big.Rat)
	}
	return d.r
}

func (d Dec) Add(e Dec) Dec { return Dec{new(big.Rat).Add(d.rat(), e.rat())} }
func (d Dec) Sub(e Dec) Dec { return Dec{new(big.Rat).Sub(d.rat(), e.rat())} }
func (d Dec) Mul(e Dec) Dec { return Dec{new(big.Rat).Mul(d.rat(), e.rat())} }
func (d Dec) Neg() Dec      { return Dec{new(big.Rat).Neg(d.rat())} }

// Div is d/e; dividing by zero gives zero (a rate over no quantity).
func (d Dec) Div(e Dec) Dec {
	if e.IsZero() {
		return Dec{}
	}
	return Dec{new(big.Rat).Quo(d.rat(), e.rat())}
}

func (d Dec) Cmp(e Dec) int { return d.rat().Cmp(e.rat()) }
func (d Dec) IsZero() bool  { return d.rat().Sign() == 0 }
func (d Dec) Sign() int     { return d.rat().Sign() }

// Min is the smaller of d and e.
func (d Dec) Min(e Dec) Dec {
	if d.Cmp(e) <= 0 {
		return d
	}
	return e
}

// Max is the larger of d and e.
func (d Dec) Max(e Dec) Dec {
	if d.Cmp(e) >= 0 {
		return d
	}
	return e
}

// Round is d rounded half away from zero to places decimals, as text
// with exactly that many decimals ("12.30").
func (d Dec) Round(places int) string {
	return d.rat().FloatString(places)
}

// String is d exactly when it has at most 10 decimals (every price does),
// else rounded to 10, without trailing zeros: "0.096", "730", "0.0000166667".
func (d Dec) String() string {
	r := d.rat()
	if r.IsInt() {
		return r.Num().String()
	}
	if n, exact := r.FloatPrec(); exact && n <= 10 {
		return r.FloatString(n)
	}
	s := r.FloatString(10)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// PriceString is d exactly, with at least two decimals: "0.50", "0.096".
func (d Dec) PriceString() string {
	s := d.String()
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac
}

// Money is an amount in dollars, written to cents ("1234.56").
func (d Dec) Money() string {
	s := d.Round(2)
	if s == "-0.00" {
		s = "0.00"
	}
	return s
}

// MarshalJSON writes the exact decimal as a JSON number.
func (d Dec) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads a JSON number or a decimal string.
func (d *Dec) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := ParseDec(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// JSONSchema: a Dec is written as a JSON number.
func (Dec) JSONSchema() map[string]any { return map[string]any{"type": "number"} }

// JSONSchema: money is written as a decimal string.
func (Cents) JSONSchema() map[string]any { return map[string]any{"type": "string"} }

// JSONSchema: a unit price is written as a decimal string.
func (Price) JSONSchema() map[string]any { return map[string]any{"type": "string"} }

// Cents is an amount of money as JSON: a decimal string rounded to cents.
type Cents Dec

// MarshalText, not MarshalJSON: encoding/json then quotes the text
// itself, where a MarshalJSON result would be encoded, scanned and copied
// again for every amount of a large estimate.
func (c Cents) MarshalText() ([]byte, error) { return []byte(Dec(c).Money()), nil }

func (c *Cents) UnmarshalJSON(b []byte) error { return (*Dec)(c).UnmarshalJSON(b) }

// Price is a unit price as JSON: an exact decimal string ("0.0000166667").
type Price Dec

func (p Price) MarshalText() ([]byte, error) { return []byte(Dec(p).String()), nil }

func (p *Price) UnmarshalJSON(b []byte) error { return (*Dec)(p).UnmarshalJSON(b) }

// Ceil is the smallest whole number not less than d (metered increments).
func (d Dec) Ceil() Dec {
	r := d.rat()
	q := new(big.Int).Quo(r.Num(), r.Denom()) // truncated toward zero
	if r.Sign() > 0 && !r.IsInt() {
		q.Add(q, big.NewInt(1))
	}
	return Dec{new(big.Rat).SetInt(q)}
}
