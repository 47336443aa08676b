package memory

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Export writes every unexpired entry as JSON Lines, oldest first.
func Export(ctx context.Context, s Entries, w io.Writer) (int, error) {
	var all []Entry
	f := Filter{Limit: 1000}
	for {
		p, err := s.List(ctx, f)
		if err != nil {
			return 0, err
		}
		all = append(all, p.Entries...)
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for i := len(all) - 1; i >= 0; i-- {
		if err := enc.Encode(all[i]); err != nil {
			return 0, err
		}
	}
	return len(all), bw.Flush()
}

// Import reads JSON Lines written by Export and stores every entry (with a
// new ID, keeping its times and tags). A bad line stops the import and
// names its line number; the entries before it are kept.
func Import(ctx context.Context, s Entries, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	n, line := 0, 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return n, fmt.Errorf("line %d: not a memory entry: %v", line, err)
		}
		e.ID = 0
		if err := s.Put(ctx, &e); err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("line %d: %w", line+1, err)
	}
	return n, nil
}
