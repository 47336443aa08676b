package mcpkit

import (
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are a process's Prometheus series. Labels are only server, tool
// and error type: never an argument, a principal or anything a caller
// sends, so no secret can reach a label.
type Metrics struct {
	reg         *prometheus.Registry
	calls       *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	errors      *prometheus.CounterVec
	rateLimited prometheus.Counter
}

// NewMetrics registers the series; the cache's counters are read from c.
func NewMetrics(c *Cache) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_tool_calls_total", Help: "Tool calls, by server and tool."}, []string{"server", "tool"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mcp_tool_duration_seconds", Help: "Tool call duration.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800}}, []string{"server", "tool"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_tool_errors_total",
			Help: "Tool calls that failed, by type: usage (bad arguments), policy (refused), tool (the operation failed)."}, []string{"server", "tool", "error_type"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "mcp_rate_limited_total", Help: "HTTP requests refused by the per-principal rate limit."}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "opsmcp_build_info", Help: "opsmcp's version and Go version."}, []string{"version", "goversion"})
	build.WithLabelValues(Version, runtime.Version()).Set(1)
	m.reg.MustRegister(m.calls, m.duration, m.errors, m.rateLimited, build,
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mcp_cache_requests_total", Help: "Read-only calls that looked in the response cache."},
			func() float64 { return float64(c.Stats().Requests) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mcp_cache_hits_total", Help: "Read-only calls answered from the response cache."},
			func() float64 { return float64(c.Stats().Hits) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors a server's background work keeps (drift
// gauges) to the process's series.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// toolSeries are one tool's series, looked up when a host is built rather
// than by label on every call.
type toolSeries struct {
	m            *Metrics
	server, tool string
	calls        prometheus.Counter
	duration     prometheus.Observer
}

func (m *Metrics) forTool(server, tool string) *toolSeries {
	if m == nil {
		return nil
	}
	return &toolSeries{m: m, server: server, tool: tool,
		calls: m.calls.WithLabelValues(server, tool), duration: m.duration.WithLabelValues(server, tool)}
}

func (s *toolSeries) observe(out *Outcome, errorType string) {
	if s == nil {
		return
	}
	s.calls.Inc()
	s.duration.Observe(out.Duration.Seconds())
	if out.IsError {
		s.m.errors.WithLabelValues(s.server, s.tool, errorType).Inc()
	}
}

func (m *Metrics) limited() {
	if m != nil {
		m.rateLimited.Inc()
	}
}
