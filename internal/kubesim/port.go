package kubesim

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// lowestPort is where FreePort starts looking: above the well-known and
// commonly registered ports.
const lowestPort = 10000

// FreePort returns a loopback TCP port nobody listens on right now, for a
// server started next. It is taken below the kernel's ephemeral range: a
// port from that range (what listening on port 0 gives) can be taken by
// any outgoing connection on the machine between this check and the
// server binding it — with many test packages running at once, servers
// failed to start with "address already in use".
func FreePort() (int, error) {
	if high := ephemeralLow() - 1; high > lowestPort {
		for range 50 {
			port := lowestPort + rand.IntN(high-lowestPort+1)
			if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
				ln.Close()
				return port, nil
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralLow is the first port of the range the kernel hands outgoing
// connections (Linux's default is 32768).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	if f := strings.Fields(string(b)); len(f) == 2 {
		if n, err := strconv.Atoi(f[0]); err == nil {
			return n
		}
	}
	return 32768
}
