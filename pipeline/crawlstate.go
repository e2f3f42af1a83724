package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/storage"
)

// CrawlState keeps the crawler's source states in ClickHouse's source_state table, so
// that validators, schedules, health and a portal's discovered feeds survive restarts
// and follow the store to every instance. It implements crawler.StateStore.
type CrawlState struct {
	Store interface {
		storage.Querier
		storage.Inserter
	}
}

// Load implements crawler.StateStore. A source whose stored feeds do not decode comes
// back without its feeds, the rest of its state intact, and the error names it.
func (s CrawlState) Load(ctx context.Context) (map[string]crawler.SourceState, error) {
	saved, err := storage.LoadSourceStates(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	out := make(map[string]crawler.SourceState, len(saved))
	var errs []error
	for name, st := range saved {
		feeds, err := decodeFeeds(st.Feeds)
		if err != nil {
			errs = append(errs, fmt.Errorf("load crawler state: source %s: stored feeds do not decode, loaded without them: %w", name, err))
		}
		out[name] = crawler.SourceState{
			Source: st.Source, ETag: st.ETag, LastModified: st.LastModified, NextPoll: st.NextPoll,
			Interval: st.Interval, Failures: st.Failures, LastSuccess: st.LastSuccess,
			LastErrorAt: st.LastErrorAt, LastError: st.LastError, Dead: st.Dead, UpdatedAt: st.UpdatedAt,
			Feeds: feeds, MeanGap: st.MeanGap, LastItem: st.LastItem,
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return out, errors.Join(errs...)
}

// Save implements crawler.StateStore: one insert, confirmed by ClickHouse.
func (s CrawlState) Save(ctx context.Context, states []crawler.SourceState) error {
	rows := make([]storage.SourceStateRow, len(states))
	for i, st := range states {
		feeds, err := encodeFeeds(st.Feeds)
		if err != nil {
			return fmt.Errorf("save crawler state: source %s: %w", st.Source, err)
		}
		rows[i] = storage.SourceStateRow{
			SourceState: storage.SourceState{
				Source: st.Source, ETag: st.ETag, LastModified: st.LastModified, NextPoll: st.NextPoll,
				Interval: st.Interval, Failures: st.Failures, LastSuccess: st.LastSuccess,
				LastErrorAt: st.LastErrorAt, LastError: st.LastError, Dead: st.Dead, UpdatedAt: st.UpdatedAt,
			},
			Feeds: feeds, MeanGap: st.MeanGap, LastItem: st.LastItem,
		}
	}
	return storage.SaveSourceStates(ctx, s.Store, rows)
}

// encodeFeeds returns the JSON array of feeds, or "" for none.
func encodeFeeds(feeds []crawler.FeedState) (string, error) {
	if len(feeds) == 0 {
		return "", nil
	}
	b, err := json.Marshal(feeds)
	if err != nil {
		return "", fmt.Errorf("encode feeds: %w", err)
	}
	return string(b), nil
}

// decodeFeeds reads what encodeFeeds wrote; "" (no feeds, or a row older than the
// feeds column) is nil.
func decodeFeeds(s string) ([]crawler.FeedState, error) {
	if s == "" {
		return nil, nil
	}
	var feeds []crawler.FeedState
	if err := json.Unmarshal([]byte(s), &feeds); err != nil {
		return nil, err
	}
	return feeds, nil
}
