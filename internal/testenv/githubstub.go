package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// GitHubStub is a GitHub REST API for tests, in GitHub's own response
// shapes: each expected request is a Route (method, path, query, body
// checks). Any other request fails the test, and so does a route that was
// never requested. Clients reach it as a GitHub Enterprise Server
// (github.base_url = URL), under /api/v3.
type GitHubStub struct {
	*httptest.Server
	t      testing.TB
	token  string
	mu     sync.Mutex
	routes []*GitHubRoute
}

// GitHubReply is one answer.
type GitHubReply struct {
	Status int
	Header map[string]string
	Body   any // JSON-encoded; a string is sent as is
}

// GitHubRoute is an expected request and its answers, in order (the
// last one repeats).
type GitHubRoute struct {
	Method, Path string
	// Query holds parameters the request must carry.
	Query map[string]string
	// Check inspects the JSON body; it returns what is wrong, or "".
	Check   func(body map[string]any) string
	Replies []GitHubReply
	calls   int
}

// NewGitHubStub starts a stub that requires "Bearer token" on every request.
func NewGitHubStub(t testing.TB, token string) *GitHubStub {
	s := &GitHubStub{t: t, token: token}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.Close()
		for _, r := range s.routes {
			if r.calls == 0 {
				t.Errorf("GitHub stub: %s %s %v was never requested", r.Method, r.Path, r.Query)
			}
		}
	})
	return s
}

// On adds a route answering 200 with body.
func (s *GitHubStub) On(method, path string, body any) *GitHubRoute {
	return s.Route(&GitHubRoute{Method: method, Path: path, Replies: []GitHubReply{{Status: 200, Body: body}}})
}

// Route adds a route.
func (s *GitHubStub) Route(r *GitHubRoute) *GitHubRoute {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes = append(s.routes, r)
	return r
}

// Calls is how many times a route was requested.
func (r *GitHubRoute) Calls() int { return r.calls }

func (s *GitHubStub) serve(w http.ResponseWriter, req *http.Request) {
	path := strings.TrimPrefix(req.URL.Path, "/api/v3")
	if got := req.Header.Get("Authorization"); got != "Bearer "+s.token {
		s.t.Errorf("GitHub stub: %s %s with Authorization %q", req.Method, path, got)
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	raw, _ := io.ReadAll(req.Body)
	s.mu.Lock()
	var route *GitHubRoute
	for _, r := range s.routes {
		if r.Method != req.Method || r.Path != path {
			continue
		}
		match := true
		for k, v := range r.Query {
			if req.URL.Query().Get(k) != v {
				match = false
			}
		}
		if match {
			route = r
			break
		}
	}
	if route == nil {
		s.mu.Unlock()
		s.t.Errorf("GitHub stub: unexpected %s %s", req.Method, req.URL)
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
		return
	}
	reply := route.Replies[min(route.calls, len(route.Replies)-1)]
	route.calls++
	s.mu.Unlock()
	if route.Check != nil {
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			s.t.Errorf("GitHub stub: %s %s: body is not JSON: %q", req.Method, path, raw)
		} else if msg := route.Check(body); msg != "" {
			s.t.Errorf("GitHub stub: %s %s: %s (body %s)", req.Method, path, msg, raw)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	if reply.Status == 0 {
		reply.Status = 200
	}
	w.WriteHeader(reply.Status)
	switch b := reply.Body.(type) {
	case string:
		io.WriteString(w, b)
	case nil:
	default:
		json.NewEncoder(w).Encode(b)
	}
}

// Link is a Link header for page of last, as GitHub paginates.
func (s *GitHubStub) Link(path string, page, last int) map[string]string {
	if page >= last {
		return map[string]string{"Link": fmt.Sprintf(`<%s/api/v3%s?page=1>; rel="first", <%s/api/v3%s?page=%d>; rel="prev"`, s.URL, path, s.URL, path, page-1)}
	}
	return map[string]string{"Link": fmt.Sprintf(`<%s/api/v3%s?page=%d>; rel="next", <%s/api/v3%s?page=%d>; rel="last"`, s.URL, path, page+1, s.URL, path, last)}
}
