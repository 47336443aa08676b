package memory

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

type sqliteStore struct {
	db     *sql.DB
	path   string
	opts   Options
	audits auditBatcher

	// Prepared once: preparing is a good part of an append's cost.
	prepOnce              sync.Once
	lastHash, insertAudit *sql.Stmt
	prepErr               error
}

// sqliteMigrations are applied in order; PRAGMA user_version records how
// many ran. Never edit one that has shipped: add another.
var sqliteMigrations = []string{
	`CREATE TABLE entries (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		server TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '', key TEXT NOT NULL DEFAULT '',
		data TEXT NOT NULL DEFAULT 'null', tags TEXT NOT NULL DEFAULT '[]',
		created_at INTEGER NOT NULL, expires_at INTEGER
	);
	CREATE INDEX entries_lookup ON entries(server, kind, scope, created_at);
	CREATE TABLE plans (
		id TEXT PRIMARY KEY, workspace TEXT NOT NULL, data TEXT NOT NULL,
		created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER
	);
	CREATE INDEX plans_workspace ON plans(workspace, created_at);
	CREATE TABLE audit (
		seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,
		principal TEXT NOT NULL, server TEXT NOT NULL, tool TEXT NOT NULL, args TEXT NOT NULL,
		outcome TEXT NOT NULL, duration_ms INTEGER NOT NULL, result_ids TEXT NOT NULL,
		prev_hash TEXT NOT NULL, hash TEXT NOT NULL
	);`,
	// Full-text search, newest-first listing, audit checkpoints, and the
	// audit log made append-only: records may only be deleted once a
	// checkpoint covers them. Entries are indexed for search in batches
	// (indexed = 0 until then): an FTS5 flush per put would halve put rate.
	`CREATE INDEX entries_created ON entries(created_at, id);
	CREATE INDEX entries_expires ON entries(expires_at) WHERE expires_at IS NOT NULL;
	ALTER TABLE entries ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX entries_unindexed ON entries(id) WHERE indexed = 0;
	CREATE VIRTUAL TABLE entries_fts USING fts5(body, meta, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
	CREATE VIRTUAL TABLE entries_vocab USING fts5vocab(entries_fts, 'row');
	CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries WHEN OLD.indexed = 1 BEGIN
		DELETE FROM entries_fts WHERE rowid = OLD.id;
	END;
	CREATE TABLE entries_out_of_order (id INTEGER PRIMARY KEY);
	CREATE TRIGGER entries_out_of_order_delete AFTER DELETE ON entries BEGIN
		DELETE FROM entries_out_of_order WHERE id = OLD.id;
	END;
	CREATE TABLE audit_checkpoints (
		through_seq INTEGER PRIMARY KEY, through_hash TEXT NOT NULL, pruned INTEGER NOT NULL,
		time INTEGER NOT NULL, public_key TEXT NOT NULL, signature TEXT NOT NULL
	);
	CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
		SELECT RAISE(ABORT, 'audit records are append-only');
	END;
	CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
		WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE through_seq >= OLD.seq) BEGIN
		SELECT RAISE(ABORT, 'audit records are deleted only by pruning behind a checkpoint');
	END;`,
}

func openSQLite(ctx context.Context, path string, o Options) (Store, error) {
	if path == "" {
		return nil, errors.New("memory: empty store path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	if o.Dir == "" {
		o.Dir = filepath.Dir(path)
	}
	q := url.Values{}
	// busy_timeout first: the journal_mode switch itself needs a lock.
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate") // writers queue on BEGIN instead of failing on upgrade
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("memory: open %s: %w", path, err)
	}
	s := &sqliteStore{db: db, path: path, opts: o}
	s.audits.write = s.appendAudits
	// Processes creating the same new file at once can meet SQLITE_BUSY
	// without the busy handler being asked (the switch to WAL, WAL
	// recovery); that is transient, so opening retries it for a while.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.migrate(ctx)
		if err == nil {
			return s, nil
		}
		if !isBusy(err) || time.Now().After(deadline) || ctx.Err() != nil {
			db.Close()
			return nil, fmt.Errorf("memory: %s: %w", path, err)
		}
		time.Sleep(time.Duration(10+rand.IntN(40)) * time.Millisecond)
	}
}

func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

