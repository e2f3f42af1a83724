package crawler

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// memStore is an in-memory StateStore.
type memStore struct {
	mu     sync.Mutex
	states map[string]SourceState
	saves  int
}

func (m *memStore) Load(context.Context) (map[string]SourceState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]SourceState{}
	for k, v := range m.states {
		out[k] = v
	}
	return out, nil
}

func (m *memStore) Save(_ context.Context, states []SourceState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.states == nil {
		m.states = map[string]SourceState{}
	}
	for _, s := range states {
		m.states[s.Source] = s
	}
	m.saves++
	return nil
}

func (m *memStore) get(name string) SourceState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.states[name]
}

// runAcking runs one crawl and acknowledges each article with ack(article).
func runAcking(t *testing.T, c *Crawler, ack func(Article) error) []Article {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make(chan Article)
	errc := make(chan error, 1)
	go func() { errc <- c.RunOnce(ctx, out); close(out) }()
	var got []Article
	for a := range out {
		a.Ack(ack(a))
		got = append(got, a)
	}
	if err := <-errc; err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return got
}

func TestValidatorsAdvanceOnlyAfterAck(t *testing.T) {
	s := newSite(t)
	var conditional atomic.Int32
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, rssFeed(s.URL, "/a/1", "/a/2"))
	})
	s.handleHTML("/a/1", articlePage(1, "Satu"))
	s.handleHTML("/a/2", articlePage(2, "Dua"))
	store := &memStore{}
	src := []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}}
	tc := newTestCrawler(t, testConfig(), src, WithStateStore(store))

	// The store fails /a/2: the ETag must not advance, and /a/2 must come again.
	got := runAcking(t, tc.Crawler, func(a Article) error {
		if hasSuffixIn([]string{a.URL}, "/a/2") {
			return fmt.Errorf("clickhouse down")
		}
		return nil
	})
	if len(got) != 2 {
		t.Fatalf("first run: %d articles, want 2", len(got))
	}
	if st := store.get("f"); st.ETag != "" || st.LastSuccess.IsZero() {
		t.Fatalf("after a failed ack: saved %+v, want no ETag but a last success", st)
	}
	got = runAcking(t, tc.Crawler, func(Article) error { return nil })
	if len(got) != 1 || !hasSuffixIn(urlsOf(got), "/a/2") {
		t.Fatalf("second run: %v, want /a/2 again", urlsOf(got))
	}
	if conditional.Load() != 0 {
		t.Error("conditional GET sent before every article was acknowledged")
	}
	if st := store.get("f"); st.ETag != `"v1"` {
		t.Fatalf("after all acks: saved ETag %q, want \"v1\"", st.ETag)
	}

	// A restart loads the validators: the first poll is conditional and fetches nothing.
	tc2 := newTestCrawler(t, testConfig(), src, WithStateStore(store))
	if got := runAcking(t, tc2.Crawler, func(Article) error { return nil }); len(got) != 0 {
		t.Fatalf("after restart: %v, want nothing", urlsOf(got))
	}
	if conditional.Load() != 1 {
		t.Errorf("conditional GETs after restart = %d, want 1", conditional.Load())
	}
	if s.hitCount("/a/1") != 1 || s.hitCount("/a/2") != 2 {
		t.Errorf("article fetches: /a/1 %d (want 1), /a/2 %d (want 2)", s.hitCount("/a/1"), s.hitCount("/a/2"))
	}
}

func TestFileStateStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	fs := &FileStateStore{Path: path}
	ctx := context.Background()
	if got, err := fs.Load(ctx); err != nil || len(got) != 0 {
		t.Fatalf("missing file: %v, %v; want empty", got, err)
	}
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	a := SourceState{Source: "a", ETag: `"x"`, NextPoll: now, Interval: time.Hour, Dead: true, Failures: 3,
		Feeds: []FeedState{{URL: "https://a.example/rss", ETag: `"f"`, LastModified: "Fri, 20 Nov 2026 00:00:00 GMT"}}}
	b := SourceState{Source: "b", LastModified: "Fri, 20 Nov 2026 01:00:00 GMT"}
	if err := fs.Save(ctx, []SourceState{a}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Save(ctx, []SourceState{b}); err != nil {
		t.Fatal(err)
	}
	got, err := (&FileStateStore{Path: path}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g := got["a"]; g.ETag != a.ETag || !g.NextPoll.Equal(now) || g.Interval != time.Hour || !g.Dead || g.Failures != 3 || !slices.Equal(g.Feeds, a.Feeds) {
		t.Errorf("a = %+v", g)
	}
	if got["b"].LastModified != b.LastModified {
		t.Errorf("b = %+v", got["b"])
	}
}

// partialStore loads states together with an error, as a store that could not read all
// of them does.
type partialStore struct {
	memStore
	loaded map[string]SourceState
	err    error
}

func (p *partialStore) Load(context.Context) (map[string]SourceState, error) { return p.loaded, p.err }

func TestLoadStatePartly(t *testing.T) {
	src := []config.Source{{Name: "f", Kind: config.KindFeed, URL: "http://f.example/rss.xml"}}
	saved := SourceState{Source: "f", ETag: `"v1"`, Interval: time.Hour, Failures: 2}
	for _, tt := range []struct {
		name     string
		loaded   map[string]SourceState
		wantETag string
	}{
		{"states returned with the error are adopted", map[string]SourceState{"f": saved}, `"v1"`},
		{"no states with the error start from scratch", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := &partialStore{loaded: tt.loaded, err: fmt.Errorf("source f: feeds unreadable")}
			tc := newTestCrawler(t, testConfig(), src, WithStateStore(store))
			tc.states.load(context.Background())
			if got := tc.States()[0]; got.ETag != tt.wantETag {
				t.Errorf("ETag = %q, want %q (state %+v)", got.ETag, tt.wantETag, got)
			}
		})
	}
}
