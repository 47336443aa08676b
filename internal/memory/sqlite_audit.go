package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The SQLite store's audit log: appends in groups, reads, checkpoints and
// pruning.

const (
	sqlLastAuditHash = "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1"
	sqlInsertAudit   = `INSERT INTO audit(time, principal, server, tool, args, outcome, duration_ms, result_ids, prev_hash, hash)
		VALUES (?,?,?,?,?,?,?,?,?,?)`
)

func (s *sqliteStore) auditStmts(ctx context.Context) error {
	s.prepOnce.Do(func() {
		if s.lastHash, s.prepErr = s.db.PrepareContext(ctx, sqlLastAuditHash); s.prepErr == nil {
			s.insertAudit, s.prepErr = s.db.PrepareContext(ctx, sqlInsertAudit)
		}
	})
	return s.prepErr
}

func (s *sqliteStore) AppendAudit(ctx context.Context, a *AuditRecord) error {
	return s.audits.append(a)
}

// appendAudits chains and inserts records in one transaction.
func (s *sqliteStore) appendAudits(ctx context.Context, recs []*AuditRecord) error {
	if err := s.auditStmts(ctx); err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil) // IMMEDIATE: the chain needs a serial order
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	defer tx.Rollback()
	var prev string
	err = tx.StmtContext(ctx, s.lastHash).QueryRowContext(ctx).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		// Everything may have been pruned: continue from the checkpoint.
		err = tx.QueryRowContext(ctx, "SELECT through_hash FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1").Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	insert := tx.StmtContext(ctx, s.insertAudit)
	for _, a := range recs {
		prepareAudit(a)
		a.PrevHash = prev
		a.Hash = a.ChainHash()
		ids, _ := json.Marshal(nonNil(a.ResultIDs))
		res, err := insert.ExecContext(ctx, a.Time.UnixNano(), a.Principal, a.Server, a.Tool, string(a.Args), a.Outcome,
			a.DurationMS, string(ids), a.PrevHash, a.Hash)
		if err != nil {
			return fmt.Errorf("memory: audit: %w", err)
		}
		a.Seq, _ = res.LastInsertId()
		prev = a.Hash
	}
	return tx.Commit()
}

const auditCols = "seq, time, principal, server, tool, args, outcome, duration_ms, result_ids, prev_hash, hash"

func scanAudit(sc interface{ Scan(...any) error }) (AuditRecord, error) {
	var a AuditRecord
	var t int64
	var args, ids string
	if err := sc.Scan(&a.Seq, &t, &a.Principal, &a.Server, &a.Tool, &args, &a.Outcome, &a.DurationMS, &ids, &a.PrevHash, &a.Hash); err != nil {
		return a, err
	}
	a.Time = time.Unix(0, t).UTC()
	a.Args = json.RawMessage(args)
	_ = json.Unmarshal([]byte(ids), &a.ResultIDs)
	return a, nil
}

func (s *sqliteStore) ListAudit(ctx context.Context, limit int) ([]AuditRecord, error) {
	q := "SELECT " + auditCols + " FROM audit ORDER BY seq DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []AuditRecord
	err := s.queryAudit(ctx, q, func(a AuditRecord) error { out = append(out, a); return nil })
	return out, err
}

func (s *sqliteStore) WalkAudit(ctx context.Context, fn func(AuditRecord) error) error {
	return s.queryAudit(ctx, "SELECT "+auditCols+" FROM audit ORDER BY seq ASC", fn)
}

func (s *sqliteStore) queryAudit(ctx context.Context, q string, fn func(AuditRecord) error) error {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *sqliteStore) AuditCheckpoint(ctx context.Context) (*Checkpoint, error) {
	var c Checkpoint
	var t int64
	err := s.db.QueryRowContext(ctx, `SELECT through_seq, through_hash, pruned, time, public_key, signature
		FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1`).Scan(&c.ThroughSeq, &c.ThroughHash, &c.Pruned, &t, &c.PublicKey, &c.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memory: audit checkpoint: %w", err)
	}
	c.Time = time.Unix(0, t).UTC()
	return &c, nil
}

func (s *sqliteStore) PruneAudit(ctx context.Context, cp *Checkpoint) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("memory: prune audit: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints(through_seq, through_hash, pruned, time, public_key, signature) VALUES (?,?,?,?,?,?)`,
		cp.ThroughSeq, cp.ThroughHash, cp.Pruned, cp.Time.UnixNano(), cp.PublicKey, cp.Signature); err != nil {
		return 0, fmt.Errorf("memory: prune audit: %w", err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM audit WHERE seq <= ?", cp.ThroughSeq)
	if err != nil {
		return 0, fmt.Errorf("memory: prune audit: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, tx.Commit()
}
