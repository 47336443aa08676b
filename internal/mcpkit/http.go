package mcpkit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/time/rate"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// ServeOptions are where and how a process serves streamable HTTP.
type ServeOptions struct {
	Addr            string
	TLSCert, TLSKey string
	// MetricsAddr serves /metrics beside a stdio server.
	MetricsAddr string
	// Pages is a web UI served beside the MCP endpoints.
	Pages *Pages
	// Background runs beside the servers until they stop (scheduled drift
	// detection).
	Background func(ctx context.Context, rt *Runtime)
	// Toolsets override tools.toolsets (--toolsets).
	Toolsets []string
}

// Pages is a web UI under Prefix: Static (the page shell, scripts and
// styles: no data) is served to anyone; Data, one handler per role's
// runtime, behind the same authentication, rate limit and size limit as
// the MCP endpoints, under Prefix+"data/".
type Pages struct {
	Prefix string
	Static http.Handler
	Data   func(rt *Runtime) http.Handler
}

// HTTPService serves hosts over streamable HTTP (stateless, so replicas
// need no sticky sessions) behind Host and Origin checks, authentication,
// a per-principal rate limit and a request size limit, with /healthz and
// /readyz beside them.
type HTTPService struct {
	// next is the service a configuration reload built: requests from
	// then on are its (stateless MCP: no session is dropped).
	next     atomic.Pointer[HTTPService]
	rt       *Runtime
	runtimes map[string]*Runtime // by role; "" the file's
	cfg      config.HTTP
	auth     *Authenticator
	limits   *limiters
	failures *authFailures
	mux      *http.ServeMux
	paths    []string
	ready    []ReadyCheck
}

// ReadyCheck is something a server needs to answer calls (terraform, a
// Kubernetes API); applies is false when it is not configured.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context, cfg *config.Config) (applies bool, err error)
}

// NewHTTPService mounts each server at /mcp (one server) or /NAME/mcp
// (several, as `opsmcp serve --all` does). Each role of http.roles gets
// its own host, so that a principal sees and may call what its role's mode
// and tool lists allow.
func NewHTTPService(rt *Runtime, servers []*Server) (*HTTPService, error) {
	auth, err := NewAuthenticator(rt.Config.HTTP.Auth, os.Getenv("OPSMCP_HTTP_TOKENS"))
	if err != nil {
		return nil, err
	}
	if auth != nil {
		auth.log = rt.Log.Warn
		withAuth := *rt
		withAuth.Credentials = auth
		rt = &withAuth
	}
	s := &HTTPService{rt: rt, cfg: rt.Config.HTTP, auth: auth, mux: http.NewServeMux(),
		limits: newLimiters(rt.Config.HTTP.RateLimit), failures: newAuthFailures()}
	runtimes := map[string]*Runtime{"": rt}
	for name, role := range s.cfg.Roles {
		r := *rt
		r.Config = rt.Config.ForRole(role)
		runtimes[name] = &r
	}
	s.runtimes = runtimes
	for _, srv := range servers {
		path := "/mcp"
		if len(servers) > 1 {
			path = "/" + srv.Name + "/mcp"
		}
		byRole := map[string]http.Handler{}
		for role, r := range runtimes {
			// The call's context derives from the request's, which guard
			// gave the principal and request id.
			opts := []server.StreamableHTTPOption{server.WithEndpointPath(path), server.WithStateLess(true)}
			if len(s.cfg.AllowedOrigins) > 0 {
				opts = append(opts, server.WithStreamableHTTPCORS(server.WithCORSAllowedOrigins(s.cfg.AllowedOrigins...)))
			}
			byRole[role] = server.NewStreamableHTTPServer(NewHost(srv, r).MCPServer(), opts...)
		}
		s.mux.Handle(path, s.guard(path, byRole))
		s.mux.HandleFunc("/.well-known/oauth-protected-resource"+path, s.resourceMetadata(path))
		s.paths = append(s.paths, path)
		for _, c := range srv.Ready {
			if !slices.ContainsFunc(s.ready, func(r ReadyCheck) bool { return r.Name == c.Name }) {
				s.ready = append(s.ready, c)
			}
		}
	}
	s.mux.HandleFunc("/.well-known/oauth-protected-resource", s.resourceMetadata(""))
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("/readyz", s.readyz)
	if rt.Metrics != nil {
		s.mux.Handle("/metrics", rt.Metrics.Handler())
	}
	return s, nil
}

