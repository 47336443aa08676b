package cost

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The reference for Dec is big.Rat: every operation and every way of
// writing a value must give what big.Rat gives, whether the operands are
// held as int64 fractions or not, and across the edge where a result
// stops fitting.
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	if n, exact := r.FloatPrec(); exact && n <= 10 {
		return r.FloatString(n)
	}
	return trimRounded(r.FloatString(10))
}

// decCases are fractions as text (big.Rat syntax): prices, quantities, and
// values at and past the limits of an int64 numerator or denominator.
var decCases = []string{
	"0", "1", "-1", "0.096", "730", "-2.5", "0.0000166667", "1/3", "-2/3", "1/730", "7/8", "0.005", "-0.005", "0.0049999",
	"0.125", "1e3", "99.995", "-99.995", "12345678901234.5678",
	strconv.FormatInt(math.MaxInt64, 10), strconv.FormatInt(-math.MaxInt64, 10), strconv.FormatInt(math.MinInt64, 10),
	"9223372036854775808", "1/9223372036854775807", "9223372036854775807/2", "4611686018427387904/3",
	"1e30", "-1e30", "1/10000000000000000000000000", "3037000499/3037000500", "18446744073709551616/18446744073709551615",
}

func decPair(t *testing.T, s string) (Dec, *big.Rat) {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad case %q", s)
	}
	d := fromRat(new(big.Rat).Set(r))
	if strings.ContainsAny(s, "/e") {
		return d, r
	}
	p, err := ParseDec(s)
	if err != nil {
		t.Fatalf("ParseDec(%q): %v", s, err)
	}
	if p.rat().Cmp(r) != 0 {
		t.Fatalf("ParseDec(%q) = %s", s, p.rat())
	}
	return p, r
}

func checkDec(t *testing.T, what string, got Dec, want *big.Rat) {
	t.Helper()
	if got.rat().Cmp(want) != 0 {
		t.Fatalf("%s = %s, want %s", what, got.rat().RatString(), want.RatString())
	}
	if got.r == nil && (got.d < 0 || gcd(abs(got.n), max(got.d, 1)) != 1 && got.n != 0) {
		t.Fatalf("%s: %d/%d is not in lowest terms", what, got.n, got.d)
	}
	if got.r != nil && got.r.Num().IsInt64() && got.r.Denom().IsInt64() && got.r.Num().Int64() != math.MinInt64 {
		t.Fatalf("%s: %s is held as a big.Rat though it fits", what, got.r.RatString())
	}
	if s, ws := got.String(), ratString(want); s != ws {
		t.Fatalf("%s: String %q, want %q", what, s, ws)
	}
	for places := range 13 {
		if s, ws := got.Round(places), want.FloatString(places); s != ws {
			t.Fatalf("%s: Round(%d) %q, want %q", what, places, s, ws)
		}
	}
}

func TestDecMatchesBigRat(t *testing.T) {
	values := append([]string(nil), decCases...)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 60 {
		// Random fractions, most small, some near the int64 limits.
		n, d := rng.Int64N(1_000_000)-500_000, rng.Int64N(10_000)+1
		if rng.IntN(4) == 0 {
			n, d = rng.Int64()-math.MaxInt64/2, rng.Int64N(math.MaxInt64-1)+1
		}
		values = append(values, strconv.FormatInt(n, 10)+"/"+strconv.FormatInt(d, 10))
	}
	for _, a := range values {
		x, xr := decPair(t, a)
		checkDec(t, a, x, xr)
		checkDec(t, "-("+a+")", x.Neg(), new(big.Rat).Neg(xr))
		ceil := new(big.Int).Quo(xr.Num(), xr.Denom())
		if xr.Sign() > 0 && !xr.IsInt() {
			ceil.Add(ceil, big.NewInt(1))
		}
		checkDec(t, "ceil("+a+")", x.Ceil(), new(big.Rat).SetInt(ceil))
		if x.Sign() != xr.Sign() || x.IsZero() != (xr.Sign() == 0) {
			t.Fatalf("sign of %s", a)
		}
		for _, b := range values {
			y, yr := decPair(t, b)
			checkDec(t, a+" + "+b, x.Add(y), new(big.Rat).Add(xr, yr))
			checkDec(t, a+" - "+b, x.Sub(y), new(big.Rat).Sub(xr, yr))
			checkDec(t, a+" × "+b, x.Mul(y), new(big.Rat).Mul(xr, yr))
			if yr.Sign() == 0 {
				checkDec(t, a+" ÷ 0", x.Div(y), new(big.Rat))
			} else {
				checkDec(t, a+" ÷ "+b, x.Div(y), new(big.Rat).Quo(xr, yr))
			}
			if c, wc := x.Cmp(y), xr.Cmp(yr); c != wc {
				t.Fatalf("cmp(%s, %s) = %d, want %d", a, b, c, wc)
			}
		}
	}
}

func TestDecZeroValueIsZero(t *testing.T) {
	var z Dec
	if !z.IsZero() || z.String() != "0" || z.Round(2) != "0.00" || z.Add(D("1.5")).String() != "1.5" || z.Mul(D("3")).Sign() != 0 || z.Cmp(Int(0)) != 0 {
		t.Fatalf("zero value: %q", z.String())
	}
	if got := D("-0.001").Money(); got != "0.00" {
		t.Fatalf("Money of -0.001 = %q", got)
	}
}

// FuzzParseDec: whatever text ParseDec accepts, big.Rat accepts with the
// same value, and the other way round.
func FuzzParseDec(f *testing.F) {
	for _, s := range []string{"0.096", "-2.5", "1e3", "+7", ".5", "5.", "00012.3400", "1/3", "", ".", "-", "1..2", "123456789012345678.9", " 4 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDec(s)
		r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
		if (err == nil) != ok {
			t.Fatalf("ParseDec(%q) err %v, big.Rat ok %v", s, err, ok)
		}
		if ok && d.rat().Cmp(r) != 0 {
			t.Fatalf("ParseDec(%q) = %s, want %s", s, d.rat().RatString(), r.RatString())
		}
	})
}

// FuzzDecArithmetic: for any two fractions, every operation agrees with
// big.Rat, across the int64 limits where a Dec stops being held small.
func FuzzDecArithmetic(f *testing.F) {
	f.Add(int64(96), int64(1000), int64(730), int64(1))
	f.Add(int64(math.MaxInt64), int64(3), int64(math.MinInt64), int64(math.MaxInt64))
	f.Add(int64(-1), int64(3037000500), int64(3037000499), int64(7))
	f.Fuzz(func(t *testing.T, an, ad, bn, bd int64) {
		if ad == 0 || bd == 0 {
			return
		}
		xr, yr := big.NewRat(an, ad), big.NewRat(bn, bd)
		x, y := fromRat(new(big.Rat).Set(xr)), fromRat(new(big.Rat).Set(yr))
		checkDec(t, "x", x, xr)
		checkDec(t, "x + y", x.Add(y), new(big.Rat).Add(xr, yr))
		checkDec(t, "x - y", x.Sub(y), new(big.Rat).Sub(xr, yr))
		checkDec(t, "x × y", x.Mul(y), new(big.Rat).Mul(xr, yr))
		if yr.Sign() != 0 {
			checkDec(t, "x ÷ y", x.Div(y), new(big.Rat).Quo(xr, yr))
		}
		if c, wc := x.Cmp(y), xr.Cmp(yr); c != wc {
			t.Fatalf("cmp = %d, want %d", c, wc)
		}
	})
}
