package mcpkit

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
// a JWKS with issuer, audience and expiry checks. The tokens file is read
// again when it changes, so removing a line revokes that token without a
// restart.
type Authenticator struct {
	file string
	env  map[[32]byte]string
	jwt  *jwtVerifier
	log  func(msg string, args ...any)

	mu      sync.Mutex
	stamp   fileStamp
	read    time.Time
	tokens  map[[32]byte]string // the file's and the environment's
	lastErr string              // logged once, not on every request
}

const tokensRecheck = 2 * time.Second

type fileStamp struct {
	mod  time.Time
	size int64
}

// errNoCredentials is a request without a bearer token.
var errNoCredentials = errors.New("no bearer token")

// NewAuthenticator reads http.auth and $OPSMCP_HTTP_TOKENS. It is nil when
// neither configures a credential (only a loopback bind may serve so).
func NewAuthenticator(cfg config.HTTPAuth, envTokens string) (*Authenticator, error) {
	a := &Authenticator{file: cfg.TokensFile, env: map[[32]byte]string{}, log: func(string, ...any) {}}
	for _, pair := range strings.Split(envTokens, ",") {
		if err := addToken(a.env, "OPSMCP_HTTP_TOKENS", pair); err != nil {
			return nil, err
		}
	}
	if cfg.JWT != nil {
		a.jwt = &jwtVerifier{cfg: *cfg.JWT, client: &http.Client{Timeout: 10 * time.Second}}
	}
	if a.file == "" && len(a.env) == 0 && a.jwt == nil {
		return nil, nil
	}
	if err := a.reload(); err != nil {
		return nil, err
	}
	return a, nil
}

// addToken adds one principal=token line to set.
func addToken(set map[[32]byte]string, where, line string) error {
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
	set[sha256.Sum256([]byte(token))] = principal
	return nil
}

// reload reads the tokens file when it has changed since it was last read.
// A file that cannot be read or has a bad line leaves only the
// environment's tokens: a half-edited revocation must not keep the revoked
// token working.
func (a *Authenticator) reload() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.file == "" {
		if a.tokens == nil {
			a.tokens = a.env
		}
		return nil
	}
	fi, err := os.Stat(a.file)
	var stamp fileStamp
	if err == nil {
		stamp = fileStamp{fi.ModTime(), fi.Size()}
		// A file rewritten at the same size within the file system's
		// time granularity keeps its stamp: read it again now and then.
		if a.tokens != nil && stamp == a.stamp && time.Since(a.read) < tokensRecheck {
			return nil
		}
	}
	set, err := a.readFile(err)
	a.stamp, a.read = stamp, time.Now()
	if err != nil {
		a.tokens = a.env
		return err
	}
	a.tokens = set
	return nil
}

func (a *Authenticator) readFile(statErr error) (map[[32]byte]string, error) {
	if statErr != nil {
		return nil, fmt.Errorf("http.auth.tokens_file: %w", statErr)
	}
	data, err := os.ReadFile(a.file)
	if err != nil {
		return nil, fmt.Errorf("http.auth.tokens_file: %w", err)
	}
	set := maps.Clone(a.env)
	for n, line := range strings.Split(string(data), "\n") {
		if err := addToken(set, fmt.Sprintf("%s line %d", a.file, n+1), line); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// current is the token set, read again if the file changed.
func (a *Authenticator) current() map[[32]byte]string {
	err := a.reload()
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil && err.Error() != a.lastErr {
		a.log("the tokens file cannot be used; only $OPSMCP_HTTP_TOKENS' tokens are accepted until it is fixed", "err", err)
	}
	a.lastErr = ""
	if err != nil {
		a.lastErr = err.Error()
	}
	return a.tokens
}

// Holds says whether principal may still authenticate: a principal of the
// static tokens whose token was removed holds none. JWT principals are the
// issuer's to revoke (their tokens expire), so with http.auth.jwt every
// principal outside the static tokens is taken to hold one.
func (a *Authenticator) Holds(principal string) bool {
	for _, p := range a.current() {
		if p == principal {
			return true
		}
	}
	return a.jwt != nil
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
	if p, ok := a.current()[sha256.Sum256([]byte(token))]; ok {
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
