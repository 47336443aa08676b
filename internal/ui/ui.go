// Package ui is the page a team uses beside the HTTP service (/ui/): what
// waits for a decision, one change in full with Approve and Reject for
// whoever may, the audit trail, and recent activity. Plain server-rendered
// HTML from html/template; a small script keeps the bearer token for the
// tab and sends it as a header (never a cookie); no external assets, a
// strict Content-Security-Policy. Decisions go through the approve_plan
// and reject_plan tools, so they pass the same policy and audit as any call.
package ui

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

//go:embed static templates
var files embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{}).ParseFS(files, "templates/*.html"))

// csp allows nothing but this origin's own script, style and fetches.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// Pages is the page for the HTTP service.
func Pages() *mcpkit.Pages {
	static, _ := fs.Sub(files, "static")
	shell := http.StripPrefix("/ui/", http.FileServerFS(static))
	return &mcpkit.Pages{
		Prefix: "/ui/",
		Static: secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			shell.ServeHTTP(w, r)
		})),
		Data: func(rt *mcpkit.Runtime) http.Handler { return secure(newData(rt)) },
	}
}

// ago is a duration as people say it.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return (d / time.Minute * time.Minute).String()
	}
	return d.Round(time.Minute).String()
}
