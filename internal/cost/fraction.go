package cost

import (
	"math"
	"math/bits"
	"strconv"
)

// Arithmetic and formatting of int64 fractions, for Dec while a value
// fits: each reports when it does not, and Dec falls back to big.Rat.

// parseSmall reads a plain decimal ("-12.345") of at most 18 digits without
// allocating; anything else is left to big.Rat.
func parseSmall(s string) (Dec, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 19 {
		return Dec{}, false
	}
	var n, d int64 = 0, 1
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if dot {
				d *= 10
			}
		case c == '.' && !dot:
			dot = true
		default:
			return Dec{}, false
		}
	}
	if digits == 0 || digits > 18 {
		return Dec{}, false
	}
	if neg {
		n = -n
	}
	return small(n, d), true
}

// addFrac is a/b + c/f (b, f > 0) in lowest terms, unless a part overflows.
func addFrac(a, b, c, f int64) (Dec, bool) {
	g := gcd(b, f)
	ad, ok := mul64(a, f/g)
	if !ok {
		return Dec{}, false
	}
	cb, ok := mul64(c, b/g)
	if !ok {
		return Dec{}, false
	}
	n, ok := add64(ad, cb)
	if !ok {
		return Dec{}, false
	}
	den, ok := mul64(b, f/g)
	if !ok {
		return Dec{}, false
	}
	return small(n, den), true
}

// mulFrac is a/b × c/f (each in lowest terms, b, f > 0), unless it
// overflows. Cross-reduced first, the product is in lowest terms already.
func mulFrac(a, b, c, f int64) (Dec, bool) {
	g1, g2 := gcd(abs(a), f), gcd(abs(c), b)
	n, ok := mul64(a/g1, c/g2)
	if !ok {
		return Dec{}, false
	}
	den, ok := mul64(b/g2, f/g1)
	if !ok {
		return Dec{}, false
	}
	return Dec{n: n, d: den}, true
}

// mul64 is a×b, unless it overflows (or is MinInt64, which has no negation).
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	hi, lo := bits.Mul64(uint64(abs(a)), uint64(abs(b)))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// add64 is a+b, unless it overflows (or is MinInt64).
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) || s == math.MinInt64 {
		return 0, false
	}
	return s, true
}

// abs of a value that is never MinInt64.
func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// appendRounded appends n/den (den > 0) rounded half away from zero to
// places (≤ 18) decimals, as big.Rat's FloatString writes it: a negative
// fraction keeps its sign even when it rounds to zero ("-0.00").
func appendRounded(buf []byte, n, den int64, places int) []byte {
	p := int64(1)
	for range places {
		p *= 10
	}
	if n < 0 {
		buf = append(buf, '-')
	}
	u := uint64(abs(n))
	q, r := u/uint64(den), u%uint64(den)
	// The fraction r/den scaled to places digits, in 128 bits: r < den, so
	// the quotient fits.
	hi, lo := bits.Mul64(r, uint64(p))
	f, rem := bits.Div64(hi, lo, uint64(den))
	if rem >= uint64(den)-rem {
		if f++; f == uint64(p) {
			q, f = q+1, 0
		}
	}
	buf = strconv.AppendUint(buf, q, 10)
	if places > 0 {
		buf = append(buf, '.')
		digits := strconv.AppendUint(nil, f, 10)
		for range places - len(digits) {
			buf = append(buf, '0')
		}
		buf = append(buf, digits...)
	}
	return buf
}

// decimals is how many decimals 1/den has when it has finitely many
// (den = 2^a·5^b: max(a, b)), as big.Rat's FloatPrec says.
func decimals(den int64) (int, bool) {
	twos, fives := 0, 0
	for den%2 == 0 {
		den, twos = den/2, twos+1
	}
	for den%5 == 0 {
		den, fives = den/5, fives+1
	}
	return max(twos, fives), den == 1
}
