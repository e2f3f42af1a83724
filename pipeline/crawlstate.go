package pipeline

import (
	"context"

	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/storage"
)

// CrawlState keeps the crawler's source states in ClickHouse's source_state table, so
// that validators, schedules and health survive restarts and follow the store to every
// instance. It implements crawler.StateStore.
type CrawlState struct {
	Store interface {
		storage.Querier
		storage.Inserter
	}
}

// Load implements crawler.StateStore.
func (s CrawlState) Load(ctx context.Context) (map[string]crawler.SourceState, error) {
	saved, err := storage.LoadSourceStates(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	out := make(map[string]crawler.SourceState, len(saved))
	for name, st := range saved {
		out[name] = crawler.SourceState{
			Source: st.Source, ETag: st.ETag, LastModified: st.LastModified, NextPoll: st.NextPoll,
			Interval: st.Interval, Failures: st.Failures, LastSuccess: st.LastSuccess,
			LastErrorAt: st.LastErrorAt, LastError: st.LastError, Dead: st.Dead, UpdatedAt: st.UpdatedAt,
		}
	}
	return out, nil
}

// Save implements crawler.StateStore: one insert, confirmed by ClickHouse.
func (s CrawlState) Save(ctx context.Context, states []crawler.SourceState) error {
	rows := make([]storage.SourceState, len(states))
	for i, st := range states {
		rows[i] = storage.SourceState{
			Source: st.Source, ETag: st.ETag, LastModified: st.LastModified, NextPoll: st.NextPoll,
			Interval: st.Interval, Failures: st.Failures, LastSuccess: st.LastSuccess,
			LastErrorAt: st.LastErrorAt, LastError: st.LastError, Dead: st.Dead, UpdatedAt: st.UpdatedAt,
		}
	}
	return storage.SaveSourceStates(ctx, s.Store, rows)
}
