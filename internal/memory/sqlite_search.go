package memory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// commonTermDocs is the document frequency above which a search term is
// "common": it says little about relevance (low IDF), and when rarer terms
// are in the query they alone decide which entries match.
const commonTermDocs = 2000

// orderSlack bounds how far created_at may run behind id order among
// entries stamped at insert time (concurrent writers, the busy timeout).
const orderSlack = 2 * time.Minute

// searchBatch is how many candidates are looked up at once.
const searchBatch = 64

// Search scores each matching entry by the IDF weight of the query words it
// holds (the weight BM25 gives them, without term frequency), halved per
// recencyHalfLife of age. Entries get ids in time order, so candidates are
// scored newest first and scoring stops once no older candidate can reach
// the results: the work is bounded by the answer, not the store's size.
// Entries dated in the past (imports) are scored separately, whatever their id.
func (s *sqliteStore) Search(ctx context.Context, query string, f Filter) ([]Hit, error) {
	terms := searchTerms(query)
	if len(terms) == 0 {
		return nil, errors.New("search needs at least one word")
	}
	if err := s.indexPending(ctx); err != nil {
		return nil, fmt.Errorf("memory: search: index: %w", err)
	}
	r, err := s.newRanking(f)
	if err != nil {
		return nil, err
	}
	weights, err := s.termWeights(ctx, terms)
	if err != nil {
		return nil, fmt.Errorf("memory: search: %w", err)
	}
	if r.rel, err = s.candidates(ctx, weights, indexFilter(f)); err != nil || len(r.rel) == 0 {
		return nil, err
	}
	early, ordered, err := s.scoringOrder(ctx, r.rel)
	if err != nil {
		return nil, fmt.Errorf("memory: search: %w", err)
	}
	if err := s.scoreNewestFirst(ctx, r, early, ordered); err != nil {
		return nil, fmt.Errorf("memory: search: %w", err)
	}
	return s.loadHits(ctx, r.top)
}

// indexFilter is the part of a filter the index applies itself: server,
// kind, scope and tags, as metadata tokens.
func indexFilter(f Filter) []string {
	var filter []string
	if f.Server != "" {
		filter = append(filter, metaToken("v", f.Server))
	}
	if f.Kind != "" {
		filter = append(filter, metaToken("k", f.Kind))
	}
	if f.Scope != "" {
		filter = append(filter, metaToken("s", f.Scope))
	}
	for _, t := range f.Tags {
		filter = append(filter, metaToken("t", t))
	}
	return filter
}

// termWeights returns the IDF weight of each query term entries hold. When
// rare terms are present, common ones are left out: they would add many
// candidates and almost nothing to relevance.
func (s *sqliteStore) termWeights(ctx context.Context, terms []string) (map[string]float64, error) {
	var n float64
	if err := s.db.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM entries").Scan(&n); err != nil {
		return nil, err
	}
	ph := placeholders(len(terms))
	args := make([]any, len(terms))
	for i, t := range terms {
		args[i] = t
	}
	rows, err := s.db.QueryContext(ctx, "SELECT term, doc FROM entries_vocab WHERE term IN ("+ph+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rare, common := map[string]float64{}, map[string]float64{}
	for rows.Next() {
		var term string
		var docs float64
		if err := rows.Scan(&term, &docs); err != nil {
			return nil, err
		}
		idf := math.Log(1 + (max(n, docs)-docs+0.5)/(docs+0.5))
		if docs > commonTermDocs {
			common[term] = idf
		} else {
			rare[term] = idf
		}
	}
	if len(rare) > 0 {
		return rare, rows.Err()
	}
	return common, rows.Err()
}

// candidates are the ids of entries holding a weighted term and passing
// the index filter, with their relevance: from the index alone.
func (s *sqliteStore) candidates(ctx context.Context, weights map[string]float64, filter []string) (map[int64]float64, error) {
	rel := map[int64]float64{}
	for term, w := range weights {
		rows, err := s.db.QueryContext(ctx, `SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?`,
			strings.Join(append([]string{`body:"` + term + `"`}, filter...), " AND "))
		if err != nil {
			return nil, fmt.Errorf("memory: search: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			rel[id] += w
		}
		rows.Close()
	}
	return rel, nil
}

// scoringOrder splits candidates into those dated out of id order (always
// scored) and the rest, newest id first.
func (s *sqliteStore) scoringOrder(ctx context.Context, rel map[int64]float64) (early, ordered []int64, err error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM entries_out_of_order")
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			if _, ok := rel[id]; ok {
				early = append(early, id)
			}
		}
	}
	rows.Close()
	ordered = make([]int64, 0, len(rel))
	for id := range rel {
		if !slices.Contains(early, id) {
			ordered = append(ordered, id)
		}
	}
	slices.Sort(ordered)
	slices.Reverse(ordered)
	return early, ordered, nil
}

