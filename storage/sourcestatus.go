package storage

import (
	"context"
	"time"

	"github.com/pantau-id/pantau/config"
)

// Source states reported by SourceStatuses.
const (
	SourceOK          = "ok"
	SourceDisabled    = "disabled"
	SourceDead        = "dead"
	SourceNeverPolled = "never polled"
	SourceFailing     = "failing"
)

// SourceStatus is one configured source with its crawl state: what `pantau sources` prints
// and /api/sources serves. Zero times are left out of JSON.
type SourceStatus struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	State string `json:"state"` // ok, disabled, dead, never polled or failing
	// LastSuccess is the last successful fetch in the window, else the stored state's.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastError is the last failed fetch in the window with its error class, else the
	// stored state's last error with its message.
	LastError     time.Time `json:"last_error,omitzero"`
	LastErrorText string    `json:"last_error_text,omitempty"`
	// IntervalSeconds is the current poll interval; 0 when not polled yet.
	IntervalSeconds int64 `json:"interval_seconds"`
	// Fetches, Errors and Articles count the window's fetches, failed fetches and articles.
	Fetches  uint64 `json:"fetches"`
	Errors   uint64 `json:"errors"`
	Articles uint64 `json:"articles"`
}

// SourceStatuses returns the status of each of sources, in their order, from the fetches
// since since and the stored source states.
func SourceStatuses(ctx context.Context, q Querier, sources []config.Source, since time.Time) ([]SourceStatus, error) {
	health, err := SourcesHealth(ctx, q, since)
	if err != nil {
		return nil, err
	}
	states, err := LoadSourceStates(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]SourceStatus, 0, len(sources))
	for _, s := range sources {
		h, st := health[s.Name], states[s.Name]
		ss := SourceStatus{Name: s.Name, Kind: s.Kind, State: SourceOK, LastSuccess: h.LastSuccess,
			IntervalSeconds: int64(st.Interval / time.Second), Fetches: h.Fetches, Errors: h.Errors, Articles: h.Articles}
		switch {
		case s.Disabled:
			ss.State = SourceDisabled
		case st.Dead:
			ss.State = SourceDead
		case h.Fetches == 0 && st.LastSuccess.IsZero():
			ss.State = SourceNeverPolled
		case h.LastError.After(h.LastSuccess):
			ss.State = SourceFailing
		}
		if ss.LastSuccess.IsZero() {
			ss.LastSuccess = st.LastSuccess
		}
		if !h.LastError.IsZero() {
			ss.LastError, ss.LastErrorText = h.LastError, h.LastErrorClass
		} else if st.LastError != "" {
			ss.LastError, ss.LastErrorText = st.LastErrorAt, st.LastError
		}
		out = append(out, ss)
	}
	return out, nil
}
