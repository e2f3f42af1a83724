package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/pantau-id/pantau/ack"
	"github.com/pantau-id/pantau/config"
)

// SourceState is what the crawler remembers about one source between polls and across
// restarts: the feed's validators, its schedule and its health.
type SourceState struct {
	Source       string
	ETag         string // validator of the last fully acknowledged poll
	LastModified string // validator of the last fully acknowledged poll
	NextPoll     time.Time
	Interval     time.Duration // current poll interval
	// MeanGap is the weighted mean time between the source's new items, and LastItem
	// the arrival of the newest one seen (its publication date, or the poll that found
	// it when undated): what the poll interval follows. Zero until observed.
	MeanGap     time.Duration `json:",omitempty"`
	LastItem    time.Time     `json:",omitzero"`
	Failures    uint32        // consecutive failed polls
	LastSuccess time.Time
	LastErrorAt time.Time
	LastError   string // error class of the last failed poll, e.g. http_5xx
	Dead        bool   // failing for longer than dead_after; polled at max_interval
	UpdatedAt   time.Time
	// Feeds are the feeds a portal's pages advertised at its last fully acknowledged
	// poll, with their validators (at most maxPortalFeeds); empty for other kinds.
	Feeds []FeedState `json:",omitempty"`
}

// FeedState is one feed discovered on a portal's page, with the validators of the last
// fully acknowledged poll.
type FeedState struct {
	URL          string
	ETag         string
	LastModified string
}

// StateStore keeps source states across restarts.
//
// Load returns the newest saved state of every source it knows, by source name; sources
// it does not know are absent. Save stores states, each replacing the source's earlier
// one; a nil error means the states are durable. Both must be safe for concurrent use
// and honour ctx. A Load failing with a nil map makes the crawler start from empty
// states; one that could not read part of some states returns the rest with an error
// naming those sources, and the crawler adopts what was returned. A failing Save is
// retried with the next save.
type StateStore interface {
	Load(ctx context.Context) (map[string]SourceState, error)
	Save(ctx context.Context, states []SourceState) error
}

// WithStateStore sets where source states persist; the default keeps them in memory.
func WithStateStore(s StateStore) Option { return func(o *options) { o.state = s } }

// FileStateStore is a StateStore in one local JSON file, for single-instance use without
// a shared store. Save rewrites the file atomically (write to a temporary file, rename).
type FileStateStore struct {
	Path string

	mu sync.Mutex
}

// Load implements StateStore; a missing file is an empty state.
func (f *FileStateStore) Load(ctx context.Context) (map[string]SourceState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load()
}

func (f *FileStateStore) load() (map[string]SourceState, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]SourceState{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load crawler state: %w", err)
	}
	var list []SourceState
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("load crawler state %s: %w", f.Path, err)
	}
	out := make(map[string]SourceState, len(list))
	for _, s := range list {
		out[s.Source] = s
	}
	return out, nil
}

