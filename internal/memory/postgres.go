package memory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opsmcp/opsmcp/internal/config"
)

type pgStore struct {
	pool     *pgxpool.Pool
	location string
	opts     Options
	audits   auditBatcher
}

// Advisory lock keys: one migrator at a time; one audit appender at a time.
const (
	pgMigrateLock = 0x6f70736d6370_01
	pgAuditLock   = 0x6f70736d6370_02
)

var pgMigrations = []string{
	`CREATE TABLE entries (
		id BIGSERIAL PRIMARY KEY,
		server TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '', key TEXT NOT NULL DEFAULT '',
		data TEXT NOT NULL DEFAULT 'null', tags TEXT[] NOT NULL DEFAULT '{}',
		created_at BIGINT NOT NULL, expires_at BIGINT,
		search TSVECTOR NOT NULL
	);
	CREATE INDEX entries_lookup ON entries(server, kind, scope, created_at);
	CREATE INDEX entries_created ON entries(created_at, id);
	CREATE INDEX entries_expires ON entries(expires_at) WHERE expires_at IS NOT NULL;
	CREATE INDEX entries_search ON entries USING GIN (search);
	CREATE INDEX entries_tags ON entries USING GIN (tags);
	CREATE TABLE plans (
		id TEXT PRIMARY KEY, workspace TEXT NOT NULL, data TEXT NOT NULL,
		created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT
	);
	CREATE INDEX plans_workspace ON plans(workspace, created_at);
	CREATE TABLE audit (
		seq BIGSERIAL PRIMARY KEY, time BIGINT NOT NULL,
		principal TEXT NOT NULL, server TEXT NOT NULL, tool TEXT NOT NULL, args TEXT NOT NULL,
		outcome TEXT NOT NULL, duration_ms BIGINT NOT NULL, result_ids TEXT NOT NULL,
		prev_hash TEXT NOT NULL, hash TEXT NOT NULL
	);
	CREATE TABLE audit_checkpoints (
		through_seq BIGINT PRIMARY KEY, through_hash TEXT NOT NULL, pruned BIGINT NOT NULL,
		time BIGINT NOT NULL, public_key TEXT NOT NULL, signature TEXT NOT NULL
	);
	CREATE FUNCTION opsmcp_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF TG_OP = 'UPDATE' THEN
			RAISE EXCEPTION 'audit records are append-only';
		END IF;
		IF NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE through_seq >= OLD.seq) THEN
			RAISE EXCEPTION 'audit records are deleted only by pruning behind a checkpoint';
		END IF;
		RETURN OLD;
	END $$;
	CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION opsmcp_audit_guard();`,
}

func openPostgres(ctx context.Context, location string, o Options) (Store, error) {
	cfg, err := pgxpool.ParseConfig(location)
	if err != nil {
		return nil, fmt.Errorf("memory: %s: %v", redactURL(location), err)
	}
	// A stuck statement or lock fails the call instead of hanging it.
	if _, ok := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !ok {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = "30000"
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["lock_timeout"]; !ok {
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = "10000"
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "opsmcp"
	if o.Dir == "" {
		o.Dir = filepath.Dir(config.DefaultMemoryPath())
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("memory: %s: %v", redactURL(location), err)
	}
	s := &pgStore{pool: pool, location: redactURL(location), opts: o}
	s.audits.write = s.appendAudits
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("memory: %s: %w", s.location, err)
	}
	return s, nil
}

// redactURL drops the password from a connection URL.
func redactURL(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return "postgres://(unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func (s *pgStore) migrate(ctx context.Context) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgMigrateLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS opsmcp_schema (version INT NOT NULL)"); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, "SELECT version FROM opsmcp_schema").Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			if _, err := tx.Exec(ctx, "INSERT INTO opsmcp_schema VALUES (0)"); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if version > len(pgMigrations) {
			return fmt.Errorf("store schema version %d is newer than this opsmcp (%d); upgrade opsmcp", version, len(pgMigrations))
		}
		for i := version; i < len(pgMigrations); i++ {
			if _, err := tx.Exec(ctx, pgMigrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		_, err = tx.Exec(ctx, "UPDATE opsmcp_schema SET version = $1", len(pgMigrations))
		return err
	})
}

// retryable reports serialization failures and deadlocks, which succeed
// when the transaction is simply run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// tx runs fn in a transaction, retrying serialization failures with
// exponential backoff.
func (s *pgStore) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	delay := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if err == nil || !retryable(err) || attempt == 6 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (s *pgStore) Dir() string      { return s.opts.Dir }
func (s *pgStore) Location() string { return s.location }
func (s *pgStore) Close() error     { s.pool.Close(); return nil }

