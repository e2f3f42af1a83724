package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// dedup decides which discovered URLs are new: not handled lately by this process
// (claimed in a recentSet, so that two sources or two polls queue an article once) and
// not already stored (asked of Seen in batches).
type dedup struct {
	seen   Seen // nil treats every URL as new
	recent *recentSet
	log    *slog.Logger
}

// claimAlias claims canon, another name a fetched page gave itself, and reports whether
// it is new: neither handled lately nor stored.
func (d *dedup) claimAlias(ctx context.Context, canon string) bool {
	if !d.recent.claim(canon) {
		return false
	}
	if d.seen != nil {
		if stored, err := d.seen.Seen(ctx, []string{canon}); err == nil && stored[canon] {
			return false
		}
	}
	return true
}

// filterNew canonicalizes items, drops those handled recently or already stored, and
// claims the rest so that no other source queues them in the meantime.
func (d *dedup) filterNew(ctx context.Context, s *source, items []item, discovered time.Time) ([]job, error) {
	var cands []job
	inBatch := make(map[string]bool, len(items))
	for _, it := range items {
		canon, err := Canonicalize(it.URL)
		if err != nil || inBatch[canon] || d.recent.has(canon) {
			continue
		}
		inBatch[canon] = true
		cands = append(cands, job{src: s, item: it, canonical: canon, discovered: discovered})
	}
	var out []job
	for start := 0; start < len(cands); start += seenBatch {
		batch := cands[start:min(start+seenBatch, len(cands))]
		stored := map[string]bool{}
		if d.seen != nil {
			urls := make([]string, len(batch))
			for i, j := range batch {
				urls[i] = j.canonical
			}
			var err error
			if stored, err = d.seen.Seen(ctx, urls); err != nil {
				for _, j := range out {
					d.recent.release(j.canonical)
				}
				return nil, fmt.Errorf("seen: %w", err)
			}
		}
		for _, j := range batch {
			if stored[j.canonical] {
				d.recent.claim(j.canonical)
				continue
			}
			if d.recent.claim(j.canonical) {
				out = append(out, j)
			}
		}
	}
	return out, nil
}

// backfillNew canonicalizes a batch and keeps the items neither stored nor handled in
// this run. It returns them and the number of invalid URLs. A failing Seen check treats
// the batch as new: storage dedup keeps a repeat harmless.
func (d *dedup) backfillNew(ctx context.Context, batch []job) (fresh []job, invalid int) {
	var cands []job
	for _, j := range batch {
		canon, err := Canonicalize(j.item.URL)
		if err != nil {
			invalid++
			d.log.Warn("backfill URL skipped", "source", j.src.Name, "url", j.item.URL, "err", err)
			continue
		}
		j.canonical = canon
		cands = append(cands, j)
	}
	stored := map[string]bool{}
	if d.seen != nil && len(cands) > 0 {
		urls := make([]string, len(cands))
		for i, j := range cands {
			urls[i] = j.canonical
		}
		var err error
		if stored, err = d.seen.Seen(ctx, urls); err != nil {
			d.log.Warn("seen check failed, fetching the batch anyway", "err", err)
			stored = map[string]bool{}
		}
	}
	for _, j := range cands {
		if !stored[j.canonical] && d.recent.claim(j.canonical) {
			fresh = append(fresh, j)
		}
	}
	return fresh, invalid
}

// recentSet remembers the canonical URLs handled lately, first in first out, so that
// the same article reached from two sources or two polls is fetched once.
type recentSet struct {
	cap   int
	mu    sync.Mutex
	set   map[string]struct{}
	order []string
	next  int
}

func newRecentSet(capacity int) *recentSet {
	return &recentSet{cap: capacity, set: make(map[string]struct{}), order: make([]string, 0, min(capacity, 1024))}
}

func (r *recentSet) has(u string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.set[u]
	return ok
}

// claim adds u and reports whether it was absent.
func (r *recentSet) claim(u string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[u]; ok {
		return false
	}
	r.set[u] = struct{}{}
	if len(r.order) < r.cap {
		r.order = append(r.order, u)
		return true
	}
	delete(r.set, r.order[r.next])
	r.order[r.next] = u
	r.next = (r.next + 1) % len(r.order)
	return true
}

// release forgets u so that a later poll may queue it again.
func (r *recentSet) release(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.set, u)
}
