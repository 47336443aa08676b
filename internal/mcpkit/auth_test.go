package mcpkit_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// The tokens file is read again when it changes: a removed line revokes
// its token at once, and a file broken mid-edit keeps no file token alive.
func TestTokensFileIsReadAgainWhenItChanges(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("alice=alice-token-0123456789\nbob=bob-token-0123456789ab\n")
	auth, err := mcpkit.NewAuthenticator(config.HTTPAuth{TokensFile: file}, "ci=ci-token-0123456789abcd")
	if err != nil {
		t.Fatal(err)
	}
	who := func(token string) string {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		p, _ := auth.Principal(r)
		return p
	}
	if who("alice-token-0123456789") != "alice" || who("ci-token-0123456789abcd") != "ci" || !auth.Holds("alice") {
		t.Fatal("the first tokens are not accepted")
	}
	write("bob=bob-token-0123456789ab\n")
	if who("alice-token-0123456789") != "" || auth.Holds("alice") || !auth.Holds("bob") || auth.Holds("mallory") {
		t.Fatal("a removed token still works")
	}
	write("bob=bob-token-0123456789ab\nhalf-written line\n")
	if who("bob-token-0123456789ab") != "" || who("ci-token-0123456789abcd") != "ci" {
		t.Fatal("a broken tokens file: want only the environment's tokens")
	}
	write("bob=bob-token-0123456789ab\n")
	if who("bob-token-0123456789ab") != "bob" {
		t.Fatal("the fixed file is not read again")
	}
}
