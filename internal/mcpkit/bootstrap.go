package mcpkit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/telemetry"
)

// Bootstrap loads the config and opens memory: the runtime every server and
// CLI command runs with. Logs are JSON on logOut (stderr: stdout is protocol).
func Bootstrap(ctx context.Context, configPath string, logOut io.Writer, level slog.Level) (*Runtime, error) {
	cfg, err := config.Load(configPath)
	if err != nil {
		return nil, err
	}
	store, err := memory.Open(ctx, cfg.Memory, memory.Options{MaxEntryBytes: cfg.MemoryMaxEntryBytes})
	if err != nil {
		return nil, err
	}
	log := slog.New(NewLogHandler(logOut, level))
	// Libraries that log through slog's default (and klog, see internal/kube)
	// then write JSON records to the same place, never to stdout.
	slog.SetDefault(log)
	cache := NewCache(cfg.Cache.MaxEntries)
	return &Runtime{Config: cfg, Memory: store, Log: log, Cache: cache, Metrics: NewMetrics(cache)}, nil
}

// NewLogHandler is the JSON log handler every process uses; attribute values
// pass through the credential patterns before they are written.
func NewLogHandler(w io.Writer, level slog.Level) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr})
}

// Close releases the runtime's resources.
func (r *Runtime) Close() error {
	if r.Memory != nil {
		return r.Memory.Close()
	}
	return nil
}

// Main is the whole of a server binary's main: flags, bootstrap, serve over
// stdio or streamable HTTP, and the exit code.
func Main(s *Server) int {
	fs := flag.NewFlagSet("opsmcp-"+s.Name, flag.ContinueOnError)
	cfgPath := fs.String("config", "", "opsmcp.yaml (default $OPSMCP_CONFIG, else ./opsmcp.yaml, else built-in defaults)")
	var o ServeOptions
	fs.StringVar(&o.Addr, "http", "", "serve streamable HTTP at /mcp on this address (e.g. 127.0.0.1:8080) instead of stdio; beyond loopback it needs http.auth")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM), for deployments without a TLS-terminating proxy")
	fs.StringVar(&o.TLSKey, "tls-key", "", "the certificate's private key (PEM)")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", "also serve Prometheus /metrics on this loopback address (e.g. 127.0.0.1:9464), for a stdio server")
	fs.Func("toolsets", ToolsetsUsage, func(v string) error {
		o.Toolsets = append(o.Toolsets, v)
		_, err := config.ParseToolsets(o.Toolsets)
		return err
	})
	version := fs.Bool("version", false, "print the version and exit")
	if s.Flags != nil {
		s.Flags(fs)
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Fprintln(os.Stderr, "opsmcp-"+s.Name, Version)
		return 0
	}
	if err := Serve([]*Server{s}, *cfgPath, o); err != nil {
		fmt.Fprintf(os.Stderr, "opsmcp-%s: %v\n", s.Name, err)
		return 1
	}
	return 0
}

// ToolsetsUsage is the --toolsets flag's help, the same on every server.
var ToolsetsUsage = "the toolsets MCP clients are offered, comma-separated (" + strings.Join(config.Toolsets, ", ") +
	", all, default); overrides tools.toolsets in opsmcp.yaml. Default: " + strings.Join(config.DefaultToolsets, ",")

// Serve runs servers until stdin closes (stdio: one server) or a signal
// arrives (HTTP: one at /mcp, several at /NAME/mcp).
func Serve(servers []*Server, cfgPath string, o ServeOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := Bootstrap(ctx, cfgPath, os.Stderr, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer rt.Close()
	process := "opsmcp"
	if len(servers) == 1 {
		process = "opsmcp-" + servers[0].Name
	}
	flush, err := telemetry.Setup(ctx, process)
	if err != nil {
		return err
	}
	defer func() {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = flush(fctx)
	}()
	// --toolsets holds over the file, at start and at every reload.
	override := func(cfg *config.Config) error {
		if len(o.Toolsets) == 0 {
			return nil
		}
		sets, err := config.ParseToolsets(o.Toolsets)
		if err != nil {
			return fmt.Errorf("--toolsets: %w", err)
		}
		cfg.Tools.Toolsets = sets
		return nil
	}
	if err := override(rt.Config); err != nil {
		return err
	}
	logGate(rt)
	if o.Background != nil {
		done := make(chan struct{})
		bg, cancel := context.WithCancel(ctx)
		go func() { defer close(done); o.Background(bg, rt) }()
		defer func() { cancel(); <-done }()
	}
	if o.Addr == "" {
		if len(servers) != 1 {
			return errors.New("stdio serves one server; give --http to serve several")
		}
		if o.MetricsAddr != "" {
			stopMetrics, err := serveMetrics(rt, o.MetricsAddr)
			if err != nil {
				return err
			}
			defer stopMetrics()
		}
		host := NewHost(servers[0], rt)
		// A stdio server reloads when its file changes, and on SIGHUP.
		r := newReloader(servers[0].Name, rt, override, func(next *Runtime) error { host.SetRuntime(next); return nil })
		go r.watch(ctx, true)
		return host.ServeStdio(ctx, os.Stdin, os.Stdout)
	}
	service := func(rt *Runtime) (*HTTPService, error) {
		svc, err := NewHTTPService(rt, servers)
		if err == nil && o.Pages != nil {
			svc.MountPages(o.Pages)
		}
		return svc, err
	}
	svc, err := service(rt)
	if err != nil {
		return err
	}
	// An HTTP service reloads on SIGHUP (a Deployment rolls its pods when
	// the ConfigMap changes).
	name := "opsmcp"
	if len(servers) == 1 {
		name = servers[0].Name
	}
	r := newReloader(name, rt, override, func(next *Runtime) error {
		n, err := service(next)
		if err == nil {
			err = n.checkListen(o)
		}
		if err == nil {
			svc.next.Store(n)
		}
		return err
	})
	go r.watch(ctx, false)
	return svc.Serve(ctx, o)
}

// logGate says at start-up what a change needs besides the mode, and
// warns when nothing but the model stands between it and production.
func logGate(rt *Runtime) {
	in, warning := rt.Config.Gate.Requirements()
	rt.Log.Info("gate", "mode", string(rt.Config.Mode), "requirements", in)
	if warning != "" && rt.Config.Mode == config.ModeApply {
		rt.Log.Warn("gate: " + warning)
	}
}

// serveMetrics serves /metrics beside a stdio server, on loopback only:
// the series are not secret, but nothing here authenticates.
func serveMetrics(rt *Runtime, addr string) (stop func(), err error) {
	addr = HTTPAddr(addr)
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !isLoopbackHost(host) {
		return nil, fmt.Errorf("--metrics-addr %q: want a loopback HOST:PORT such as 127.0.0.1:9464", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", rt.Metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	rt.Log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	return func() { srv.Close() }, nil
}
