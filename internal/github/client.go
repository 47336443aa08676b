// Package github reads and writes GitHub (or GitHub Enterprise Server)
// through go-github: pull requests, checks, workflow runs, deployments,
// issues and sticky comments, waiting out rate limits.
package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	gh "github.com/google/go-github/v66/github"

	"github.com/opsmcp/opsmcp/internal/config"
)

// Client is an authenticated GitHub client inside the repo allowlist.
type Client struct {
	GH     *gh.Client
	Policy config.GitHub
	rl     *rateLimiter
}

// Token is the token of the environment: GITHUB_TOKEN, else GH_TOKEN.
func Token() string {
	if t := os.Getenv("GITHUB_TOKEN"); t != "" {
		return t
	}
	return os.Getenv("GH_TOKEN")
}

// Options tune the client (tests shorten the waits).
type Options struct {
	// MaxWait is the longest a rate limit is waited out (default 60 s);
	// a longer one is an error that says until when.
	MaxWait time.Duration
	// Retries of a rate-limited request (default 3).
	Retries int
	// SecondaryWait is the wait after a secondary limit that gives no
	// Retry-After (default a minute, as GitHub advises).
	SecondaryWait time.Duration
}

// New returns a client for policy's GitHub with the environment's token.
func New(policy config.GitHub, opts Options) (*Client, error) {
	token := Token()
	if token == "" {
		return nil, errors.New("no GitHub token: set GITHUB_TOKEN or GH_TOKEN")
	}
	if opts.MaxWait == 0 {
		opts.MaxWait = time.Minute
	}
	if opts.Retries == 0 {
		opts.Retries = 3
	}
	if opts.SecondaryWait == 0 {
		opts.SecondaryWait = time.Minute
	}
	rl := &rateLimiter{base: telemetry.Transport(nil), opts: opts}
	rl.remaining.Store(-1)
	c := gh.NewClient(&http.Client{Transport: rl, Timeout: 2 * time.Minute}).WithAuthToken(token)
	if policy.BaseURL != "" {
		var err error
		if c, err = c.WithEnterpriseURLs(policy.BaseURL, policy.BaseURL); err != nil {
			return nil, fmt.Errorf("github.base_url %q: %w", policy.BaseURL, err)
		}
	}
	c.UserAgent = "opsmcp"
	return &Client{GH: c, Policy: policy, rl: rl}, nil
}

// SplitRepo checks "owner/name".
func SplitRepo(repo string) (string, string, error) {
	o, n, ok := strings.Cut(repo, "/")
	if !ok || o == "" || n == "" || strings.Contains(n, "/") {
		return "", "", fmt.Errorf("repo %q is not owner/name", repo)
	}
	return o, n, nil
}

// CheckMutable refuses a repo outside github.repos.
func (c *Client) CheckMutable(repo string) error {
	if slices.Contains(c.Policy.Repos, repo) {
		return nil
	}
	if len(c.Policy.Repos) == 0 {
		return fmt.Errorf("repo %s may not be changed: github.repos in opsmcp.yaml is empty", repo)
	}
	return fmt.Errorf("repo %s may not be changed (github.repos: %s)", repo, strings.Join(c.Policy.Repos, ", "))
}

// LowRemaining is the X-RateLimit-Remaining of the last answer when it
// is low (under 100), else -1.
func (c *Client) LowRemaining() int {
	if n := int(c.rl.remaining.Load()); n >= 0 && n < 100 {
		return n
	}
	return -1
}

// Explain turns go-github errors into one sentence.
func Explain(err error, what string) error {
	var er *gh.ErrorResponse
	var rle *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	switch {
	case errors.As(err, &rle):
		return fmt.Errorf("%s: GitHub's rate limit is used up until %s", what, rle.Rate.Reset.Time.Format(time.RFC3339))
	case errors.As(err, &abuse):
		return fmt.Errorf("%s: GitHub's secondary rate limit is still in force after retries: %s", what, abuse.Message)
	case errors.As(err, &er) && er.Response != nil:
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: GitHub refused the token (401): check GITHUB_TOKEN", what)
		case http.StatusForbidden:
			return fmt.Errorf("%s: the token may not do this (403): %s", what, er.Message)
		case http.StatusNotFound:
			return fmt.Errorf("%s: not found (404), or the token cannot see it", what)
		}
		return fmt.Errorf("%s: GitHub %d: %s", what, er.Response.StatusCode, er.Message)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// rateLimiter retries requests GitHub rate-limited: it waits Retry-After
// (secondary limits, 429) or until X-RateLimit-Reset (primary limit used
// up), when that is within MaxWait, and remembers X-RateLimit-Remaining.
type rateLimiter struct {
	base      http.RoundTripper
	opts      Options
	remaining atomic.Int64
}

func (r *rateLimiter) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	for attempt := 0; ; attempt++ {
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := r.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		if v, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Remaining"), 10, 64); err == nil {
			r.remaining.Store(v)
		}
		wait, limited := r.waitFor(resp)
		if !limited || attempt >= r.opts.Retries || wait > r.opts.MaxWait {
			return resp, nil
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
	}
}

// waitFor says whether a response is a rate limit, and how long to wait.
func (r *rateLimiter) waitFor(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(reset, 0)), 0) + time.Second, true
		}
	}
	// GitHub's advice when it gives no Retry-After: wait at least a minute.
	if resp.StatusCode == http.StatusTooManyRequests {
		return r.opts.SecondaryWait, true
	}
	// A 403 is a secondary limit only when its message says so; keep the
	// body readable for go-github either way.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if bytes.Contains(bytes.ToLower(body), []byte("secondary rate limit")) {
		return r.opts.SecondaryWait, true
	}
	return 0, false
}

// Paginate calls fetch for pages 1, 2, ... until GitHub says there are no
// more or limit items were collected.
func Paginate[T any](ctx context.Context, limit int, fetch func(opts gh.ListOptions) ([]T, *gh.Response, error)) ([]T, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []T
	opts := gh.ListOptions{PerPage: min(limit, 100), Page: 1}
	for {
		items, resp, err := fetch(opts)
		if err != nil {
			return out, err
		}
		out = append(out, items...)
		if len(out) >= limit || resp == nil || resp.NextPage == 0 {
			return out[:min(len(out), limit)], nil
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		opts.Page = resp.NextPage
	}
}
