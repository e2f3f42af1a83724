package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

func TestCrawlStateRoundTrip(t *testing.T) {
	for _, b := range []struct {
		name string
		cfg  func(testing.TB) config.Storage
	}{{"embedded", storagetest.EmbeddedConfig}, {"server", storagetest.ServerConfig}} {
		t.Run(b.name, func(t *testing.T) {
			st := storagetest.Open(t, b.cfg(t))
			cs := CrawlState{Store: st}
			ctx := context.Background()
			t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			first := crawler.SourceState{
				Source: "antara", ETag: `"v1"`, LastModified: "Fri, 20 Nov 2026 08:00:00 GMT",
				NextPoll: t0.Add(10 * time.Minute), Interval: 10 * time.Minute, LastSuccess: t0, UpdatedAt: t0,
				MeanGap: 7*time.Minute + 30*time.Second + 250*time.Millisecond, LastItem: t0.Add(-3 * time.Minute),
			}
			dead := crawler.SourceState{
				Source: "mati", Failures: 40, LastErrorAt: t0, LastError: "http_5xx", Dead: true,
				Interval: 6 * time.Hour, NextPoll: t0.Add(6 * time.Hour), UpdatedAt: t0,
			}
			if err := cs.Save(ctx, []crawler.SourceState{first, dead}); err != nil {
				t.Fatal(err)
			}
			second := first
			second.ETag, second.UpdatedAt = `"v2"`, t0.Add(time.Minute)
			if err := cs.Save(ctx, []crawler.SourceState{second}); err != nil {
				t.Fatal(err)
			}
			got, err := cs.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("loaded %d states, want 2: %+v", len(got), got)
			}
			for _, want := range []crawler.SourceState{second, dead} {
				g := got[want.Source]
				if g.ETag != want.ETag || g.LastModified != want.LastModified || !g.NextPoll.Equal(want.NextPoll) ||
					g.Interval != want.Interval || g.Failures != want.Failures || g.Dead != want.Dead ||
					g.LastError != want.LastError || !g.LastSuccess.Equal(want.LastSuccess) || !g.LastErrorAt.Equal(want.LastErrorAt) ||
					g.MeanGap != want.MeanGap || !g.LastItem.Equal(want.LastItem) {
					t.Errorf("%s: loaded %+v, want %+v", want.Source, g, want)
				}
			}
		})
	}
}

// portalState is a portal's state with two discovered feeds and their validators.
func portalState(t0 time.Time) crawler.SourceState {
	return crawler.SourceState{
		Source: "kompas", ETag: `"page-3"`, LastModified: "Fri, 20 Nov 2026 07:55:00 GMT",
		NextPoll: t0.Add(15 * time.Minute), Interval: 15 * time.Minute, LastSuccess: t0, UpdatedAt: t0,
		Feeds: []crawler.FeedState{
			{URL: "https://kompas.example/rss/nasional.xml", ETag: `W/"n-41"`, LastModified: "Fri, 20 Nov 2026 07:50:00 GMT"},
			{URL: "https://kompas.example/feed/daerah.json", ETag: `"d-7"`},
		},
	}
}

