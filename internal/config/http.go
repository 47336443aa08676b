package config

import (
	"errors"
	"fmt"
	"time"
)

// HTTP is the http: section: how the streamable HTTP transport lets
// people and CI in.
type HTTP struct {
	Auth HTTPAuth `json:"auth"`
	// Roles set what a principal may do: its mode and tool allowlists.
	Roles map[string]Role `json:"roles,omitempty"`
	// Principals map a principal (a token's name, a JWT's subject) to a
	// role; "*" is every other authenticated principal. Unmapped principals
	// get the file's own mode and tools.
	Principals map[string]string `json:"principals,omitempty"`
	// AllowedOrigins may call from a browser (CORS); a request with any
	// other Origin is refused.
	AllowedOrigins []string `json:"allowed_origins,omitempty"`
	// AllowedHosts are the Host headers accepted (DNS rebinding); empty
	// accepts any Host on non-loopback connections and localhost names on
	// loopback ones.
	AllowedHosts []string `json:"allowed_hosts,omitempty"`
	// RateLimit is per principal: requests a minute (default 100) and burst
	// (default 20).
	RateLimit       RateLimit `json:"rate_limit"`
	MaxRequestBytes int64     `json:"max_request_bytes,omitempty"` // default 4 MiB
	ReadTimeout     Duration  `json:"read_timeout,omitempty"`      // default 30s
	WriteTimeout    Duration  `json:"write_timeout,omitempty"`     // default 0: calls stream as long as they run
	// ShutdownGrace is how long a stopping server lets calls in flight
	// finish (a terraform apply within it is not cut short); default 10m.
	ShutdownGrace Duration `json:"shutdown_grace,omitempty"`
}

// HTTPAuth is http.auth: static bearer tokens, JWTs, or (loopback only)
// none.
type HTTPAuth struct {
	// TokensFile holds "principal=token" lines; $OPSMCP_HTTP_TOKENS
	// ("alice=t1,ci=t2") adds to it. Tokens are kept only as hashes.
	TokensFile string  `json:"tokens_file,omitempty"`
	JWT        *JWTCfg `json:"jwt,omitempty"`
	// Disabled serves without authentication; only on a loopback address.
	Disabled bool `json:"disabled,omitempty"`
	// Resource is this service's URL in its OAuth protected resource
	// metadata (default: from the request); AuthorizationServers are the
	// issuers clients get tokens from.
	Resource             string   `json:"resource,omitempty"`
	AuthorizationServers []string `json:"authorization_servers,omitempty"`
}

// JWTCfg verifies JWTs against a JWKS.
type JWTCfg struct {
	JWKSURL  string `json:"jwks_url"`
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
	// PrincipalClaim names the principal (default sub).
	PrincipalClaim string `json:"principal_claim,omitempty"`
}

// RateLimit is http.rate_limit.
type RateLimit struct {
	PerMinute int `json:"per_minute,omitempty"`
	Burst     int `json:"burst,omitempty"`
}

// HTTP defaults.
const (
	DefaultRatePerMinute   = 100
	DefaultRateBurst       = 20
	DefaultMaxRequestBytes = 4 << 20
	DefaultReadTimeout     = 30 * time.Second
	DefaultShutdownGrace   = 10 * time.Minute
)

// Check fills in http: defaults and checks the section (Load does it).
func (h *HTTP) Check() error {
	if h.RateLimit.PerMinute == 0 {
		h.RateLimit.PerMinute = DefaultRatePerMinute
	}
	if h.RateLimit.Burst == 0 {
		h.RateLimit.Burst = DefaultRateBurst
	}
	if h.RateLimit.PerMinute < 0 || h.RateLimit.Burst < 0 {
		return errors.New("http.rate_limit: per_minute and burst must be positive")
	}
	if h.MaxRequestBytes == 0 {
		h.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if h.ReadTimeout == 0 {
		h.ReadTimeout = Duration(DefaultReadTimeout)
	}
	if h.ShutdownGrace == 0 {
		h.ShutdownGrace = Duration(DefaultShutdownGrace)
	}
	for name, r := range h.Roles {
		if _, err := ParseMode(string(r.Mode)); err != nil {
			return fmt.Errorf("http.roles.%s: %w", name, err)
		}
	}
	for p, role := range h.Principals {
		if _, ok := h.Roles[role]; !ok {
			return fmt.Errorf("http.principals.%s: role %q is not in http.roles", p, role)
		}
	}
	if j := h.Auth.JWT; j != nil {
		switch {
		case j.JWKSURL == "":
			return errors.New("http.auth.jwt needs jwks_url")
		case j.Issuer == "":
			return errors.New("http.auth.jwt needs issuer: tokens of any other issuer are refused")
		case j.Audience == "":
			return errors.New("http.auth.jwt needs audience: tokens for any other service are refused")
		}
	}
	return nil
}

// finish checks the section and resolves the tokens file.
func (h *HTTP) finish(base string) error {
	if err := h.Check(); err != nil {
		return err
	}
	if h.Auth.TokensFile != "" {
		h.Auth.TokensFile = resolve(base, h.Auth.TokensFile)
	}
	return nil
}
