// Package telemetry exports OpenTelemetry traces over OTLP when the
// standard OTEL_* environment asks for it, and is silent otherwise: no
// exporter, no goroutine, the global no-op tracer.
package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/opsmcp/opsmcp/internal/version"
)

// Enabled reports whether the environment configures trace export: an
// OTLP endpoint, or OTEL_TRACES_EXPORTER=otlp; OTEL_SDK_DISABLED=true and
// OTEL_TRACES_EXPORTER=none turn it off.
func Enabled() bool {
	if os.Getenv("OTEL_SDK_DISABLED") == "true" {
		return false
	}
	if v := os.Getenv("OTEL_TRACES_EXPORTER"); v != "" {
		return v == "otlp"
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

var installed atomic.Bool

// Setup installs the process's tracer provider (service.name service,
// unless OTEL_SERVICE_NAME says otherwise) exporting over OTLP as the
// OTEL_EXPORTER_OTLP_* variables say (protocol http/protobuf or grpc), and
// the W3C trace context propagator. The returned function flushes and
// stops it; without Enabled, both do nothing.
func Setup(ctx context.Context, service string) (shutdown func(context.Context) error, err error) {
	if !Enabled() || installed.Load() {
		// Off, or set up already (opsmcp serve: the CLI did it).
		return func(context.Context) error { return nil }, nil
	}
	proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	var exp sdktrace.SpanExporter
	switch proto {
	case "", "http/protobuf":
		exp, err = otlptracehttp.New(ctx)
	case "grpc":
		exp, err = otlptracegrpc.New(ctx)
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL %q: opsmcp exports traces over http/protobuf or grpc", proto)
	}
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry: %w", err)
	}
	// The environment's attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) win.
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", service), attribute.String("service.version", version.Version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	installed.Store(true)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp.Shutdown, nil
}

// tracer is looked up once, not per call: the global provider's tracers
// delegate to the provider Setup installs later.
var tracer = otel.Tracer("github.com/opsmcp/opsmcp")

// Tracer is opsmcp's tracer from the global provider (a no-op one until
// Setup installs a real one).
func Tracer() trace.Tracer { return tracer }

// Span starts an internal span (a terraform run); end records whether it
// failed, never why (an error may quote arguments).
func Span(ctx context.Context, name string) (context.Context, func(error)) {
	ctx, span := Tracer().Start(ctx, name)
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "failed")
		}
		span.End()
	}
}

// Transport wraps an HTTP transport (nil: the default one) so each request
// is a client span carrying the trace context: Kubernetes, cloud, GitHub
// and model requests are children of the tool call that made them.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !Enabled() {
		return base // off costs nothing
	}
	return otelhttp.NewTransport(base)
}

// Inject writes ctx's trace context (traceparent, tracestate) into a map,
// as MCP's _meta carries it.
func Inject(ctx context.Context, into map[string]any) {
	c := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, c)
	for k, v := range c {
		into[k] = v
	}
}

// Extract reads a trace context written by Inject: the span it names is the
// parent of what ctx starts next.
func Extract(ctx context.Context, from map[string]any) context.Context {
	c := propagation.MapCarrier{}
	for _, k := range []string{"traceparent", "tracestate", "baggage"} {
		if v, ok := from[k].(string); ok {
			c[k] = v
		}
	}
	if len(c) == 0 {
		return ctx
	}
	return otel.GetTextMapPropagator().Extract(ctx, c)
}
