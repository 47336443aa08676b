package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/redact"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Open opens the store at location: a SQLite file path, created if missing.
func Open(ctx context.Context, location string) (Store, error) {
	if strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://") {
		return nil, errors.New("memory: PostgreSQL stores are not supported by this build yet; use a SQLite file path")
	}
	return OpenSQLite(ctx, location)
}

type sqliteStore struct {
	db   *sql.DB
	path string
}

// migrations are applied in order; user_version records how many ran.
var migrations = []string{
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
}

// OpenSQLite opens (creating if needed) a SQLite store in WAL mode. Several
// processes may open and write the same file at once.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	if path == "" {
		return nil, errors.New("memory: empty store path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	q := url.Values{}
	// busy_timeout first: the journal_mode switch itself needs a lock.
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate") // writers queue on BEGIN instead of failing on upgrade
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("memory: open %s: %w", path, err)
	}
	s := &sqliteStore{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("memory: %s: %w", path, err)
	}
	return s, nil
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
	if version > len(migrations) {
		return fmt.Errorf("store schema version %d is newer than this opsmcp (%d); upgrade opsmcp", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if version < len(migrations) {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *sqliteStore) Dir() string      { return filepath.Dir(s.path) }
func (s *sqliteStore) Location() string { return s.path }
func (s *sqliteStore) Close() error     { return s.db.Close() }

var storeRedactor redact.Redactor

func (s *sqliteStore) Put(ctx context.Context, e *Entry) error {
	if len(e.Data) == 0 {
		e.Data = json.RawMessage("null")
	}
	if err := checkEntry(e); err != nil {
		return err
	}
	e.Data = storeRedactor.JSON(e.Data)
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	tags, _ := json.Marshal(nonNil(e.Tags))
	var exp any
	if e.ExpiresAt != nil {
		exp = e.ExpiresAt.UnixNano()
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO entries(server, kind, scope, key, data, tags, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)`,
		e.Server, e.Kind, e.Scope, e.Key, string(e.Data), string(tags), e.CreatedAt.UnixNano(), exp)
	if err != nil {
		return fmt.Errorf("memory: put: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

func (s *sqliteStore) List(ctx context.Context, f Filter) ([]Entry, error) {
	where := []string{"(expires_at IS NULL OR expires_at > ?)"}
	args := []any{time.Now().UnixNano()}
	for col, v := range map[string]string{"server": f.Server, "kind": f.Kind, "scope": f.Scope, "key": f.Key} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	q := "SELECT id, server, kind, scope, key, data, tags, created_at, expires_at FROM entries WHERE " +
		strings.Join(where, " AND ") + " ORDER BY created_at DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("memory: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var data, tags string
		var created int64
		var exp sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Server, &e.Kind, &e.Scope, &e.Key, &data, &tags, &created, &exp); err != nil {
			return nil, err
		}
		e.Data = json.RawMessage(data)
		_ = json.Unmarshal([]byte(tags), &e.Tags)
		e.CreatedAt = time.Unix(0, created).UTC()
		if exp.Valid {
			t := time.Unix(0, exp.Int64).UTC()
			e.ExpiresAt = &t
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *sqliteStore) SavePlan(ctx context.Context, p *Plan) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO plans(id, workspace, data, created_at, expires_at) VALUES (?,?,?,?,?)`,
		p.ID, p.Workspace, string(storeRedactor.JSON(data)), p.CreatedAt.UnixNano(), p.ExpiresAt.UnixNano())
	if err != nil {
		return fmt.Errorf("memory: save plan: %w", err)
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
		var p Plan
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			return nil, fmt.Errorf("memory: plan record is corrupt: %w", err)
		}
		if used.Valid {
			t := time.Unix(0, used.Int64).UTC()
			p.UsedAt = &t
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *sqliteStore) AppendAudit(ctx context.Context, a *AuditRecord) error {
	if len(a.Args) == 0 {
		a.Args = json.RawMessage("{}")
	}
	a.Args = storeRedactor.JSON(a.Args)
	a.Outcome = storeRedactor.String(a.Outcome)
	if a.Time.IsZero() {
		a.Time = time.Now().UTC()
	}
	tx, err := s.db.BeginTx(ctx, nil) // IMMEDIATE: the chain needs a serial order
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	defer tx.Rollback()
	var prev string
	err = tx.QueryRowContext(ctx, "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("memory: audit: %w", err)
	}
	a.PrevHash = prev
	a.Hash = a.ChainHash()
	ids, _ := json.Marshal(nonNil(a.ResultIDs))
	res, err := tx.ExecContext(ctx, `INSERT INTO audit(time, principal, server, tool, args, outcome, duration_ms, result_ids, prev_hash, hash)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, a.Time.UnixNano(), a.Principal, a.Server, a.Tool, string(a.Args), a.Outcome,
		a.DurationMS, string(ids), a.PrevHash, a.Hash)
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	a.Seq, _ = res.LastInsertId()
	return tx.Commit()
}

func (s *sqliteStore) ListAudit(ctx context.Context, limit int) ([]AuditRecord, error) {
	q := "SELECT seq, time, principal, server, tool, args, outcome, duration_ms, result_ids, prev_hash, hash FROM audit ORDER BY seq DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("memory: audit: %w", err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var a AuditRecord
		var t int64
		var args, ids string
		if err := rows.Scan(&a.Seq, &t, &a.Principal, &a.Server, &a.Tool, &args, &a.Outcome, &a.DurationMS, &ids, &a.PrevHash, &a.Hash); err != nil {
			return nil, err
		}
		a.Time = time.Unix(0, t).UTC()
		a.Args = json.RawMessage(args)
		_ = json.Unmarshal([]byte(ids), &a.ResultIDs)
		out = append(out, a)
	}
	return out, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
