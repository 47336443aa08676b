package mcpkit

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed authentications are throttled per client address, before the
// credentials are even checked: guessing tokens from one address slows to
// a trickle, and other addresses (and that address's valid tokens, once
// it waits) are not locked out.
const (
	authFailureBurst   = 10              // failures allowed at once
	authFailureRefill  = 6 * time.Second // then one more every
	authFailureClients = 10000           // addresses remembered at most
)

type authFailures struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func newAuthFailures() *authFailures { return &authFailures{m: map[string]*rate.Limiter{}} }

// blocked says how long an address must wait before it may try again
// (0: it may).
func (a *authFailures) blocked(client string) time.Duration {
	a.mu.Lock()
	lim := a.m[client]
	a.mu.Unlock()
	if lim == nil {
		return 0
	}
	now := time.Now()
	if lim.TokensAt(now) >= 1 {
		return 0
	}
	r := lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return max(d, time.Second)
}

// failed takes one failure from the address's allowance.
func (a *authFailures) failed(client string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	lim := a.m[client]
	if lim == nil {
		if len(a.m) >= authFailureClients {
			a.prune()
		}
		lim = rate.NewLimiter(rate.Every(authFailureRefill), authFailureBurst)
		a.m[client] = lim
	}
	lim.Allow()
}

// prune forgets addresses whose allowance is whole again; if all are still
// throttled, the oldest half of the map goes (map order is random enough).
func (a *authFailures) prune() {
	now := time.Now()
	for k, l := range a.m {
		if l.TokensAt(now) >= authFailureBurst {
			delete(a.m, k)
		}
	}
	for k := range a.m {
		if len(a.m) < authFailureClients/2 {
			break
		}
		delete(a.m, k)
	}
}

// clientAddr is the connection's remote address without its port: a proxy
// header is not trusted (anyone can send one).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
