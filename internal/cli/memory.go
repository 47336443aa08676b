package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
)

func newMemoryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "memory",
		Short: "Read and write the memory every opsmcp server shares, and check the audit log",
	}
	cmd.AddCommand(newMemoryPutCmd(g), newMemoryListCmd(g), newMemorySearchCmd(g), newMemoryShowCmd(g),
		newMemoryDeleteCmd(g), newMemoryExportCmd(g), newMemoryImportCmd(g), newMemoryPruneCmd(g), newMemoryVerifyCmd(g))
	return cmd
}

// withStore opens the configured store for one command.
func withStore(ctx context.Context, g *globals, fn func(*config.Config, memory.Store) error) error {
	cfg, err := config.Load(g.ConfigPath)
	if err != nil {
		return failErr("%v", err)
	}
	s, err := memory.Open(ctx, cfg.Memory, memory.Options{MaxEntryBytes: cfg.MemoryMaxEntryBytes})
	if err != nil {
		return failErr("%v", err)
	}
	defer s.Close()
	return fn(cfg, s)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// filterFlags are the selection flags list and search share.
type filterFlags struct {
	server, kind, scope, key string
	tags                     []string
	since, until             string
	limit                    int
}

func (f *filterFlags) register(cmd *cobra.Command, defLimit int) {
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "only entries of this server")
	fl.StringVar(&f.kind, "kind", "", "only this kind: "+strings.Join(memory.Kinds, ", "))
	fl.StringVar(&f.scope, "scope", "", "only this scope (workspace, namespace, repo, account, project)")
	fl.StringVar(&f.key, "key", "", "only this key")
	fl.StringSliceVar(&f.tags, "tags", nil, "only entries carrying all these tags (a,b)")
	fl.StringVar(&f.since, "since", "", "created at or after: RFC 3339 time, or a duration ago (24h)")
	fl.StringVar(&f.until, "until", "", "created before: RFC 3339 time, or a duration ago")
	fl.IntVar(&f.limit, "limit", defLimit, "how many entries (0 = all)")
}

func (f *filterFlags) filter() (memory.Filter, error) {
	out := memory.Filter{Server: f.server, Kind: f.kind, Scope: f.scope, Key: f.key, Tags: f.tags, Limit: f.limit}
	if f.kind != "" && !slices.Contains(memory.Kinds, f.kind) {
		return out, fmt.Errorf("--kind %q is not one of %s", f.kind, strings.Join(memory.Kinds, ", "))
	}
	if f.limit < 0 {
		return out, errors.New("--limit must be 0 (all) or more")
	}
	var err error
	if out.Since, err = parseWhen("--since", f.since); err != nil {
		return out, err
	}
	if out.Until, err = parseWhen("--until", f.until); err != nil {
		return out, err
	}
	return out, nil
}

func parseWhen(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time (2026-11-01T00:00:00Z) or a duration ago (24h)", flag, v)
	}
	return t, nil
}

func printEntries(w io.Writer, entries []memory.Entry, scores []float64) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "ID\tCREATED\tSERVER\tKIND\tSCOPE\tKEY\tDATA"
	if scores != nil {
		head = "SCORE\t" + head
	}
	fmt.Fprintln(tw, head)
	for i, e := range entries {
		data := string(e.Data)
		if len(data) > 60 {
			data = data[:57] + "..."
		}
		if scores != nil {
			fmt.Fprintf(tw, "%.3f\t", scores[i])
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.CreatedAt.Local().Format("2006-01-02 15:04:05"), e.Server, e.Kind, e.Scope, e.Key, data)
	}
	return tw.Flush()
}

