package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
)

// previousReleaseRows are the rows in testdata/spool-v1, which the writer of the previous
// release spooled (see the README there).
func previousReleaseRows() (arts []storage.Article, ments []storage.Mention, fetches []storage.Fetch, states []storage.SourceState) {
	pub := time.Date(2024, 2, 3, 10, 20, 30, 0, time.UTC)
	a, b := "https://example.id/a", "https://example.id/b"
	arts = []storage.Article{
		{URL: "https://example.id/a?utm=x", CanonicalURL: a, Source: "antara", SourceKind: "feed",
			Title: "Warga protes \"TPA\"\tditutup", Text: "Baris satu\nbaris dua — ünïcödé\x00", Lang: "id", Author: "Budi",
			PublishedAt: pub, DiscoveredAt: pub.Add(time.Minute), FetchedAt: pub.Add(2 * time.Minute), SimHash: 1<<63 | 5,
			Sentiment: "negative", SentimentScore: -0.75, AnalyzerVersion: "v1", Region: "Sumatera Barat"},
		{URL: b, CanonicalURL: b, Source: "padek", SourceKind: "portal",
			Title: "Copy", FetchedAt: pub, DuplicateOf: storage.URLHash(a), Sentiment: "neutral", AnalyzerVersion: "v1"},
	}
	ments = []storage.Mention{
		{URLHash: storage.URLHash(a), Programme: "tpa", Unit: "dlh", Terms: []string{"TPA", "sampah", ""},
			Score: -0.5, Label: "negative", Criticism: true, Snippet: "warga 'protes'", PublishedAt: pub, Source: "antara", AnalyzerVersion: "v1",
			Region: "Sumatera Barat"},
		{URLHash: storage.URLHash(b), Programme: "ektp", Unit: "disdukcapil", Score: 0.25,
			Label: "positive", PublishedAt: pub.Add(time.Hour), Source: "padek", DuplicateOf: storage.URLHash(a), AnalyzerVersion: "v1"},
	}
	fetches = []storage.Fetch{
		{Time: pub, Source: "antara", Host: "example.id", Kind: "article", Status: 200, StatusClass: "2xx", Bytes: 12345, Duration: 1500 * time.Millisecond},
		{Time: pub.Add(time.Second), Source: "padek", Host: "padek.id", Kind: "feed", Status: 0, StatusClass: "error", Duration: 30 * time.Second, ErrorClass: "timeout"},
	}
	states = []storage.SourceState{
		{Source: "antara", ETag: `W/"abc"`, LastModified: "Sat, 03 Feb 2024 10:20:30 GMT", NextPoll: pub.Add(5 * time.Minute),
			Interval: 5 * time.Minute, Failures: 2, LastSuccess: pub, LastErrorAt: pub.Add(-time.Hour), LastError: "HTTP 503", Dead: true, UpdatedAt: pub},
	}
	return arts, ments, fetches, states
}

// TestReplayPreviousReleaseSpool checks that spool files written by the previous release
// survive the upgrade: the writer replays them into each backend, every value exact, and
// deletes them.
func TestReplayPreviousReleaseSpool(t *testing.T) {
	arts, ments, fetches, states := previousReleaseRows()
	epoch := time.Unix(0, 0).UTC()
	orEpoch := func(t time.Time) time.Time {
		if t.IsZero() {
			return epoch
		}
		return t
	}
	flag := func(b bool) uint64 {
		if b {
			return 1
		}
		return 0
	}
	tables := []struct {
		table   string
		columns []string
		order   string
		want    [][]any
	}{
		{storage.ArticlesTable, storage.ArticleColumns, "url", nil},
		{storage.MentionsTable, storage.MentionColumns, "programme", nil},
		{storage.FetchesTable, storage.FetchColumns, "time", nil},
		{storage.SourceStateTable, storage.SourceStateColumns, "source", nil},
	}
	for _, a := range arts {
		tables[0].want = append(tables[0].want, []any{storage.URLHash(a.CanonicalURL), a.URL, a.CanonicalURL, a.Source, a.SourceKind,
			a.Title, a.Text, a.Lang, a.Author, orEpoch(a.PublishedAt), orEpoch(a.DiscoveredAt), orEpoch(a.FetchedAt), a.SimHash,
			a.DuplicateOf, a.Sentiment, a.SentimentScore, a.AnalyzerVersion, a.Region, []any{}}) // regions: the file predates them
	}
	for _, m := range []storage.Mention{ments[1], ments[0]} { // ordered by programme
		terms := []any{}
		for _, s := range m.Terms {
			terms = append(terms, s)
		}
		tables[1].want = append(tables[1].want, []any{m.URLHash, m.Programme, m.Unit, terms, m.Score, m.Label, flag(m.Criticism),
			m.Snippet, m.PublishedAt, m.Source, m.DuplicateOf, m.AnalyzerVersion, m.Region, []any{}})
	}
	for _, f := range fetches {
		tables[2].want = append(tables[2].want, []any{f.Time, f.Source, f.Host, f.Kind, uint64(f.Status), f.StatusClass,
			f.Bytes, f.Duration.Seconds(), f.ErrorClass})
	}
	for _, s := range states {
		tables[3].want = append(tables[3].want, []any{s.Source, s.ETag, s.LastModified, s.NextPoll, uint64(s.Interval / time.Second),
			uint64(s.Failures), s.LastSuccess, s.LastErrorAt, s.LastError, flag(s.Dead), s.UpdatedAt})
	}

	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		old, err := filepath.Glob(filepath.Join("testdata", "spool-v1", "*.spool"))
		if err != nil || len(old) != 4 {
			t.Fatalf("testdata spool files %v (%v), want 4", old, err)
		}
		for _, path := range old {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "PNTSPL01") {
				t.Fatalf("%s is not a file of the first spool format", path)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		w := storage.NewTestWriter(t, s, storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
		if err := w.Replay(ctx); err != nil {
			t.Fatalf("replay: %v", err)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got := spoolFiles(t, dir, ""); len(got) != 0 {
			t.Errorf("files left in the spool: %v", got)
		}
		for _, tt := range tables {
			t.Run(tt.table, func(t *testing.T) {
				res, err := s.Query(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(tt.columns, ", "), tt.table, tt.order))
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Rows) != len(tt.want) {
					t.Fatalf("%d rows, want %d", len(res.Rows), len(tt.want))
				}
				for i, want := range tt.want {
					for j, w := range want {
						got := res.Rows[i][j]
						if wt, ok := w.(time.Time); ok {
							if gt, ok := got.(time.Time); !ok || !gt.Equal(wt) {
								t.Errorf("row %d %s = %v, want %v", i, tt.columns[j], got, w)
							}
							continue
						}
						if !reflect.DeepEqual(got, w) {
							t.Errorf("row %d %s = %#v, want %#v", i, tt.columns[j], got, w)
						}
					}
				}
			})
		}
	})
}
