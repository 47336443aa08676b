package mcpkit_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// issuer signs JWTs with an ES256 key it publishes as a JWKS.
type issuer struct {
	key  *ecdsa.PrivateKey
	jwks *httptest.Server
	sig  jose.Signer
}

func newIssuer(t *testing.T) *issuer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	is.sig, _ = jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	is.jwks = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	}))
	t.Cleanup(is.jwks.Close)
	return is
}

func (is *issuer) token(t *testing.T, iss, aud, sub string, exp time.Duration) string {
	s, err := jwt.Signed(is.sig).Claims(jwt.Claims{Issuer: iss, Audience: jwt.Audience{aud}, Subject: sub,
		Expiry: jwt.NewNumericDate(time.Now().Add(exp)), IssuedAt: jwt.NewNumericDate(time.Now())}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type service struct {
	url   string
	store memory.Store
	logs  *testenv.SyncBuffer
}

// serve runs the HTTP service on a free loopback port until the test ends.
func serve(t *testing.T, cfg *config.Config, servers ...*mcpkit.Server) *service {
	t.Helper()
	store, err := memory.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.SyncBuffer{}
	cache := mcpkit.NewCache(0)
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(logs, slog.LevelInfo)), Cache: cache, Metrics: mcpkit.NewMetrics(cache)}
	svc, err := mcpkit.NewHTTPService(rt, servers)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx, mcpkit.ServeOptions{Addr: addr}) }()
	t.Cleanup(func() {
		cancel()
		<-done
		store.Close()
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the service did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &service{url: "http://" + addr, store: store, logs: logs}
}

func testServer() *mcpkit.Server {
	return &mcpkit.Server{Name: "t", Tools: []mcpkit.Tool{readTool, writeTool}}
}

// post sends one JSON-RPC request and returns the status, headers and body.
func post(t *testing.T, url, token, origin, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

// Authentication: no token → 401 with WWW-Authenticate pointing to the
// RFC 9728 metadata, which names the resource and its issuers; a wrong
// static token, and JWTs that are expired, for another audience, from
// another issuer or signed by another key → 401 invalid_token; a good
// static token and a good JWT get in, as their principals.
func TestHTTPAuthentication(t *testing.T) {
	is := newIssuer(t)
	t.Setenv("OPSMCP_HTTP_TOKENS", "ci=ci-token-0123456789abcdef,alice=alice-token-0123456789ab")
	cfg := config.Default()
	cfg.HTTP.Auth.JWT = &config.JWTCfg{JWKSURL: is.jwks.URL, Issuer: "https://idp.example.com", Audience: "opsmcp"}
	cfg.HTTP.Auth.AuthorizationServers = []string{"https://idp.example.com"}
	if err := cfg.HTTP.Check(); err != nil {
		t.Fatal(err)
	}
	s := serve(t, cfg, testServer())

	code, hdr, _ := post(t, s.url+"/mcp", "", "", initBody)
	challenge := hdr.Get("WWW-Authenticate")
	if code != 401 || !strings.Contains(challenge, `resource_metadata="`+s.url+`/.well-known/oauth-protected-resource/mcp"`) || strings.Contains(challenge, "invalid_token") {
		t.Fatalf("no token: %d %q", code, challenge)
	}
	resp, err := http.Get(s.url + "/.well-known/oauth-protected-resource/mcp")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		BearerMethods        []string `json:"bearer_methods_supported"`
	}
	json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if meta.Resource != s.url+"/mcp" || len(meta.AuthorizationServers) != 1 || meta.BearerMethods[0] != "header" {
		t.Errorf("protected resource metadata: %+v", meta)
	}

	other := newIssuer(t)
	for name, tok := range map[string]string{
		"wrong static token": "not-a-token-0123456789",
		"expired JWT":        is.token(t, "https://idp.example.com", "opsmcp", "bob", -time.Hour),
		"other audience":     is.token(t, "https://idp.example.com", "grafana", "bob", time.Hour),
		"other issuer":       is.token(t, "https://evil.example.com", "opsmcp", "bob", time.Hour),
		"other key":          other.token(t, "https://idp.example.com", "opsmcp", "bob", time.Hour),
	} {
		code, hdr, body := post(t, s.url+"/mcp", tok, "", initBody)
		if code != 401 || !strings.Contains(hdr.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: %d %q %s", name, code, hdr.Get("WWW-Authenticate"), body)
		}
	}
	for name, tok := range map[string]string{
		"static token": "ci-token-0123456789abcdef",
		"JWT":          is.token(t, "https://idp.example.com", "opsmcp", "bob", time.Hour),
	} {
		if code, _, body := post(t, s.url+"/mcp", tok, "", initBody); code != 200 || !strings.Contains(body, `"serverInfo"`) {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	if strings.Contains(s.logs.String(), "ci-token-0123456789abcdef") {
		t.Error("a token is in the logs")
	}
}

// Authorisation and the rest of the guard: a read-only principal does not
// see the mutating tool and, calling it, is refused with the reason and
// audited under its name; an Origin that is not allowed → 403; over the
// rate → 429 with Retry-After.
func TestHTTPRolesOriginAndRateLimit(t *testing.T) {
	t.Setenv("OPSMCP_HTTP_TOKENS", "viewer=viewer-token-0123456789,admin=admin-token-0123456789ab")
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.HTTP.Roles = map[string]config.Role{"reader": {Mode: config.ModeReadOnly}}
	cfg.HTTP.Principals = map[string]string{"viewer": "reader"}
	cfg.HTTP.AllowedOrigins = []string{"https://console.example.com"}
	cfg.HTTP.RateLimit = config.RateLimit{PerMinute: 60, Burst: 8}
	cfg.Cache.TTL = map[string]config.Duration{"echo": config.Duration(time.Minute)}
	if err := cfg.HTTP.Check(); err != nil {
		t.Fatal(err)
	}
	s := serve(t, cfg, testServer())

	connect := func(token string) *client.Client { return testenv.HTTPClient(t, s.url+"/mcp", token) }
	names := func(c *client.Client) string {
		tools, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, tl := range tools.Tools {
			n = append(n, tl.Name)
		}
		return strings.Join(n, ",")
	}
	viewer, admin := connect("viewer-token-0123456789"), connect("admin-token-0123456789ab")
	if got := names(viewer); got != "echo" {
		t.Errorf("the read-only principal sees %s", got)
	}
	if got := names(admin); got != "echo,write" {
		t.Errorf("the admin sees %s", got)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "write", map[string]any{"text": "x"}
	res, err := viewer.CallTool(context.Background(), req)
	if err != nil || !res.IsError || !strings.Contains(mcp.GetTextFromContent(res.Content[0]), "mode is read-only") {
		t.Fatalf("read-only principal writing: %v %+v", err, res)
	}
	audit, _ := s.store.ListAudit(context.Background(), 0)
	if len(audit) != 1 || audit[0].Principal != "viewer" || audit[0].Tool != "write" || !strings.Contains(audit[0].Outcome, "read-only") {
		t.Errorf("audit: %+v", audit)
	}
	// Every line of a call, the access line and the tool's, carries the
	// principal and the request id, and the two lines of one request share it.
	req.Params.Name, req.Params.Arguments = "echo", map[string]any{"text": "twice"}
	for range 2 { // the second is answered from the cache
		if res, err := viewer.CallTool(context.Background(), req); err != nil || res.IsError {
			t.Fatalf("echo: %v %+v", err, res)
		}
	}
	requests := map[string]string{} // request id → principal of its access line
	var toolLines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		id, _ := rec["request_id"].(string)
		who, _ := rec["principal"].(string)
		switch rec["msg"] {
		case "http request":
			if id == "" || who == "" {
				t.Errorf("access line without request id or principal: %s", line)
			}
			requests[id] = who
		case "tool call":
			toolLines = append(toolLines, rec)
		}
	}
	if len(toolLines) != 3 || toolLines[2]["cache"] != "hit" {
		t.Fatalf("want 3 tool call lines (write, echo, echo from the cache), got %d:\n%s", len(toolLines), s.logs.String())
	}
	for _, rec := range toolLines {
		id, _ := rec["request_id"].(string)
		if who, ok := requests[id]; !ok || who != "viewer" || rec["principal"] != "viewer" {
			t.Errorf("tool call line %v: its request id and principal do not match an access line's (%v)", rec, requests)
		}
	}

	if code, _, body := post(t, s.url+"/mcp", "admin-token-0123456789ab", "https://evil.example.com", initBody); code != 403 || !strings.Contains(body, "Origin") {
		t.Errorf("bad Origin: %d %s", code, body)
	}
	if code, hdr, _ := post(t, s.url+"/mcp", "admin-token-0123456789ab", "https://console.example.com", initBody); code != 200 || hdr.Get("Access-Control-Allow-Origin") != "https://console.example.com" {
		t.Errorf("allowed Origin: %d %q", code, hdr.Get("Access-Control-Allow-Origin"))
	}
	limited := false
	for range 20 {
		code, hdr, _ := post(t, s.url+"/mcp", "viewer-token-0123456789", "", initBody)
		if code == 429 {
			limited = hdr.Get("Retry-After") == "1"
			break
		}
	}
	if !limited {
		t.Error("20 requests at a burst of 8 were never limited with Retry-After: 1")
	}
	// The limit is per principal: the admin still gets in.
	if code, _, _ := post(t, s.url+"/mcp", "admin-token-0123456789ab", "", initBody); code != 200 {
		t.Errorf("another principal after the limit: %d", code)
	}

	// What happened is in /metrics, with no principal or argument in a label.
	req.Params.Name, req.Params.Arguments = "echo", map[string]any{"text": "hello"}
	if _, err := admin.CallTool(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics := string(b)
	for _, want := range []string{`mcp_tool_calls_total{server="t",tool="write"} 1`, `mcp_tool_calls_total{server="t",tool="echo"} 3`,
		`mcp_tool_errors_total{error_type="policy",server="t",tool="write"} 1`, `mcp_tool_duration_seconds_count{server="t",tool="echo"} 3`,
		"mcp_rate_limited_total 1", "mcp_cache_requests_total", "mcp_cache_hits_total", `opsmcp_build_info{goversion="go`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, "viewer") || strings.Contains(metrics, "hello") {
		t.Error("a principal or an argument is in /metrics")
	}
}

// Without authentication only loopback is served; health and readiness
// answer without a token.
func TestHTTPRefusesNonLoopbackWithoutAuth(t *testing.T) {
	os.Unsetenv("OPSMCP_HTTP_TOKENS")
	cfg := config.Default()
	if err := cfg.HTTP.Check(); err != nil {
		t.Fatal(err)
	}
	rt := &mcpkit.Runtime{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	svc, err := mcpkit.NewHTTPService(rt, []*mcpkit.Server{testServer()})
	if err != nil {
		t.Fatal(err)
	}
	err = svc.Serve(context.Background(), mcpkit.ServeOptions{Addr: "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "non-loopback address without authentication") {
		t.Fatalf("0.0.0.0 without auth: %v", err)
	}
	s := serve(t, cfg, testServer())
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": `"ready":true`} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
	}
}

// The Grafana dashboard shows the five things the service is watched by,
// and every series it queries is one the service exports.
func TestGrafanaDashboardQueriesExportedSeries(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "opsmcp.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	// One failed call, so that every labelled series has a sample.
	cache := mcpkit.NewCache(0)
	m := mcpkit.NewMetrics(cache)
	cfg := config.Default()
	cfg.Mode = config.ModeReadOnly
	rt := &mcpkit.Runtime{Config: cfg, Log: slog.New(slog.DiscardHandler), Cache: cache, Metrics: m}
	mcpkit.NewHost(testServer(), rt).Call(context.Background(), "write", json.RawMessage(`{"text":"x"}`), nil)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	exported := rec.Body.String()
	series := regexp.MustCompile(`\b(mcp|opsmcp)_[a-z_]+`)
	var titles []string
	for _, p := range dash.Panels {
		titles = append(titles, p.Title)
		for _, tg := range p.Targets {
			for _, name := range series.FindAllString(tg.Expr, -1) {
				base := strings.TrimSuffix(name, "_bucket")
				if !strings.Contains(exported, "# TYPE "+base+" ") {
					t.Errorf("panel %q queries %s, which /metrics does not export", p.Title, name)
				}
			}
		}
	}
	for _, want := range []string{"Tool calls per second", "p95 tool call duration", "Errors per second, by type", "Response cache hit rate", "Rate-limited requests per second"} {
		if !slices.Contains(titles, want) {
			t.Errorf("no panel %q", want)
		}
	}
}

// --tls-cert and --tls-key serve HTTPS with that certificate.
func TestHTTPServesTLS(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "opsmcp-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)

	cfg := config.Default()
	cfg.HTTP.Check()
	rt := &mcpkit.Runtime{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	svc, err := mcpkit.NewHTTPService(rt, []*mcpkit.Server{testServer()})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx, mcpkit.ServeOptions{Addr: addr, TLSCert: certFile, TLSKey: keyFile}) }()
	defer func() { cancel(); <-done }()
	pool := x509.NewCertPool()
	parsed, _ := x509.ParseCertificate(der)
	pool.AddCert(parsed)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err = c.Get("https://" + addr + "/healthz"); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("https: %v", err)
	}
	resp.Body.Close()
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil && resp.StatusCode == 200 {
		t.Error("plain HTTP was answered on the TLS port")
	}
	if err := svc.Serve(context.Background(), mcpkit.ServeOptions{Addr: "127.0.0.1:0", TLSCert: certFile}); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("a certificate without its key: %v", err)
	}
}

// A body over http.max_request_bytes is refused with 413 and the limit,
// whether it declares its length or is chunked, and the tool never runs; a
// client that sends its body too slowly is cut off at http.read_timeout.
func TestHTTPRequestLimits(t *testing.T) {
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.HTTP.MaxRequestBytes = 2048
	cfg.HTTP.ReadTimeout = config.Duration(time.Second)
	if err := cfg.HTTP.Check(); err != nil {
		t.Fatal(err)
	}
	s := serve(t, cfg, testServer())
	big := fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"write","arguments":{"text":%q}}}`, strings.Repeat("x", 4096))
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(strings.NewReader(big)) // no length: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPost, s.url+"/mcp", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set(mcp.HeaderProtocolVersion, mcp.ProtocolVersion20251125)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "http.max_request_bytes") || !strings.Contains(string(b), "2048") {
			t.Errorf("a %d-byte body (chunked %v): %d %s", len(big), chunked, resp.StatusCode, b)
		}
	}
	if audit, _ := s.store.ListAudit(context.Background(), 0); len(audit) != 0 {
		t.Errorf("an oversized call ran: %+v", audit)
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: %d\r\n\r\n%s", len(initBody), initBody[:10])
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	io.ReadAll(conn) // returns when the server closes the connection
	if waited := time.Since(start); waited > 15*time.Second {
		t.Errorf("a stalled body held the connection for %s (read_timeout 1s)", waited)
	}
}