// MountPages serves p beside the MCP endpoints.
func (s *HTTPService) MountPages(p *Pages) {
	byRole := map[string]http.Handler{}
	for role, r := range s.runtimes {
		byRole[role] = p.Data(r)
	}
	s.mux.Handle(p.Prefix+"data/", s.guard(p.Prefix+"data/", byRole))
	s.mux.Handle(p.Prefix, p.Static)
}

// Handler is the whole service.
func (s *HTTPService) Handler() http.Handler { return s }

// Paths are the MCP endpoints.
func (s *HTTPService) Paths() []string { return s.paths }

// guard is what every MCP request passes before a host sees it.
func (s *HTTPService) guard(path string, byRole map[string]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		principal := ""
		defer func() {
			s.rt.Log.Info("http request", "request_id", id, "principal", principal, "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		if len(s.cfg.AllowedHosts) > 0 && !slices.Contains(s.cfg.AllowedHosts, hostOnly(r.Host)) {
			http.Error(rec, fmt.Sprintf("Host %q is not allowed (http.allowed_hosts)", r.Host), http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !slices.Contains(s.cfg.AllowedOrigins, o) && !(isLocalOrigin(o) && isLoopbackHost(hostOnly(r.Host))) {
			http.Error(rec, fmt.Sprintf("Origin %q is not allowed (http.allowed_origins)", o), http.StatusForbidden)
			return
		}
		if s.auth != nil {
			client := clientAddr(r)
			if wait := s.failures.blocked(client); wait > 0 {
				s.rt.Metrics.limited()
				rec.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				http.Error(rec, "too many failed authentications from this address; retry later", http.StatusTooManyRequests)
				return
			}
			p, err := s.auth.Principal(r)
			if err != nil {
				if !errors.Is(err, errNoCredentials) {
					s.failures.failed(client)
				}
				challenge := fmt.Sprintf(`Bearer realm="opsmcp", resource_metadata=%q`, s.baseURL(r)+"/.well-known/oauth-protected-resource"+path)
				if !errors.Is(err, errNoCredentials) {
					challenge += fmt.Sprintf(`, error="invalid_token", error_description=%q`, err.Error())
				}
				rec.Header().Set("WWW-Authenticate", challenge)
				http.Error(rec, "unauthorized: "+err.Error(), http.StatusUnauthorized)
				return
			}
			principal = p
		} else {
			principal = s.rt.Principal
			if principal == "" {
				principal = "local"
			}
		}
		if ok, wait := s.limits.allow(principal); !ok {
			s.rt.Metrics.limited()
			rec.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			http.Error(rec, fmt.Sprintf("rate limited: %s may make %d requests a minute (http.rate_limit)", principal, s.cfg.RateLimit.PerMinute), http.StatusTooManyRequests)
			return
		}
		// Read the body here, not in mcp-go, so that one over the limit gets
		// 413 and the limit rather than a JSON-RPC parse error.
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxRequestBytes+1))
			if int64(len(body)) > s.cfg.MaxRequestBytes {
				http.Error(rec, fmt.Sprintf("request body is over %d bytes (http.max_request_bytes)", s.cfg.MaxRequestBytes), http.StatusRequestEntityTooLarge)
				return
			}
			if err != nil {
				http.Error(rec, "reading the request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		role := s.cfg.Principals[principal]
		if role == "" {
			role = s.cfg.Principals["*"]
		}
		byRole[role].ServeHTTP(rec, r.WithContext(WithPrincipal(r.Context(), principal, id)))
	})
}

func (s *HTTPService) baseURL(r *http.Request) string {
	if s.cfg.Auth.Resource != "" {
		return strings.TrimRight(s.cfg.Auth.Resource, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// resourceMetadata is RFC 9728's OAuth 2.0 Protected Resource Metadata.
func (s *HTTPService) resourceMetadata(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"resource":                 s.baseURL(r) + path,
			"authorization_servers":    s.cfg.Auth.AuthorizationServers,
			"bearer_methods_supported": []string{"header"},
			"resource_name":            "opsmcp",
		})
	}
}

// readyz: the memory store answers, terraform is there, and the
// configured Kubernetes API answers.
func (s *HTTPService) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	fail := func(name string, err error) {
		checks[name] = err.Error()
		ok = false
	}
	if s.rt.Memory == nil {
		fail("memory", errors.New("no memory store"))
	} else if _, err := s.rt.Memory.List(ctx, memory.Filter{Limit: 1}); err != nil {
		fail("memory", err)
	} else {
		checks["memory"] = "ok"
	}
	for _, c := range s.ready {
		switch applies, err := c.Check(ctx, s.rt.Config); {
		case !applies:
		case err != nil:
			fail(c.Name, err)
		default:
			checks[c.Name] = "ok"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": checks})
}

// Serve listens until ctx ends, then lets calls in flight finish within
// http.shutdown_grace. A non-loopback address needs http.auth.
func (s *HTTPService) Serve(ctx context.Context, o ServeOptions) error {
	if err := s.checkListen(o); err != nil {
		return err
	}
	addr := HTTPAddr(o.Addr)
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Duration(s.cfg.ReadTimeout), WriteTimeout: time.Duration(s.cfg.WriteTimeout)}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--http %s: %w", addr, err)
	}
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	gcPercent, memLimit := tuneGCForServing()
	s.rt.Log.Info("serving streamable HTTP", "url", scheme+"://"+ln.Addr().String(), "paths", strings.Join(s.paths, ","), "auth", s.auth != nil,
		"gc_percent", gcPercent, "memory_limit_bytes", memLimit)
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.cfg.ShutdownGrace))
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	if o.TLSCert != "" {
		err = srv.ServeTLS(ln, o.TLSCert, o.TLSKey)
	} else {
		err = srv.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Serve returns as soon as shutdown starts; the calls in flight are
	// still running until Shutdown returns.
	return <-done
}

