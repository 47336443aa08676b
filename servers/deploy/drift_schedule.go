package deploy

import (
	"context"
	"encoding/json"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsmcp/opsmcp/internal/drift"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// driftGauges are the series a drift schedule keeps.
type driftGauges struct {
	resources *prometheus.GaugeVec
	lastRun   prometheus.Gauge
}

func newDriftGauges(m *mcpkit.Metrics) *driftGauges {
	g := &driftGauges{
		resources: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "opsmcp_drift_resources",
			Help: "Resources (Terraform) or objects (Kubernetes) drifted in a target at the last drift check; -1 when it could not be checked."}, []string{"kind", "target"}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Name: "opsmcp_drift_last_run_timestamp_seconds", Help: "When the last scheduled drift check finished."}),
	}
	if m != nil {
		_ = m.Register(g.resources, g.lastRun)
	}
	return g
}

// DriftSchedule is opsmcp serve's background drift detection: every
// interval (the flag's, else drift.interval; none when both are 0) it runs
// detect_drift through the gate like any call — every allowed workspace
// and recorded object set, one at a time, each under its workspace lock
// taken for reading, each result kept in memory (kind drift) — and
// updates the drift gauges; then after, when set, hears the report.
func DriftSchedule(interval time.Duration, after func(context.Context, *mcpkit.Runtime, *drift.Report)) func(ctx context.Context, rt *mcpkit.Runtime) {
	return func(ctx context.Context, rt *mcpkit.Runtime) {
		if interval <= 0 {
			interval = time.Duration(rt.Config.Drift.Interval)
		}
		if interval <= 0 {
			return
		}
		gauges := newDriftGauges(rt.Metrics)
		host := mcpkit.NewHost(New(), rt)
		rt.Log.Info("drift checks scheduled", "interval", interval.String())
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			if rep := runDriftCheck(ctx, rt, host, gauges); rep != nil && after != nil {
				after(ctx, rt, rep)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}
}

// runDriftCheck is one scheduled check; the report it stored, or nil when
// detect_drift failed (logged).
func runDriftCheck(ctx context.Context, rt *mcpkit.Runtime, host *mcpkit.Host, gauges *driftGauges) *drift.Report {
	out := host.Call(ctx, "detect_drift", json.RawMessage(`{}`), nil)
	if out.IsError {
		if ctx.Err() == nil {
			rt.Log.Warn("scheduled drift check failed", "error", out.Text)
		}
		return nil
	}
	var res DetectDriftResult
	if err := out.Decode(&res); err != nil {
		rt.Log.Warn("scheduled drift check: unreadable result", "error", err.Error())
		return nil
	}
	for _, t := range res.Targets {
		n := float64(len(t.Resources))
		if t.Status == drift.Error {
			n = -1
		}
		if gauges != nil {
			gauges.resources.WithLabelValues(t.Kind, t.Target).Set(n)
		}
	}
	if gauges != nil {
		gauges.lastRun.SetToCurrentTime()
	}
	rt.Log.Info("drift checked", "in_sync", res.InSync, "drifted", res.Drifted, "errors", res.Errors)
	return &res.Report
}
