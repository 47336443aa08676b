package mcpkit

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/opsmcp/opsmcp/internal/config"
)

// Authenticator names the principal of an HTTP request from its bearer
// token: a static token (kept only as its sha256) or a JWT verified against
// a JWKS with issuer, audience and expiry checks.
type Authenticator struct {
	tokens map[[32]byte]string
	jwt    *jwtVerifier
}

// errNoCredentials is a request without a bearer token.
var errNoCredentials = errors.New("no bearer token")

// NewAuthenticator reads http.auth and $OPSMCP_HTTP_TOKENS. It is nil when
// neither configures a credential (only a loopback bind may serve so).
func NewAuthenticator(cfg config.HTTPAuth, envTokens string) (*Authenticator, error) {
	a := &Authenticator{tokens: map[[32]byte]string{}}
	add := func(where, line string) error {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			return nil
		}
		principal, token, ok := strings.Cut(line, "=")
		principal, token = strings.TrimSpace(principal), strings.TrimSpace(token)
		if !ok || principal == "" || token == "" {
			return fmt.Errorf("%s: want principal=token pairs", where)
		}
		if len(token) < 16 {
			return fmt.Errorf("%s: the token of %s is shorter than 16 characters", where, principal)
		}
		a.tokens[sha256.Sum256([]byte(token))] = principal
		return nil
	}
	if cfg.TokensFile != "" {
		f, err := os.Open(cfg.TokensFile)
		if err != nil {
			return nil, fmt.Errorf("http.auth.tokens_file: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if err := add(fmt.Sprintf("%s line %d", cfg.TokensFile, n), sc.Text()); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	for _, pair := range strings.Split(envTokens, ",") {
		if err := add("OPSMCP_HTTP_TOKENS", pair); err != nil {
			return nil, err
		}
	}
	if cfg.JWT != nil {
		a.jwt = &jwtVerifier{cfg: *cfg.JWT, client: &http.Client{Timeout: 10 * time.Second}}
	}
	if len(a.tokens) == 0 && a.jwt == nil {
		return nil, nil
	}
	return a, nil
}

// Principal authenticates r.
func (a *Authenticator) Principal(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return "", errNoCredentials
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", errors.New("the Authorization header is not a bearer token")
	}
	token = strings.TrimSpace(token)
	if p, ok := a.tokens[sha256.Sum256([]byte(token))]; ok {
		return p, nil
	}
	if a.jwt != nil && strings.Count(token, ".") == 2 {
		return a.jwt.verify(r.Context(), token)
	}
	return "", errors.New("the token is not valid")
}

// jwtVerifier checks JWTs against a JWKS it fetches, and fetches again
// (at most once a minute) when a token names a key it does not have.
type jwtVerifier struct {
	cfg     config.JWTCfg
	client  *http.Client
	mu      sync.Mutex
	keys    jose.JSONWebKeySet
	fetched time.Time
}

var jwtAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.ES256, jose.ES384, jose.EdDSA}

func (v *jwtVerifier) verify(ctx context.Context, raw string) (string, error) {
	tok, err := jwt.ParseSigned(raw, jwtAlgorithms)
	if err != nil {
		return "", fmt.Errorf("the JWT cannot be read: %v", err)
	}
	kid := tok.Headers[0].KeyID
	key, err := v.key(ctx, kid)
	if err != nil {
		return "", err
	}
	var claims jwt.Claims
	extra := map[string]any{}
	if err := tok.Claims(key.Key, &claims, &extra); err != nil {
		return "", errors.New("the JWT's signature does not verify")
	}
	if claims.Expiry == nil {
		return "", errors.New("the JWT has no expiry (exp)")
	}
	err = claims.ValidateWithLeeway(jwt.Expected{Issuer: v.cfg.Issuer, AnyAudience: jwt.Audience{v.cfg.Audience}, Time: time.Now()}, 30*time.Second)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return "", errors.New("the JWT has expired")
	case errors.Is(err, jwt.ErrInvalidAudience):
		return "", fmt.Errorf("the JWT is not for this service (audience %q)", v.cfg.Audience)
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return "", fmt.Errorf("the JWT is not from issuer %q", v.cfg.Issuer)
	case err != nil:
		return "", fmt.Errorf("the JWT is not valid: %v", err)
	}
	claim := v.cfg.PrincipalClaim
	if claim == "" || claim == "sub" {
		if claims.Subject == "" {
			return "", errors.New("the JWT has no subject (sub)")
		}
		return claims.Subject, nil
	}
	p, _ := extra[claim].(string)
	if p == "" {
		return "", fmt.Errorf("the JWT has no %s claim", claim)
	}
	return p, nil
}

func (v *jwtVerifier) key(ctx context.Context, kid string) (jose.JSONWebKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	find := func() (jose.JSONWebKey, bool) {
		for _, k := range v.keys.Keys {
			if k.KeyID == kid && k.Use != "enc" {
				return k, true
			}
		}
		return jose.JSONWebKey{}, false
	}
	if k, ok := find(); ok {
		return k, nil
	}
	if time.Since(v.fetched) < time.Minute && !v.fetched.IsZero() {
		return jose.JSONWebKey{}, fmt.Errorf("the JWT's key %q is not in the JWKS", kid)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("fetching the JWKS: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return jose.JSONWebKey{}, fmt.Errorf("fetching the JWKS: %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&set); err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("the JWKS is not a key set: %v", err)
	}
	v.keys, v.fetched = set, time.Now()
	if k, ok := find(); ok {
		return k, nil
	}
	return jose.JSONWebKey{}, fmt.Errorf("the JWT's key %q is not in the JWKS", kid)
}

// requestKey carries a request's identity in its context.
type requestKey struct{}

type requestIdentity struct{ principal, requestID string }

// WithPrincipal is ctx carrying the authenticated principal of a request;
// calls made under it are logged and audited as that principal.
func WithPrincipal(ctx context.Context, principal, requestID string) context.Context {
	return context.WithValue(ctx, requestKey{}, requestIdentity{principal, requestID})
}

// PrincipalFrom is the authenticated principal of a request ("" outside
// the HTTP service).
func PrincipalFrom(ctx context.Context) string {
	p, _ := principalFrom(ctx)
	return p
}

func principalFrom(ctx context.Context) (principal, requestID string) {
	id, _ := ctx.Value(requestKey{}).(requestIdentity)
	return id.principal, id.requestID
}