// checkListen refuses to serve a non-loopback address without
// authentication, at start and after a reload alike.
func (s *HTTPService) checkListen(o ServeOptions) error {
	host, port, err := net.SplitHostPort(HTTPAddr(o.Addr))
	if err != nil || port == "" {
		return fmt.Errorf("--http %q: want HOST:PORT such as 127.0.0.1:8080", o.Addr)
	}
	if !isLoopbackHost(host) {
		if s.auth == nil {
			return fmt.Errorf("--http %s: refusing to listen on a non-loopback address without authentication: set http.auth.tokens_file, $OPSMCP_HTTP_TOKENS or http.auth.jwt in opsmcp.yaml", o.Addr)
		}
		if s.cfg.Auth.Disabled {
			return fmt.Errorf("--http %s: http.auth.disabled is only for loopback addresses", o.Addr)
		}
	}
	return nil
}

// ServeHTTP serves a request with the newest configuration's service.
func (s *HTTPService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if n := s.next.Load(); n != nil {
		n.mux.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// limiters are per-principal token buckets.
type limiters struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

func newLimiters(c config.RateLimit) *limiters {
	return &limiters{every: rate.Limit(float64(c.PerMinute) / 60), burst: c.Burst, m: map[string]*rate.Limiter{}}
}

// allow takes a token for principal, or says how long until there is one.
func (l *limiters) allow(principal string) (bool, time.Duration) {
	l.mu.Lock()
	lim := l.m[principal]
	if lim == nil {
		lim = rate.NewLimiter(l.every, l.burst)
		l.m[principal] = lim
	}
	l.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return false, d
	}
	return true, 0
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Flush lets streamed (SSE) responses through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// isLocalOrigin: a page served from this machine, calling a server it
// reaches as localhost (a rebinding attack's Origin is the attacker's name).
func isLocalOrigin(origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && isLoopbackHost(u.Hostname())
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