// Save implements StateStore: it merges states into the file's content.
func (f *FileStateStore) Save(ctx context.Context, states []SourceState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	all, err := f.load()
	if err != nil {
		all = map[string]SourceState{} // a corrupt file is replaced
	}
	for _, s := range states {
		all[s.Source] = s
	}
	list := make([]SourceState, 0, len(all))
	for _, s := range all {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Source < list[j].Source })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return fmt.Errorf("save crawler state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".pantau-state-*")
	if err != nil {
		return fmt.Errorf("save crawler state: %w", err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save crawler state: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save crawler state: %w", err)
	}
	return nil
}

// stateSaveEvery is how often Run saves changed source states.
const stateSaveEvery = 10 * time.Second

// sourceStates is the crawler's state part: the polling state of its sources, loaded
// from and saved to a StateStore.
type sourceStates struct {
	store   StateStore // nil keeps states in memory only
	sources []*source
	log     *slog.Logger
	m       *metrics

	mu     sync.Mutex
	loaded bool
}

// load restores the saved states of the sources, once.
func (c *sourceStates) load(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded || c.store == nil {
		return
	}
	c.loaded = true
	saved, err := c.store.Load(ctx)
	if err != nil && saved == nil {
		c.log.Warn("crawler state not loaded, starting from scratch", "err", err)
		return
	}
	if err != nil {
		c.log.Warn("crawler state partly loaded", "err", err)
	}
	n := 0
	for _, s := range c.sources {
		if st, ok := saved[s.Name]; ok {
			s.restore(st)
			c.m.observeState(s.state())
			n++
		}
	}
	c.log.Info("crawler state loaded", "sources", n)
}

// save saves the states changed since the last save.
func (c *sourceStates) save(ctx context.Context) error {
	if c.store == nil {
		return nil
	}
	var dirty []*source
	var states []SourceState
	for _, s := range c.sources {
		s.mu.Lock()
		if s.dirty {
			s.dirty = false
			dirty = append(dirty, s)
			states = append(states, s.st)
		}
		s.mu.Unlock()
	}
	if len(states) == 0 {
		return nil
	}
	if err := c.store.Save(ctx, states); err != nil {
		for _, s := range dirty {
			s.mu.Lock()
			s.dirty = true
			s.mu.Unlock()
		}
		return fmt.Errorf("save crawler state: %w", err)
	}
	return nil
}

// saveLogged saves changed states and logs a failure; it is for the crawler's own loops.
func (c *sourceStates) saveLogged(ctx context.Context) {
	if err := c.save(ctx); err != nil {
		c.log.Warn("crawler state not saved, retrying later", "err", err)
	}
}

// snapshot returns every source's state, sorted by source name.
func (c *sourceStates) snapshot() []SourceState {
	out := make([]SourceState, 0, len(c.sources))
	for _, s := range c.sources {
		out = append(out, s.state())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

func (s *source) state() SourceState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// restore adopts a saved state.
func (s *source) restore(st SourceState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Source = s.Name
	s.st = st
	if st.Failures > 0 {
		// The first failure's time is not saved: the last success bounds it from below.
		s.failingSince = st.LastSuccess
		if s.failingSince.IsZero() {
			s.failingSince = st.LastErrorAt
		}
	}
}

// errRetry marks an article acknowledged with an error to be fetched again on a later
// poll; errDuplicate and errOutOfRange mark one skipped; any other error one failed for good.
var errRetry = errors.New("fetched again on a later poll")

func retry(err error) error { return fmt.Errorf("%w: %w", errRetry, err) }

// pollAck returns the acknowledgement of one poll: a group holding the poll's own part
// until it queued its articles, then one part per article. The poll's validators (a
// feed's, or those of the feeds a portal advertises) are committed to the source only
// when every article was stored or skipped for good (an article to fetch again keeps the
// old ones): were they committed earlier, a crash would hide the unstored articles
// behind a 304. run, if not nil, is told once the poll settled.
func pollAck(run *ack.Group, s *source, l listing) *ack.Group {
	l.items = nil // only the validators are kept
	run.Add(1)
	return ack.NewGroup(1, func(err error) {
		if err == nil {
			s.commit(l)
		}
		run.Done(nil)
	})
}

// articleAck returns the acknowledgement of one article of a poll's group.
func articleAck(poll *ack.Group) ack.Func {
	poll.Add(1)
	return func(err error) {
		if !errors.Is(err, errRetry) {
			err = nil // stored, or skipped or failed for good: the feed may move on
		}
		poll.Done(err)
	}
}

// commit adopts the validators of a poll whose articles all settled.
func (s *source) commit(l listing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.Kind {
	case config.KindFeed:
		if s.st.ETag != l.etag || s.st.LastModified != l.lm {
			s.st.ETag, s.st.LastModified = l.etag, l.lm
			s.dirty = true
		}
	case config.KindPortal:
		if !slices.Equal(s.st.Feeds, l.feeds) {
			s.st.Feeds = l.feeds
			s.dirty = true
		}
	}
}

// runAck returns the group of one run's polls or items and a channel closed once the
// group settled; the run holds one part of its own until it stopped handing work out.
func runAck() (*ack.Group, <-chan struct{}) {
	settled := make(chan struct{})
	return ack.NewGroup(1, func(error) { close(settled) }), settled
}

// waitAcks waits until settled is closed, ctx is done or max passed.
func (c *sourceStates) waitAcks(ctx context.Context, settled <-chan struct{}, max time.Duration) {
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-settled:
	case <-ctx.Done():
	case <-t.C:
		c.log.Warn("articles still unacknowledged, their feeds keep their old validators")
	}
}
