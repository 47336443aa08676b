package memory

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// AuditKeyFile is the ed25519 key that signs audit checkpoints, in Dir().
const AuditKeyFile = "audit-signing.key"

// AuditReport is the result of walking the audit chain.
type AuditReport struct {
	OK         bool        `json:"ok"`
	Records    int64       `json:"records"`
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	BrokenSeq  int64       `json:"broken_seq,omitempty"` // first bad record
	Problem    string      `json:"problem,omitempty"`
}

// VerifyAudit walks the chain from the latest checkpoint (whose signature
// must verify against this store's key) and names the first broken record.
func VerifyAudit(ctx context.Context, s AuditStore) (*AuditReport, error) {
	rep := &AuditReport{OK: true}
	cp, err := s.AuditCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	prev := ""
	if cp != nil {
		rep.Checkpoint = cp
		if problem := checkCheckpoint(s.Dir(), cp); problem != "" {
			rep.OK, rep.Problem = false, problem
			return rep, nil
		}
		prev = cp.ThroughHash
	}
	errStop := errors.New("stop")
	err = s.WalkAudit(ctx, func(a AuditRecord) error {
		rep.Records++
		switch {
		case cp != nil && a.Seq <= cp.ThroughSeq:
			rep.Problem = fmt.Sprintf("record %d should have been pruned behind the checkpoint through %d", a.Seq, cp.ThroughSeq)
		case a.PrevHash != prev:
			if rep.Records == 1 && cp == nil {
				rep.Problem = fmt.Sprintf("record %d follows records that are missing, and no checkpoint covers them", a.Seq)
			} else {
				rep.Problem = fmt.Sprintf("record %d does not follow the record before it (prev_hash mismatch): it or its predecessor was altered, or records were deleted", a.Seq)
			}
		case a.ChainHash() != a.Hash:
			rep.Problem = fmt.Sprintf("record %d was altered after it was written (its content no longer matches its hash)", a.Seq)
		default:
			prev = a.Hash
			return nil
		}
		rep.OK, rep.BrokenSeq = false, a.Seq
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return rep, nil
}

func checkCheckpoint(dir string, cp *Checkpoint) string {
	pub, err := hex.DecodeString(cp.PublicKey)
	sig, err2 := hex.DecodeString(cp.Signature)
	if err != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, cp.SignedBytes(), sig) {
		return fmt.Sprintf("the checkpoint through record %d has a bad signature", cp.ThroughSeq)
	}
	key, err := readAuditKey(dir)
	if err != nil {
		return fmt.Sprintf("the checkpoint through record %d cannot be checked: %v", cp.ThroughSeq, err)
	}
	if key != nil && !strings.EqualFold(hex.EncodeToString(key.Public().(ed25519.PublicKey)), cp.PublicKey) {
		return fmt.Sprintf("the checkpoint through record %d was signed by a key other than this store's (%s)", cp.ThroughSeq, filepath.Join(dir, AuditKeyFile))
	}
	return ""
}

// PruneAuditOptions say which records to prune: older than MaxAge, or all
// but the newest MaxRecords (either, or both; zero means no limit).
type PruneAuditOptions struct {
	MaxAge     time.Duration
	MaxRecords int64
	Now        time.Time
}

// PruneAudit prunes old audit records behind a signed checkpoint, after
// verifying the chain (a broken chain is never pruned away silently).
func PruneAudit(ctx context.Context, s AuditStore, o PruneAuditOptions) (int64, error) {
	if o.MaxAge <= 0 && o.MaxRecords <= 0 {
		return 0, errors.New("audit retention needs a maximum age or a maximum number of records")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	rep, err := VerifyAudit(ctx, s)
	if err != nil {
		return 0, err
	}
	if !rep.OK {
		return 0, fmt.Errorf("audit log does not verify (%s); not pruning", rep.Problem)
	}
	recs, err := s.ListAudit(ctx, 0) // newest first
	if err != nil {
		return 0, err
	}
	cut := -1 // index (in newest-first order) of the newest record to prune
	for i, r := range recs {
		tooOld := o.MaxAge > 0 && o.Now.Sub(r.Time) > o.MaxAge
		beyond := o.MaxRecords > 0 && int64(i) >= o.MaxRecords
		if tooOld || beyond {
			cut = i
			break
		}
	}
	if cut < 0 {
		return 0, nil
	}
	last := recs[cut]
	key, err := readAuditKey(s.Dir())
	if err == nil && key == nil {
		key, err = createAuditKey(s.Dir())
	}
	if err != nil {
		return 0, err
	}
	var pruned int64
	if rep.Checkpoint != nil {
		pruned = rep.Checkpoint.Pruned
	}
	cp := &Checkpoint{ThroughSeq: last.Seq, ThroughHash: last.Hash, Pruned: pruned + int64(len(recs)-cut), Time: o.Now.UTC()}
	cp.PublicKey = hex.EncodeToString(key.Public().(ed25519.PublicKey))
	cp.Signature = hex.EncodeToString(ed25519.Sign(key, cp.SignedBytes()))
	return s.PruneAudit(ctx, cp)
}

func readAuditKey(dir string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(filepath.Join(dir, AuditKeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s is not an audit signing key", filepath.Join(dir, AuditKeyFile))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func createAuditKey(dir string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, AuditKeyFile)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return readAuditKey(dir) // another process made it first
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, hex.EncodeToString(key.Seed())); err != nil {
		return nil, err
	}
	return key, f.Sync()
}
