package clibase

import (
	"bufio"
	"io"
)

// WriteIndented writes compact JSON (a tool's structured result) to w
// indented as json.Indent(dst, src, "", "  ") would, then a newline —
// streamed, so a large result is not held a second and third time while
// it is indented (a 10,000-resource estimate is tens of MB).
func WriteIndented(w io.Writer, src []byte) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	depth, open, inString, escaped := 0, false, false, false
	newline := func() {
		bw.WriteByte('\n')
		for range depth {
			bw.WriteString("  ")
		}
	}
	for _, c := range src {
		if inString {
			bw.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		// The first value in an object or array goes on a line of its own;
		// an empty one stays {} or [].
		if open && c != ']' && c != '}' {
			open = false
			depth++
			newline()
		}
		switch c {
		case '"':
			inString = true
			bw.WriteByte(c)
		case '{', '[':
			open = true
			bw.WriteByte(c)
		case ',':
			bw.WriteByte(c)
			newline()
		case ':':
			bw.WriteString(": ")
		case '}', ']':
			if open {
				open = false
			} else {
				depth--
				newline()
			}
			bw.WriteByte(c)
		default:
			bw.WriteByte(c)
		}
	}
	bw.WriteByte('\n')
	return bw.Flush()
}