func (s *sqliteStore) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil) // IMMEDIATE: one migrator at a time
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(sqliteMigrations) {
		return fmt.Errorf("store schema version %d is newer than this opsmcp (%d); upgrade opsmcp", version, len(sqliteMigrations))
	}
	if version == len(sqliteMigrations) {
		return nil
	}
	for i := version; i < len(sqliteMigrations); i++ {
		if _, err := tx.ExecContext(ctx, sqliteMigrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(sqliteMigrations))); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqliteStore) Dir() string      { return s.opts.Dir }
func (s *sqliteStore) Location() string { return s.path }
func (s *sqliteStore) Close() error     { return s.db.Close() }

func (s *sqliteStore) Put(ctx context.Context, e *Entry) error {
	backdated := !e.CreatedAt.IsZero() && time.Since(e.CreatedAt) > orderSlack
	if err := prepareEntry(e, s.opts.MaxEntryBytes); err != nil {
		return err
	}
	tags, _ := json.Marshal(nonNil(e.Tags))
	var exp any
	if e.ExpiresAt != nil {
		exp = e.ExpiresAt.UnixNano()
	}
	const insert = `INSERT INTO entries(server, kind, scope, key, data, tags, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)`
	args := []any{e.Server, e.Kind, e.Scope, e.Key, string(e.Data), string(tags), e.CreatedAt.UnixNano(), exp}
	if !backdated {
		res, err := s.db.ExecContext(ctx, insert, args...)
		if err != nil {
			return fmt.Errorf("memory: put: %w", err)
		}
		e.ID, _ = res.LastInsertId()
		return nil
	}
	// An entry dated in the past (an import) breaks the id-follows-time order
	// search relies on; it is listed so search scores it separately.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("memory: put: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, insert, args...)
	if err != nil {
		return fmt.Errorf("memory: put: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO entries_out_of_order(id)
		SELECT ? WHERE ? < (SELECT coalesce(max(created_at), 0) FROM entries WHERE id < ?) - ?`,
		id, e.CreatedAt.UnixNano(), id, int64(orderSlack)); err != nil {
		return fmt.Errorf("memory: put: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("memory: put: %w", err)
	}
	e.ID = id
	return nil
}

// indexPending adds entries not yet in the full-text index, in one
// transaction, so a search always sees every committed entry.
func (s *sqliteStore) indexPending(ctx context.Context) error {
	var pending bool
	if err := s.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM entries WHERE indexed = 0)").Scan(&pending); err != nil || !pending {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The same words searchText gives PostgreSQL.
	// meta holds one token per filter value (see metaToken), so filters
	// narrow a search inside the index.
	if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts(rowid, body, meta)
		SELECT id, scope || ' ' || key || ' ' ||
			(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(tags)) || ' ' ||
			(SELECT coalesce(group_concat(value, ' '), '') FROM json_tree(data) WHERE type = 'text'),
			'v' || hex(server) || ' k' || hex(kind) || ' s' || hex(scope) ||
			(SELECT coalesce(group_concat(' t' || hex(value), ''), '') FROM json_each(tags))
		FROM entries WHERE indexed = 0`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE entries SET indexed = 1 WHERE indexed = 0"); err != nil {
		return err
	}
	return tx.Commit()
}

const entryCols = "e.id, e.server, e.kind, e.scope, e.key, e.data, e.tags, e.created_at, e.expires_at"

func scanEntry(sc interface{ Scan(...any) error }, extra ...any) (Entry, error) {
	var e Entry
	var data, tags string
	var created int64
	var exp sql.NullInt64
	if err := sc.Scan(append([]any{&e.ID, &e.Server, &e.Kind, &e.Scope, &e.Key, &data, &tags, &created, &exp}, extra...)...); err != nil {
		return e, err
	}
	e.Data = json.RawMessage(data)
	_ = json.Unmarshal([]byte(tags), &e.Tags)
	e.CreatedAt = time.Unix(0, created).UTC()
	if exp.Valid {
		t := time.Unix(0, exp.Int64).UTC()
		e.ExpiresAt = &t
	}
	return e, nil
}

func (s *sqliteStore) Get(ctx context.Context, id int64) (*Entry, error) {
	e, err := scanEntry(s.db.QueryRowContext(ctx, "SELECT "+entryCols+" FROM entries e WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("memory: get: %w", err)
	}
	return &e, nil
}

// metaToken is the index token for a filter value: a prefix letter and the
// value in hex, as SQLite's hex() writes it.
func metaToken(prefix, v string) string {
	return `meta:"` + prefix + strings.ToUpper(hex.EncodeToString([]byte(v))) + `"`
}

// where builds the WHERE clause shared by List and Search.
func (s *sqliteStore) where(f Filter, now time.Time) (string, []any, error) {
	conds, args, err := s.conds(f, now)
	if err != nil {
		return "", nil, err
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func (s *sqliteStore) conds(f Filter, now time.Time) ([]string, []any, error) {
	conds := []string{"(e.expires_at IS NULL OR e.expires_at > ?)"}
	args := []any{now.UnixNano()}
	for _, c := range []struct{ col, v string }{{"server", f.Server}, {"kind", f.Kind}, {"scope", f.Scope}, {"key", f.Key}} {
		if c.v != "" {
			conds = append(conds, "e."+c.col+" = ?")
			args = append(args, c.v)
		}
	}
	for _, t := range f.Tags {
		conds = append(conds, "EXISTS (SELECT 1 FROM json_each(e.tags) j WHERE j.value = ?)")
		args = append(args, t)
	}
	if !f.Since.IsZero() {
		conds = append(conds, "e.created_at >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		conds = append(conds, "e.created_at < ?")
		args = append(args, f.Until.UnixNano())
	}
	if f.Cursor != "" {
		c, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, nil, err
		}
		conds = append(conds, "(e.created_at < ? OR (e.created_at = ? AND e.id < ?))")
		args = append(args, c, c, id)
	}
	return conds, args, nil
}

func (s *sqliteStore) List(ctx context.Context, f Filter) (Page, error) {
	where, args, err := s.where(f, time.Now())
	if err != nil {
		return Page{}, err
	}
	q := "SELECT " + entryCols + " FROM entries e" + where + " ORDER BY e.created_at DESC, e.id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit+1)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("memory: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return Page{}, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	return page(out, f.Limit), nil
}

func (s *sqliteStore) Delete(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM entries WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("memory: delete: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *sqliteStore) PruneExpired(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("memory: prune: %w", err)
	}
	return res.RowsAffected()
}

func (s *sqliteStore) SavePlan(ctx context.Context, p *Plan) error {
	data, err := storeRedactor.Marshal(p)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO plans(id, workspace, data, created_at, expires_at) VALUES (?,?,?,?,?) `+planUpsert,
		p.ID, p.Workspace, string(data), p.CreatedAt.UnixNano(), p.ExpiresAt.UnixNano())
	if err != nil {
		return fmt.Errorf("memory: save plan: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrPlanPending
	}
	return nil
}

func (s *sqliteStore) GetPlan(ctx context.Context, id string) (*Plan, error) {
	ps, err := s.queryPlans(ctx, "WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	return &ps[0], nil
}

func (s *sqliteStore) MarkPlanUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE plans SET used_at = ? WHERE id = ? AND used_at IS NULL`, at.UnixNano(), id)
	if err != nil {
		return false, fmt.Errorf("memory: mark plan used: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (s *sqliteStore) ListPlans(ctx context.Context, f PlanFilter) ([]Plan, error) {
	where := []string{"1=1"}
	var args []any
	if f.Workspace != "" {
		where = append(where, "workspace = ?")
		args = append(args, f.Workspace)
	}
	if f.PendingOnly {
		now := f.Now
		if now.IsZero() {
			now = time.Now()
		}
		where = append(where, "used_at IS NULL AND expires_at > ?")
		args = append(args, now.UnixNano())
	}
	return s.queryPlans(ctx, "WHERE "+strings.Join(where, " AND ")+" ORDER BY created_at DESC", args...)
}

func (s *sqliteStore) queryPlans(ctx context.Context, tail string, args ...any) ([]Plan, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT data, used_at FROM plans "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("memory: plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		var data string
		var used sql.NullInt64
		if err := rows.Scan(&data, &used); err != nil {
			return nil, err
		}
		p, err := decodePlan([]byte(data), used.Valid, used.Int64)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func decodePlan(data []byte, used bool, usedAt int64) (Plan, error) {
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("memory: plan record is corrupt: %w", err)
	}
	if used {
		t := time.Unix(0, usedAt).UTC()
		p.UsedAt = &t
	}
	return p, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
