package kubesim

import (
	"net"
	"strconv"
	"testing"
)

// A free port is one a server can bind, and never one the kernel may hand
// an outgoing connection meanwhile.
func TestFreePortIsBelowTheEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	for range 20 {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if low > lowestPort+1 && (port < lowestPort || port >= low) {
			t.Fatalf("port %d is outside %d-%d", port, lowestPort, low-1)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatalf("port %d cannot be bound: %v", port, err)
		}
		ln.Close()
	}
}
