package cost

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Dec is an exact decimal quantity or amount of money. Prices are quoted
// to ten decimal places ($0.0000166667 per GB-second) and multiplied by
// hours, counts and usage: binary floats would print 1460.0000000000002.
// The zero value is 0.
//
// A value is held as the fraction n/d in lowest terms while both fit in
// an int64 — every price, quantity and amount of an ordinary estimate —
// and as a big.Rat only beyond: an estimate holds hundreds of thousands
// of them, and a big.Rat for each was a quarter of its memory.
type Dec struct {
	n, d int64    // n/d, d > 0 and gcd(|n|, d) = 1, n != MinInt64; d == 0 only in the zero value
	r    *big.Rat // set when n/d would not fit; then n and d are unused
}

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
	s = strings.TrimSpace(s)
	if d, ok := parseSmall(s); ok {
		return d, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Dec{}, fmt.Errorf("%q is not a decimal number", s)
	}
	return fromRat(r), nil
}

// Int is n as a Dec.
func Int(n int64) Dec {
	if n == math.MinInt64 {
		return Dec{r: new(big.Rat).SetInt64(n)}
	}
	return Dec{n: n, d: 1}
}

// Float is f as a Dec, by its shortest decimal representation (so 0.1 is
// exactly 0.1): for usage numbers that arrive as JSON numbers.
func Float(f float64) Dec {
	d, _ := ParseDec(strconv.FormatFloat(f, 'g', -1, 64))
	return d
}

// small is n/d (d > 0, n != MinInt64) in lowest terms.
func small(n, d int64) Dec {
	if g := gcd(abs(n), d); g > 1 {
		n, d = n/g, d/g
	}
	return Dec{n: n, d: d}
}

// fromRat is r, held small when it fits. r is not changed afterwards.
func fromRat(r *big.Rat) Dec {
	if num, den := r.Num(), r.Denom(); num.IsInt64() && den.IsInt64() && num.Int64() != math.MinInt64 {
		return Dec{n: num.Int64(), d: den.Int64()}
	}
	return Dec{r: r}
}

// frac is d as n/d when it is held small.
func (d Dec) frac() (n, den int64, ok bool) {
	if d.r != nil {
		return 0, 0, false
	}
	if d.d == 0 {
		return 0, 1, true
	}
	return d.n, d.d, true
}

func (d Dec) rat() *big.Rat {
	if d.r != nil {
		return d.r
	}
	n, den, _ := d.frac()
	return new(big.Rat).SetFrac64(n, den)
}

// fracs is d as a/b and e as c/f when both are held small.
func fracs(d, e Dec) (a, b, c, f int64, ok bool) {
	if a, b, ok = d.frac(); ok {
		c, f, ok = e.frac()
	}
	return a, b, c, f, ok
}

func (d Dec) Add(e Dec) Dec {
	if a, b, c, f, ok := fracs(d, e); ok {
		if sum, ok := addFrac(a, b, c, f); ok {
			return sum
		}
	}
	return fromRat(new(big.Rat).Add(d.rat(), e.rat()))
}

func (d Dec) Sub(e Dec) Dec { return d.Add(e.Neg()) }

func (d Dec) Mul(e Dec) Dec {
	if a, b, c, f, ok := fracs(d, e); ok {
		if product, ok := mulFrac(a, b, c, f); ok {
			return product
		}
	}
	return fromRat(new(big.Rat).Mul(d.rat(), e.rat()))
}

func (d Dec) Neg() Dec {
	if n, den, ok := d.frac(); ok {
		return Dec{n: -n, d: den}
	}
	return fromRat(new(big.Rat).Neg(d.r))
}

// Div is d/e; dividing by zero gives zero (a rate over no quantity).
func (d Dec) Div(e Dec) Dec {
	if e.IsZero() {
		return Dec{}
	}
	if c, f, ok := e.frac(); ok {
		if c < 0 {
			c, f = -c, -f
		}
		return d.Mul(Dec{n: f, d: c})
	}
	return fromRat(new(big.Rat).Quo(d.rat(), e.rat()))
}

func (d Dec) Cmp(e Dec) int {
	if a, b, c, f, ok := fracs(d, e); ok {
		l, okl := mul64(a, f)
		r, okr := mul64(c, b)
		if okl && okr {
			return cmp.Compare(l, r)
		}
	}
	return d.rat().Cmp(e.rat())
}

func (d Dec) IsZero() bool { return d.Sign() == 0 }

func (d Dec) Sign() int {
	if d.r != nil {
		return d.r.Sign()
	}
	return cmp.Compare(d.n, 0)
}

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
	if n, den, ok := d.frac(); ok && places <= 18 {
		return string(appendRounded(nil, n, den, places))
	}
	return d.rat().FloatString(places)
}

// String is d exactly when it has at most 10 decimals (every price does),
// else rounded to 10, without trailing zeros: "0.096", "730", "0.0000166667".
func (d Dec) String() string {
	if n, den, ok := d.frac(); ok {
		if den == 1 {
			return strconv.FormatInt(n, 10)
		}
		if places, exact := decimals(den); exact && places <= 10 {
			return string(appendRounded(nil, n, den, places))
		}
		return trimRounded(string(appendRounded(nil, n, den, 10)))
	}
	r := d.r
	if r.IsInt() {
		return r.Num().String()
	}
	if n, exact := r.FloatPrec(); exact && n <= 10 {
		return r.FloatString(n)
	}
	return trimRounded(r.FloatString(10))
}

// trimRounded drops the trailing zeros of a value rounded to 10 decimals.
func trimRounded(s string) string {
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
	if n, den, ok := d.frac(); ok {
		q := n / den // truncated toward zero
		if n > 0 && n%den != 0 {
			q++
		}
		return Int(q)
	}
	r := d.r
	q := new(big.Int).Quo(r.Num(), r.Denom()) // truncated toward zero
	if r.Sign() > 0 && !r.IsInt() {
		q.Add(q, big.NewInt(1))
	}
	return fromRat(new(big.Rat).SetInt(q))
}
