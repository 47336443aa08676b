package servers_test

import (
	"os"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// The package's shared components stop with the test binary.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedKubesim()
	testenv.StopSharedMoto()
	testenv.StopSharedPostgres()
	os.Exit(code)
}
