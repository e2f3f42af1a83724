package crawler

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// undatedArticlePage is articlePage without a publication date, so that the listing's
// date is the one an article gets.
func undatedArticlePage(n int, title string) string {
	page := articlePage(n, title)
	i := strings.Index(page, `<meta property="article:published_time"`)
	j := i + strings.Index(page[i:], ">") + 1
	return page[:i] + page[j:]
}

func TestPortalReadsAdvertisedFeeds(t *testing.T) {
	s := newSite(t)
	s.handleHTML("/indeks", `<html><head>
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://other.example/atom.xml">
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" type="application/rss+xml" href="/empty.xml">
<link rel="alternate" type="application/rss+xml" href="/one-too-many.xml">
</head><body><a href="/read/2024/05/02/linked">Linked</a> <a href="/tag/jalan">tag</a></body></html>`)
	var conditional atomic.Int32
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>T</title>
<item><title>Only in the feed</title><link>%[1]s/read/2024/05/01/only-in-feed</link><pubDate>Wed, 01 May 2024 09:00:00 +0700</pubDate><author>Redaksi</author></item>
<item><title>Linked</title><link>%[1]s/read/2024/05/02/linked</link><pubDate>Thu, 02 May 2024 08:00:00 +0700</pubDate></item>
<item><title>Not an article</title><link>%[1]s/tag/banjir</link><pubDate>Thu, 02 May 2024 08:00:00 +0700</pubDate></item>
</channel></rss>`, s.URL)
	})
	s.mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		fmt.Fprint(w, `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[]}`)
	})
	s.mux.HandleFunc("/empty.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", "Thu, 02 May 2024 01:00:00 GMT")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>E</title></channel></rss>`)
	})
	s.handleHTML("/read/2024/05/02/linked", undatedArticlePage(1, "Linked"))
	s.handleHTML("/read/2024/05/01/only-in-feed", undatedArticlePage(2, "Hanya di feed"))

	store := &memStore{}
	var mu sync.Mutex
	stored := map[string]bool{} // canonical URLs acknowledged as stored
	ack := func(fail string) func(Article) error {
		return func(a Article) error {
			if fail != "" && strings.HasSuffix(a.URL, fail) {
				return fmt.Errorf("clickhouse down")
			}
			mu.Lock()
			stored[a.CanonicalURL] = true
			mu.Unlock()
			return nil
		}
	}
	seen := seenFunc(func(urls []string) map[string]bool {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]bool{}
		for _, u := range urls {
			out[u] = stored[u]
		}
		return out
	})
	now := time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)
	src := []config.Source{{Name: "portal", Kind: config.KindPortal, URL: s.URL + "/indeks", LinkPattern: `/read/\d{4}/`, Lang: "id"}}
	newCrawler := func() *testCrawler {
		return newTestCrawler(t, testConfig(), src, WithStateStore(store), WithSeen(seen), WithClock(func() time.Time { return now }))
	}
	tc := newCrawler()

	// The store fails the feed-only article: the feeds' validators must not advance.
	got := runAcking(t, tc.Crawler, ack("/only-in-feed"))
	if urls := urlsOf(got); len(got) != 2 || !hasSuffixIn(urls, "/linked") || !hasSuffixIn(urls, "/only-in-feed") {
		t.Fatalf("first run: %v, want the linked article and the one only in the feed", urls)
	}
	wantDates := map[string]time.Time{
		"linked":       time.Date(2024, 5, 2, 1, 0, 0, 0, time.UTC),
		"only-in-feed": time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC),
	}
	for _, a := range got {
		if a.Source != "portal" || a.SourceKind != config.KindPortal {
			t.Errorf("%s attributed to %s/%s, want portal/portal", a.URL, a.Source, a.SourceKind)
		}
		want := wantDates[a.URL[strings.LastIndexByte(a.URL, '/')+1:]]
		if !a.Published.Equal(want) {
			t.Errorf("%s published %v, want the feed's %v", a.URL, a.Published, want)
		}
	}
	if st := store.get("portal"); len(st.Feeds) != 0 {
		t.Fatalf("after a failed ack: saved feeds %+v, want none", st.Feeds)
	}
	for path, want := range map[string]int{"/rss.xml": 1, "/feed.json": 1, "/empty.xml": 1, "/one-too-many.xml": 0, "/tag/banjir": 0, "/tag/jalan": 0} {
		if n := s.hitCount(path); n != want {
			t.Errorf("%s fetched %d times, want %d", path, n, want)
		}
	}
	for _, f := range tc.log.fetches {
		if f.Host == "other.example" {
			t.Errorf("off-site feed fetched: %+v", f)
		}
	}

	got = runAcking(t, tc.Crawler, ack(""))
	if len(got) != 1 || !hasSuffixIn(urlsOf(got), "/only-in-feed") {
		t.Fatalf("second run: %v, want /only-in-feed again", urlsOf(got))
	}
	if conditional.Load() != 0 {
		t.Error("conditional GET sent before every article was acknowledged")
	}
	want := []FeedState{
		{URL: s.URL + "/rss.xml", ETag: `"v1"`},
		{URL: s.URL + "/feed.json"},
		{URL: s.URL + "/empty.xml", LastModified: "Thu, 02 May 2024 01:00:00 GMT"},
	}
	if st := store.get("portal"); !slices.Equal(st.Feeds, want) {
		t.Fatalf("after all acks: saved feeds %+v, want %+v", st.Feeds, want)
	}

	// A restart loads the feeds' validators: the first poll's feed GET is conditional.
	if got := runAcking(t, newCrawler().Crawler, ack("")); len(got) != 0 {
		t.Fatalf("after restart: %v, want nothing", urlsOf(got))
	}
	if conditional.Load() != 1 {
		t.Errorf("conditional GETs after restart = %d, want 1", conditional.Load())
	}
	if s.hitCount("/read/2024/05/02/linked") != 1 || s.hitCount("/read/2024/05/01/only-in-feed") != 2 {
		t.Errorf("article fetches: linked %d (want 1), only-in-feed %d (want 2)",
			s.hitCount("/read/2024/05/02/linked"), s.hitCount("/read/2024/05/01/only-in-feed"))
	}
}

