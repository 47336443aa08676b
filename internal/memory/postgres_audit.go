package memory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The PostgreSQL store's audit log: appends in groups under an advisory
// lock, reads, checkpoints and pruning.

func (s *pgStore) AppendAudit(ctx context.Context, a *AuditRecord) error {
	return s.audits.append(a)
}

// appendAudits chains and inserts records in one transaction, under the
// advisory lock that orders every process's appends.
func (s *pgStore) appendAudits(ctx context.Context, recs []*AuditRecord) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgAuditLock)); err != nil {
			return err
		}
		var prev string
		err := tx.QueryRow(ctx, `SELECT hash FROM (
			SELECT hash, seq FROM audit UNION ALL SELECT through_hash, through_seq FROM audit_checkpoints
		) t ORDER BY seq DESC LIMIT 1`).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		for _, a := range recs {
			prepareAudit(a)
			a.PrevHash = prev
			a.Hash = a.ChainHash()
			ids, _ := json.Marshal(nonNil(a.ResultIDs))
			if err := tx.QueryRow(ctx, `INSERT INTO audit(time, principal, server, tool, args, outcome, duration_ms, result_ids, prev_hash, hash)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING seq`, a.Time.UnixNano(), a.Principal, a.Server, a.Tool,
				string(a.Args), a.Outcome, a.DurationMS, string(ids), a.PrevHash, a.Hash).Scan(&a.Seq); err != nil {
				return err
			}
			prev = a.Hash
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	return nil
}

func (s *pgStore) queryAudit(ctx context.Context, q string, fn func(AuditRecord) error) error {
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("memory: audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a AuditRecord
		var t int64
		var args, ids string
		if err := rows.Scan(&a.Seq, &t, &a.Principal, &a.Server, &a.Tool, &args, &a.Outcome, &a.DurationMS, &ids, &a.PrevHash, &a.Hash); err != nil {
			return err
		}
		a.Time = time.Unix(0, t).UTC()
		a.Args = json.RawMessage(args)
		_ = json.Unmarshal([]byte(ids), &a.ResultIDs)
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *pgStore) ListAudit(ctx context.Context, limit int) ([]AuditRecord, error) {
	q := "SELECT " + auditCols + " FROM audit ORDER BY seq DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []AuditRecord
	err := s.queryAudit(ctx, q, func(a AuditRecord) error { out = append(out, a); return nil })
	return out, err
}

func (s *pgStore) WalkAudit(ctx context.Context, fn func(AuditRecord) error) error {
	return s.queryAudit(ctx, "SELECT "+auditCols+" FROM audit ORDER BY seq ASC", fn)
}

func (s *pgStore) AuditCheckpoint(ctx context.Context) (*Checkpoint, error) {
	var c Checkpoint
	var t int64
	err := s.pool.QueryRow(ctx, `SELECT through_seq, through_hash, pruned, time, public_key, signature
		FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1`).Scan(&c.ThroughSeq, &c.ThroughHash, &c.Pruned, &t, &c.PublicKey, &c.Signature)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memory: audit checkpoint: %w", err)
	}
	c.Time = time.Unix(0, t).UTC()
	return &c, nil
}

func (s *pgStore) PruneAudit(ctx context.Context, cp *Checkpoint) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgAuditLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_checkpoints(through_seq, through_hash, pruned, time, public_key, signature) VALUES ($1,$2,$3,$4,$5,$6)`,
			cp.ThroughSeq, cp.ThroughHash, cp.Pruned, cp.Time.UnixNano(), cp.PublicKey, cp.Signature); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "DELETE FROM audit WHERE seq <= $1", cp.ThroughSeq)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("memory: prune audit: %w", err)
	}
	return n, nil
}