func newMemoryPutCmd(g *globals) *cobra.Command {
	var e memory.Entry
	var data string
	var tags []string
	var ttl time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "put --server S --kind K --scope X --key K --data JSON [--tags a,b]",
		Short: "Record an entry (for scripts and CI jobs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if e.Server == "" || e.Kind == "" {
				return usageErr("put needs --server and --kind")
			}
			if !json.Valid([]byte(data)) {
				return usageErr("--data must be JSON, e.g. '{\"note\":\"text\"}' or '\"text\"'")
			}
			e.Data, e.Tags = json.RawMessage(data), tags
			if ttl < 0 {
				return usageErr("--ttl must be positive")
			}
			if ttl > 0 {
				exp := time.Now().Add(ttl).UTC()
				e.ExpiresAt = &exp
			}
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				if err := s.Put(cmd.Context(), &e); err != nil {
					return failErr("%v", err)
				}
				if asJSON {
					return printJSON(g.Stdout, e)
				}
				fmt.Fprintln(g.Stdout, e.ID)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&e.Server, "server", "", "server the entry belongs to (e.g. deploy, ci)")
	fl.StringVar(&e.Kind, "kind", "", "one of "+strings.Join(memory.Kinds, ", "))
	fl.StringVar(&e.Scope, "scope", "", "what it is about: workspace, namespace, repo, account, project")
	fl.StringVar(&e.Key, "key", "", "a key within the scope")
	fl.StringVar(&data, "data", "null", "the entry's data as JSON")
	fl.StringSliceVar(&tags, "tags", nil, "tags (a,b)")
	fl.DurationVar(&ttl, "ttl", 0, "expire the entry after this long (e.g. 720h)")
	fl.BoolVar(&asJSON, "json", false, "print the stored entry as JSON")
	return cmd
}

func newMemoryListCmd(g *globals) *cobra.Command {
	var ff filterFlags
	var cursor string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List entries, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := ff.filter()
			if err != nil {
				return usageErr("%v", err)
			}
			f.Cursor = cursor
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				p, err := s.List(cmd.Context(), f)
				if err != nil {
					return failErr("%v", err)
				}
				if asJSON {
					return printJSON(g.Stdout, map[string]any{"entries": nonNilEntries(p.Entries), "next_cursor": p.Next})
				}
				if err := printEntries(g.Stdout, p.Entries, nil); err != nil {
					return err
				}
				if p.Next != "" {
					fmt.Fprintf(g.Stderr, "more: --cursor %s\n", p.Next)
				}
				return nil
			})
		},
	}
	ff.register(cmd, 50)
	cmd.Flags().StringVar(&cursor, "cursor", "", "continue a listing (printed after a full page)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func nonNilEntries(e []memory.Entry) []memory.Entry {
	if e == nil {
		return []memory.Entry{}
	}
	return e
}

func newMemorySearchCmd(g *globals) *cobra.Command {
	var ff filterFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Full-text search, ranked by relevance and recency",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := ff.filter()
			if err != nil {
				return usageErr("%v", err)
			}
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				hits, err := s.Search(cmd.Context(), strings.Join(args, " "), f)
				if err != nil {
					return failErr("%v", err)
				}
				if asJSON {
					if hits == nil {
						hits = []memory.Hit{}
					}
					return printJSON(g.Stdout, hits)
				}
				entries := make([]memory.Entry, len(hits))
				scores := make([]float64, len(hits))
				for i, h := range hits {
					entries[i], scores[i] = h.Entry, h.Score
				}
				return printEntries(g.Stdout, entries, scores)
			})
		},
	}
	ff.register(cmd, 20)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErr("%q is not an entry id (a positive number, as list prints)", s)
	}
	return id, nil
}

func newMemoryShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one entry whole",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				e, err := s.Get(cmd.Context(), id)
				if errors.Is(err, memory.ErrNotFound) {
					return failErr("no entry %d", id)
				}
				if err != nil {
					return failErr("%v", err)
				}
				if asJSON {
					return printJSON(g.Stdout, e)
				}
				fmt.Fprintf(g.Stdout, "id:       %d\ncreated:  %s\nserver:   %s\nkind:     %s\nscope:    %s\nkey:      %s\ntags:     %s\n",
					e.ID, e.CreatedAt.Format(time.RFC3339), e.Server, e.Kind, e.Scope, e.Key, strings.Join(e.Tags, ","))
				if e.ExpiresAt != nil {
					fmt.Fprintf(g.Stdout, "expires:  %s\n", e.ExpiresAt.Format(time.RFC3339))
				}
				fmt.Fprintln(g.Stdout, "data:")
				var v any
				_ = json.Unmarshal(e.Data, &v)
				b, _ := json.MarshalIndent(v, "  ", "  ")
				fmt.Fprintf(g.Stdout, "  %s\n", b)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMemoryDeleteCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete one entry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				if err := s.Delete(cmd.Context(), id); errors.Is(err, memory.ErrNotFound) {
					return failErr("no entry %d", id)
				} else if err != nil {
					return failErr("%v", err)
				}
				fmt.Fprintf(g.Stdout, "deleted %d\n", id)
				return nil
			})
		},
	}
}

func newMemoryExportCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export [--output FILE]",
		Short: "Write every entry as JSON Lines (stdout by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				if output == "" || output == "-" {
					if _, err := memory.Export(cmd.Context(), s, g.Stdout); err != nil {
						return failErr("%v", err)
					}
					return nil
				}
				var n int
				err := atomicfile.Write(output, func(w io.Writer) error {
					var err error
					n, err = memory.Export(cmd.Context(), s, w)
					return err
				})
				if err != nil {
					return failErr("%v", err)
				}
				fmt.Fprintf(g.Stderr, "exported %d entries to %s\n", n, output)
				return nil
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (replaced only when complete)")
	return cmd
}

func newMemoryImportCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Add the entries of a JSON Lines export (- for stdin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return failErr("%v", err)
				}
				defer f.Close()
				r = f
			}
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				n, err := memory.Import(cmd.Context(), s, r)
				if err != nil {
					return failErr("%v (%d entries imported before it)", err, n)
				}
				if asJSON {
					return printJSON(g.Stdout, map[string]int{"imported": n})
				}
				fmt.Fprintf(g.Stdout, "imported %d entries\n", n)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMemoryPruneCmd(g *globals) *cobra.Command {
	var maxAge time.Duration
	var maxRecords int64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "prune [--audit-max-age D] [--audit-max-records N]",
		Short: "Delete expired entries; with the audit flags, prune old audit records behind a signed checkpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if maxAge < 0 || maxRecords < 0 {
				return usageErr("--audit-max-age and --audit-max-records must be positive")
			}
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				n, err := s.PruneExpired(cmd.Context(), time.Now())
				if err != nil {
					return failErr("%v", err)
				}
				var audit int64
				if maxAge > 0 || maxRecords > 0 {
					audit, err = memory.PruneAudit(cmd.Context(), s, memory.PruneAuditOptions{MaxAge: maxAge, MaxRecords: maxRecords})
					if err != nil {
						return failErr("%v", err)
					}
				}
				if asJSON {
					return printJSON(g.Stdout, map[string]int64{"expired_entries": n, "audit_records": audit})
				}
				fmt.Fprintf(g.Stdout, "pruned %d expired entries and %d audit records\n", n, audit)
				return nil
			})
		},
	}
	cmd.Flags().DurationVar(&maxAge, "audit-max-age", 0, "prune audit records older than this (e.g. 2160h)")
	cmd.Flags().Int64Var(&maxRecords, "audit-max-records", 0, "keep only this many newest audit records")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMemoryVerifyCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify-audit",
		Short: "Walk the audit hash chain; exit 0 when intact, 1 when broken (naming the first broken record)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd.Context(), g, func(_ *config.Config, s memory.Store) error {
				rep, err := memory.VerifyAudit(cmd.Context(), s)
				if err != nil {
					return failErr("%v", err)
				}
				if asJSON {
					if err := printJSON(g.Stdout, rep); err != nil {
						return err
					}
				} else if rep.OK {
					from := "the first record"
					if rep.Checkpoint != nil {
						from = fmt.Sprintf("the signed checkpoint through record %d (%d pruned)", rep.Checkpoint.ThroughSeq, rep.Checkpoint.Pruned)
					}
					fmt.Fprintf(g.Stdout, "audit log intact: %d records verified from %s\n", rep.Records, from)
				} else {
					fmt.Fprintf(g.Stdout, "audit log BROKEN: %s\n", rep.Problem)
				}
				if !rep.OK {
					return &clibase.ExitError{Code: 1}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