func (s *pgStore) Put(ctx context.Context, e *Entry) error {
	if err := prepareEntry(e, s.opts.MaxEntryBytes); err != nil {
		return err
	}
	var exp *int64
	if e.ExpiresAt != nil {
		v := e.ExpiresAt.UnixNano()
		exp = &v
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO entries(server, kind, scope, key, data, tags, created_at, expires_at, search)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8, to_tsvector('simple', $9)) RETURNING id`,
			e.Server, e.Kind, e.Scope, e.Key, string(e.Data), nonNil(e.Tags), e.CreatedAt.UnixNano(), exp, searchText(e)).Scan(&e.ID)
	})
	if err != nil {
		return fmt.Errorf("memory: put: %w", err)
	}
	return nil
}

const pgEntryCols = "e.id, e.server, e.kind, e.scope, e.key, e.data, e.tags, e.created_at, e.expires_at"

func scanPGEntry(row pgx.Row, extra ...any) (Entry, error) {
	var e Entry
	var data string
	var created int64
	var exp *int64
	if err := row.Scan(append([]any{&e.ID, &e.Server, &e.Kind, &e.Scope, &e.Key, &data, &e.Tags, &created, &exp}, extra...)...); err != nil {
		return e, err
	}
	if len(e.Tags) == 0 {
		e.Tags = nil
	}
	e.Data = json.RawMessage(data)
	e.CreatedAt = time.Unix(0, created).UTC()
	if exp != nil {
		t := time.Unix(0, *exp).UTC()
		e.ExpiresAt = &t
	}
	return e, nil
}

func (s *pgStore) Get(ctx context.Context, id int64) (*Entry, error) {
	e, err := scanPGEntry(s.pool.QueryRow(ctx, "SELECT "+pgEntryCols+" FROM entries e WHERE e.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("memory: get: %w", err)
	}
	return &e, nil
}

type pgArgs []any

func (a *pgArgs) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

func (s *pgStore) where(f Filter, now time.Time, args *pgArgs) (string, error) {
	conds := []string{"(e.expires_at IS NULL OR e.expires_at > " + args.add(now.UnixNano()) + ")"}
	for _, c := range []struct{ col, v string }{{"server", f.Server}, {"kind", f.Kind}, {"scope", f.Scope}, {"key", f.Key}} {
		if c.v != "" {
			conds = append(conds, "e."+c.col+" = "+args.add(c.v))
		}
	}
	if len(f.Tags) > 0 {
		conds = append(conds, "e.tags @> "+args.add(f.Tags)+"::text[]")
	}
	if !f.Since.IsZero() {
		conds = append(conds, "e.created_at >= "+args.add(f.Since.UnixNano()))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "e.created_at < "+args.add(f.Until.UnixNano()))
	}
	if f.Cursor != "" {
		c, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return "", err
		}
		conds = append(conds, fmt.Sprintf("(e.created_at < %s OR (e.created_at = %s AND e.id < %s))", args.add(c), args.add(c), args.add(id)))
	}
	return " WHERE " + strings.Join(conds, " AND "), nil
}

func (s *pgStore) List(ctx context.Context, f Filter) (Page, error) {
	var args pgArgs
	where, err := s.where(f, time.Now(), &args)
	if err != nil {
		return Page{}, err
	}
	q := "SELECT " + pgEntryCols + " FROM entries e" + where + " ORDER BY e.created_at DESC, e.id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit+1)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("memory: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanPGEntry(rows)
		if err != nil {
			return Page{}, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("memory: list: %w", err)
	}
	return page(out, f.Limit), nil
}

func (s *pgStore) Search(ctx context.Context, query string, f Filter) ([]Hit, error) {
	terms := searchTerms(query)
	if len(terms) == 0 {
		return nil, errors.New("search needs at least one word")
	}
	f.Cursor = ""
	now := time.Now()
	var args pgArgs
	where, err := s.where(f, now, &args)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	q := args.add(strings.Join(terms, " | "))
	score := fmt.Sprintf("ts_rank(e.search, to_tsquery('simple', %s)) * power(0.5, (%s - e.created_at)::float8 / %s)",
		q, args.add(now.UnixNano()), args.add(float64(recencyHalfLife.Nanoseconds())))
	sql := "SELECT " + pgEntryCols + ", " + score + " AS score FROM entries e" + where +
		" AND e.search @@ to_tsquery('simple', " + q + ") ORDER BY score DESC, e.id DESC LIMIT " + args.add(limit)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("memory: search: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var score float64
		e, err := scanPGEntry(rows, &score)
		if err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			score = 0
		}
		hits = append(hits, Hit{Entry: e, Score: score})
	}
	return hits, rows.Err()
}

func (s *pgStore) Delete(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM entries WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("memory: delete: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *pgStore) PruneExpired(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= $1", now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("memory: prune: %w", err)
	}
	return tag.RowsAffected(), nil
}

func (s *pgStore) SavePlan(ctx context.Context, p *Plan) error {
	data, err := storeRedactor.Marshal(p)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO plans(id, workspace, data, created_at, expires_at) VALUES ($1,$2,$3,$4,$5) `+planUpsert,
		p.ID, p.Workspace, string(data), p.CreatedAt.UnixNano(), p.ExpiresAt.UnixNano())
	if err != nil {
		return fmt.Errorf("memory: save plan: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrPlanPending
	}
	return nil
}

func (s *pgStore) GetPlan(ctx context.Context, id string) (*Plan, error) {
	ps, err := s.queryPlans(ctx, "WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	return &ps[0], nil
}

func (s *pgStore) MarkPlanUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE plans SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, at.UnixNano(), id)
	if err != nil {
		return false, fmt.Errorf("memory: mark plan used: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (s *pgStore) ListPlans(ctx context.Context, f PlanFilter) ([]Plan, error) {
	var args pgArgs
	conds := []string{"TRUE"}
	if f.Workspace != "" {
		conds = append(conds, "workspace = "+args.add(f.Workspace))
	}
	if f.PendingOnly {
		now := f.Now
		if now.IsZero() {
			now = time.Now()
		}
		conds = append(conds, "used_at IS NULL AND expires_at > "+args.add(now.UnixNano()))
	}
	return s.queryPlans(ctx, "WHERE "+strings.Join(conds, " AND ")+" ORDER BY created_at DESC", args...)
}

func (s *pgStore) queryPlans(ctx context.Context, tail string, args ...any) ([]Plan, error) {
	rows, err := s.pool.Query(ctx, "SELECT data, used_at FROM plans "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("memory: plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		var data string
		var used *int64
		if err := rows.Scan(&data, &used); err != nil {
			return nil, err
		}
		var at int64
		if used != nil {
			at = *used
		}
		p, err := decodePlan([]byte(data), used != nil, at)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
