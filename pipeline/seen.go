package pipeline

import (
	"context"

	"github.com/pantau-id/pantau/storage"
)

// StoredURLs answers the crawler's question "which of these canonical URLs are stored?"
// from the articles table.
type StoredURLs struct {
	Querier storage.Querier
}

// Seen implements crawler.Seen.
func (s StoredURLs) Seen(ctx context.Context, canonicalURLs []string) (map[string]bool, error) {
	hashes := make([]uint64, len(canonicalURLs))
	for i, u := range canonicalURLs {
		hashes[i] = storage.URLHash(u)
	}
	known, err := storage.KnownURLs(ctx, s.Querier, hashes)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(known))
	for i, u := range canonicalURLs {
		if known[hashes[i]] {
			seen[u] = true
		}
	}
	return seen, nil
}
