package mcpkit

import (
	"log/slog"

	"github.com/opsmcp/opsmcp/internal/redact"
)

func redactAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindString {
		a.Value = slog.StringValue(redact.Patterns(a.Value.String()))
	}
	return a
}
