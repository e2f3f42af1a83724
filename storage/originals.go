package storage

import (
	"context"
	"fmt"
	"time"
)

// Original is a stored article that is not a copy of another, with its body's SimHash.
type Original struct {
	URLHash, SimHash uint64
}

// RecentOriginals returns up to limit originals fetched since since, newest first, for
// the near-duplicate index of a starting pipeline.
func RecentOriginals(ctx context.Context, q Querier, since time.Time, limit int) ([]Original, error) {
	res, err := q.Query(ctx, fmt.Sprintf(
		"SELECT url_hash, simhash FROM articles WHERE duplicate_of = 0 AND simhash != 0 AND fetched_at >= toDateTime(%d) ORDER BY fetched_at DESC LIMIT %d",
		since.Unix(), limit))
	if err != nil {
		return nil, fmt.Errorf("recent originals: %w", err)
	}
	out := make([]Original, 0, len(res.Rows))
	for _, r := range res.Rows {
		h, _ := r[0].(uint64)
		s, _ := r[1].(uint64)
		out = append(out, Original{URLHash: h, SimHash: s})
	}
	return out, nil
}