// ranking keeps the best-scored candidates of one search.
type ranking struct {
	limit    int
	now      time.Time
	conds    []string // the filter's remaining conditions (time, expiry, key)
	condArgs []any
	rel      map[int64]float64
	top      []scored // best first, at most limit
}

type scored struct {
	id    int64
	score float64
}

func (s *sqliteStore) newRanking(f Filter) (*ranking, error) {
	r := &ranking{limit: f.Limit, now: time.Now()}
	if r.limit <= 0 {
		r.limit = 20
	}
	rest := f
	rest.Server, rest.Kind, rest.Scope, rest.Tags, rest.Cursor, rest.Limit = "", "", "", nil, "", 0
	var err error
	r.conds, r.condArgs, err = s.conds(rest, r.now)
	return r, err
}

func (r *ranking) recency(createdAt int64) float64 {
	return math.Pow(0.5, float64(r.now.UnixNano()-createdAt)/float64(recencyHalfLife))
}

// add keeps sc if it is among the best limit.
func (r *ranking) add(sc scored) {
	i, _ := slices.BinarySearchFunc(r.top, sc, func(a, b scored) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return int(b.id - a.id)
	})
	if i < r.limit {
		r.top = slices.Insert(r.top, i, sc)
		if len(r.top) > r.limit {
			r.top = r.top[:r.limit]
		}
	}
}

// scoreBatch scores a batch of candidates that pass the filter. oldest is
// over every candidate of the batch, passing the filter or not: it bounds
// what the older candidates can score.
func (s *sqliteStore) scoreBatch(ctx context.Context, r *ranking, ids []int64) (oldest int64, err error) {
	ph := placeholders(len(ids))
	args := append([]any{}, r.condArgs...)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT e.id, e.created_at, "+strings.Join(r.conds, " AND ")+
		" FROM entries e WHERE e.id IN ("+ph+")", args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	oldest = math.MaxInt64
	for rows.Next() {
		var id, created int64
		var ok bool
		if err := rows.Scan(&id, &created, &ok); err != nil {
			return 0, err
		}
		oldest = min(oldest, created)
		if ok {
			r.add(scored{id, r.rel[id] * r.recency(created)})
		}
	}
	return oldest, rows.Err()
}

// scoreNewestFirst scores the early candidates, then the ordered ones in
// batches, stopping once no older candidate can make the results.
func (s *sqliteStore) scoreNewestFirst(ctx context.Context, r *ranking, early, ordered []int64) error {
	for i := 0; i < len(early); i += searchBatch {
		if _, err := s.scoreBatch(ctx, r, early[i:min(i+searchBatch, len(early))]); err != nil {
			return err
		}
	}
	// bestLeft[i]: the highest relevance among ordered[i:].
	bestLeft := make([]float64, len(ordered)+1)
	for i := len(ordered) - 1; i >= 0; i-- {
		bestLeft[i] = max(bestLeft[i+1], r.rel[ordered[i]])
	}
	last := int64(math.MaxInt64) // created_at of the oldest ordered candidate scored so far
	for i := 0; i < len(ordered); i += searchBatch {
		if len(r.top) == r.limit && last != math.MaxInt64 && bestLeft[i]*r.recency(last+int64(orderSlack)) < r.top[r.limit-1].score {
			break // nothing older can make the results
		}
		oldest, err := s.scoreBatch(ctx, r, ordered[i:min(i+searchBatch, len(ordered))])
		if err != nil {
			return err
		}
		if oldest != math.MaxInt64 {
			last = min(last, oldest)
		}
	}
	return nil
}

// loadHits reads the entries of the best candidates, best first; one
// deleted meanwhile is skipped.
func (s *sqliteStore) loadHits(ctx context.Context, top []scored) ([]Hit, error) {
	if len(top) == 0 {
		return nil, nil
	}
	ph := placeholders(len(top))
	ids := make([]any, len(top))
	for i, t := range top {
		ids[i] = t.id
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+entryCols+" FROM entries e WHERE e.id IN ("+ph+")", ids...)
	if err != nil {
		return nil, fmt.Errorf("memory: search: %w", err)
	}
	defer rows.Close()
	byID := map[int64]Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		byID[e.ID] = e
	}
	hits := make([]Hit, 0, len(top))
	for _, t := range top {
		if e, ok := byID[t.id]; ok {
			hits = append(hits, Hit{Entry: e, Score: t.score})
		}
	}
	return hits, rows.Err()
}

// placeholders is n SQL parameters for an IN list: "?,?,?".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