func TestPortalFeedFailureKeepsPage(t *testing.T) {
	s := newSite(t)
	s.handleHTML("/indeks", `<html><head><link rel="alternate" type="application/rss+xml" href="/broken.xml"></head>
<body><a href="/read/2024/05/02/linked">Linked</a></body></html>`)
	s.mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	s.handleHTML("/read/2024/05/02/linked", articlePage(1, "Linked"))
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "portal", Kind: config.KindPortal, URL: s.URL + "/indeks", LinkPattern: `/read/`}})
	got := tc.runOnce(t)
	if len(got) != 1 || !hasSuffixIn(urlsOf(got), "/linked") {
		t.Fatalf("got %v, want the page's article despite the failing feed", urlsOf(got))
	}
	if v := metricValue(t, tc.m.sourceUp.WithLabelValues("portal")); v != 1 {
		t.Errorf("source_up{portal} = %v, want 1", v)
	}
	if v := metricValue(t, tc.m.sourceErrors.WithLabelValues("portal", "http_5xx")); v != 1 {
		t.Errorf("source_errors{portal,http_5xx} = %v, want 1", v)
	}
	if st := tc.States()[0]; len(st.Feeds) != 1 || st.Feeds[0].URL != s.URL+"/broken.xml" {
		t.Errorf("feeds = %+v, want the broken feed kept without validators", st.Feeds)
	}
}

