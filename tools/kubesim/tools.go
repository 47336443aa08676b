//go:build tools

// Package kubesim pins kwok, built as is with `go build sigs.k8s.io/kwok/cmd/kwok`.
package kubesim

import _ "sigs.k8s.io/kwok/cmd/kwok"