func TestCrawlStateFeedsSurviveReopen(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := b.Config(t)
			t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			portal := portalState(t0)
			feed := crawler.SourceState{Source: "antara", ETag: `"v1"`, Interval: 10 * time.Minute, UpdatedAt: t0,
				MeanGap: 4 * time.Minute, LastItem: t0.Add(-time.Minute)}

			st := storagetest.Open(t, cfg)
			if err := (CrawlState{Store: st}).Save(ctx, []crawler.SourceState{portal, feed}); err != nil {
				t.Fatal(err)
			}
			// A restart: the embedded data directory is closed and opened again, the
			// server is reached over a new connection.
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := CrawlState{Store: storagetest.Open(t, cfg)}.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]crawler.SourceState{"kompas": portal, "antara": feed}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after reopening: loaded\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestCrawlStateRowsWithoutFeeds(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storagetest.Open(t, b.Config(t))
			t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			// A row as releases before the feeds column (0002) and the rate columns (0010)
			// wrote it: the columns take their defaults, and the rate reads as unknown.
			old := storage.SourceState{Source: "kompas", ETag: `"page-2"`, Interval: time.Hour, NextPoll: t0, UpdatedAt: t0}
			if err := storage.InsertRows(ctx, st, old); err != nil {
				t.Fatal(err)
			}
			got, err := CrawlState{Store: st}.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]crawler.SourceState{"kompas": {
				Source: "kompas", ETag: `"page-2"`, Interval: time.Hour, NextPoll: t0, UpdatedAt: t0,
			}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("loaded\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestCrawlStateCorruptFeeds(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storagetest.Open(t, b.Config(t))
			t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			good := portalState(t0)
			good.Source = "detik"
			if err := (CrawlState{Store: st}).Save(ctx, []crawler.SourceState{good}); err != nil {
				t.Fatal(err)
			}
			bad := storage.SourceStateRow{
				SourceState: storage.SourceState{Source: "kompas", ETag: `"page-3"`, Interval: 15 * time.Minute, NextPoll: t0, UpdatedAt: t0},
				Feeds:       `[{"URL": "https://kompas.example/rss`,
			}
			if err := storage.SaveSourceStates(ctx, st, []storage.SourceStateRow{bad}); err != nil {
				t.Fatal(err)
			}
			got, err := CrawlState{Store: st}.Load(ctx)
			if err == nil || !strings.Contains(err.Error(), "source kompas: stored feeds do not decode") {
				t.Fatalf("err = %v, want one naming source kompas and its feeds", err)
			}
			if strings.Contains(err.Error(), "detik") {
				t.Errorf("err = %v names a source whose feeds decode", err)
			}
			// The rest of the state is kept: kompas without its feeds, detik whole.
			want := map[string]crawler.SourceState{
				"detik":  good,
				"kompas": {Source: "kompas", ETag: `"page-3"`, Interval: 15 * time.Minute, NextPoll: t0, UpdatedAt: t0},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("loaded\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestCrawlStatePortalRestart crawls a portal whose page advertises two feeds, restarts
// on the same store and checks that the feeds are asked for conditionally and answer
// 304: nothing is fetched again.
func TestCrawlStatePortalRestart(t *testing.T) {
	var mu sync.Mutex
	conditional := map[string]int{} // feed path: conditional requests answered 304
	mux := http.NewServeMux()
	site := httptest.NewServer(mux)
	defer site.Close()
	mux.HandleFunc("/indeks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Indeks</title>
<link rel="alternate" type="application/rss+xml" href="/rss/nasional.xml">
<link rel="alternate" type="application/rss+xml" href="/rss/daerah.xml">
</head><body><p>Indeks berita</p></body></html>`)
	})
	feed := func(name, etag, lastModified string) {
		mux.HandleFunc("/rss/"+name+".xml", func(w http.ResponseWriter, r *http.Request) {
			if (etag != "" && r.Header.Get("If-None-Match") == etag) ||
				(etag == "" && r.Header.Get("If-Modified-Since") == lastModified) {
				mu.Lock()
				conditional[name]++
				mu.Unlock()
				w.WriteHeader(http.StatusNotModified)
				return
			}
			if etag != "" {
				w.Header().Set("ETag", etag)
			}
			w.Header().Set("Last-Modified", lastModified)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>%[2]s</title>
<item><title>Berita %[2]s</title><link>%[1]s/read/%[2]s</link><pubDate>Fri, 20 Nov 2026 08:00:00 +0700</pubDate></item>
</channel></rss>`, site.URL, name)
		})
	}
	feed("nasional", `"n-41"`, "Fri, 20 Nov 2026 01:00:00 GMT")
	feed("daerah", "", "Fri, 20 Nov 2026 01:30:00 GMT")
	mux.HandleFunc("/read/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="id"><head><title>%[1]s</title></head><body><article><h1>%[1]s</h1>
<p>Pemerintah kota menyatakan program penerangan jalan umum akan diperluas tahun ini, setelah warga berulang kali mengeluhkan jalan gelap yang rawan kecelakaan pada malam hari.</p>
<p>Kepala dinas perhubungan mengatakan anggaran tambahan untuk lampu baru sudah disetujui dewan, dan pemasangan ditargetkan selesai sebelum akhir tahun.</p>
</article></body></html>`, r.URL.Path)
	})

	cfg := config.Crawler{
		UserAgent: "PantauTest/1", ContactURL: "https://example.org/bot", Timeout: config.Duration(5 * time.Second),
		MaxBodyBytes: 1 << 20, MaxRedirects: 3, HostParallelism: 2, Workers: 2, AllowPrivate: []string{"127.0.0.0/8"},
		MinInterval: config.Duration(time.Minute), MaxInterval: config.Duration(time.Hour),
	}
	src := []config.Source{{Name: "kompas", Kind: config.KindPortal, URL: site.URL + "/indeks", Lang: "id"}}
	crawl := func(t *testing.T, st storage.Store) []string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cr, err := crawler.New(cfg, src, crawler.WithRegisterer(prometheus.NewRegistry()), crawler.WithStateStore(CrawlState{Store: st}))
		if err != nil {
			t.Fatal(err)
		}
		out := make(chan crawler.Article)
		errc := make(chan error, 1)
		go func() { errc <- cr.RunOnce(ctx, out); close(out) }()
		var urls []string
		for a := range out {
			a.Ack(nil)
			urls = append(urls, a.URL)
		}
		if err := <-errc; err != nil {
			t.Fatalf("RunOnce: %v", err)
		}
		if err := cr.SaveState(ctx); err != nil {
			t.Fatal(err)
		}
		return urls
	}

	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			mu.Lock()
			clear(conditional)
			mu.Unlock()
			scfg := b.Config(t)
			st := storagetest.Open(t, scfg)
			if got := crawl(t, st); len(got) != 2 {
				t.Fatalf("first crawl: %v, want the article of each feed", got)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if got := crawl(t, storagetest.Open(t, scfg)); len(got) != 0 {
				t.Errorf("crawl after restart: %v, want nothing", got)
			}
			mu.Lock()
			defer mu.Unlock()
			if conditional["nasional"] != 1 || conditional["daerah"] != 1 {
				t.Errorf("304 answers after restart = %v, want one per feed", conditional)
			}
		})
	}
}