func TestSourceTimeZone(t *testing.T) {
	const local = "2026-11-24T08:45:00" // 08:45 on the source's wall clock, no zone
	tests := []struct {
		name     string
		kind     string
		timeZone string
		lang     string
		want     time.Time
	}{
		{"feed WITA", config.KindFeed, "WITA", "id", time.Date(2026, 11, 24, 0, 45, 0, 0, time.UTC)},
		{"feed IANA Asia/Jayapura", config.KindFeed, "Asia/Jayapura", "", time.Date(2026, 11, 23, 23, 45, 0, 0, time.UTC)},
		{"feed unset Indonesian is WIB", config.KindFeed, "", "id", time.Date(2026, 11, 24, 1, 45, 0, 0, time.UTC)},
		{"feed unset elsewhere is UTC", config.KindFeed, "", "en", time.Date(2026, 11, 24, 8, 45, 0, 0, time.UTC)},
		{"feed UTC overrides the Indonesian default", config.KindFeed, "UTC", "id", time.Date(2026, 11, 24, 8, 45, 0, 0, time.UTC)},
		{"sitemap WITA", config.KindSitemap, "WITA", "id", time.Date(2026, 11, 24, 0, 45, 0, 0, time.UTC)},
		{"sitemap unset Indonesian is WIB", config.KindSitemap, "", "id", time.Date(2026, 11, 24, 1, 45, 0, 0, time.UTC)},
		{"page metadata WIT", config.KindPortal, "WIT", "id", time.Date(2026, 11, 23, 23, 45, 0, 0, time.UTC)},
		{"page metadata Asia/Makassar", config.KindPortal, "Asia/Makassar", "en", time.Date(2026, 11, 24, 0, 45, 0, 0, time.UTC)},
		{"page metadata unset Indonesian is WIB", config.KindPortal, "", "id", time.Date(2026, 11, 24, 1, 45, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			src := config.Source{Name: "src", Kind: tt.kind, TimeZone: tt.timeZone, Lang: tt.lang}
			page := undatedArticlePage(1, "Zona waktu")
			switch tt.kind {
			case config.KindFeed:
				src.URL = s.URL + "/rss.xml"
				s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, `<rss version="2.0"><channel><title>T</title><item><link>%s/a</link><pubDate>Tue, 24 Nov 2026 08:45:00</pubDate></item></channel></rss>`, s.URL)
				})
			case config.KindSitemap:
				src.URL = s.URL + "/sitemap.xml"
				s.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, `<urlset><url><loc>%s/a</loc><lastmod>%s</lastmod></url></urlset>`, s.URL, local)
				})
			case config.KindPortal:
				src.URL, src.LinkPattern = s.URL+"/indeks", "/a$"
				s.handleHTML("/indeks", `<html><body><a href="/a">A</a></body></html>`)
				page = strings.Replace(page, "<head>", `<head><meta property="article:published_time" content="2026-11-24 08:45:00">`, 1)
			}
			s.handleHTML("/a", page)
			now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
			tc := newTestCrawler(t, testConfig(), []config.Source{src}, WithClock(func() time.Time { return now }))
			got := tc.runOnce(t)
			if len(got) != 1 {
				t.Fatalf("got %d articles, want 1", len(got))
			}
			if !got[0].Published.Equal(tt.want) {
				t.Errorf("Published = %v, want %v", got[0].Published, tt.want)
			}
		})
	}
}

func TestNewRejectsBadTimeZone(t *testing.T) {
	_, err := New(testConfig(), []config.Source{{Name: "x", Kind: config.KindFeed, URL: "https://example.org/rss", TimeZone: "Mars/Olympus"}})
	if err == nil || !strings.Contains(err.Error(), "source x: time_zone") {
		t.Fatalf("New = %v, want a time_zone error naming the source", err)
	}
}

func TestNewRefusesZeroParameters(t *testing.T) {
	src := []config.Source{{Name: "x", Kind: config.KindFeed, URL: "https://example.org/rss"}}
	if _, err := New(config.Default().Crawler, src); err != nil {
		t.Fatalf("New with the default configuration: %v", err)
	}
	for _, tt := range []struct {
		name string
		edit func(*config.Crawler)
	}{
		{"user_agent", func(c *config.Crawler) { c.UserAgent = "" }},
		{"timeout", func(c *config.Crawler) { c.Timeout = 0 }},
		{"max_body_bytes", func(c *config.Crawler) { c.MaxBodyBytes = 0 }},
		{"host_parallelism", func(c *config.Crawler) { c.HostParallelism = 0 }},
		{"workers", func(c *config.Crawler) { c.Workers = 0 }},
		{"min_interval", func(c *config.Crawler) { c.MinInterval = 0 }},
		{"max_interval", func(c *config.Crawler) { c.MaxInterval = c.MinInterval - 1 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default().Crawler
			tt.edit(&cfg)
			_, err := New(cfg, src)
			if err == nil || !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), "config.Load") {
				t.Fatalf("New = %v, want an error naming %s", err, tt.name)
			}
		})
	}
}
