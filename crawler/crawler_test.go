package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

func rssFeed(base string, paths ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test</title><link>` + base + `</link>`)
	for i, p := range paths {
		fmt.Fprintf(&b, `<item><title>Item %d</title><link>%s%s</link><pubDate>Thu, 02 May 2024 0%d:00:00 +0700</pubDate></item>`, i, base, p, i%9)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func TestRunOnceFeedKinds(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/robots.txt", http.NotFound)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed(s.URL, "/berita/1", "/berita/2?utm_source=rss", "/berita/stored"))
	})
	s.mux.HandleFunc("/atom.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2024-05-02T10:00:00+07:00</updated>
<entry><title>Dua</title><id>urn:2</id><link href="%[1]s/berita/2"/><published>2024-05-02T10:00:00+07:00</published><updated>2024-05-02T10:00:00+07:00</updated></entry>
<entry><title>Tiga</title><id>urn:3</id><link href="/berita/3"/><updated>2024-05-02T11:00:00+07:00</updated><author><name>Redaksi</name></author></entry></feed>`, s.URL)
	})
	s.mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		fmt.Fprintf(w, `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"4","url":"%s/berita/4#top","title":"Empat","date_published":"2024-05-02T12:00:00+07:00"}]}`, s.URL)
	})
	for i := 1; i <= 4; i++ {
		s.handleHTML(fmt.Sprintf("/berita/%d", i), articlePage(i, fmt.Sprintf("Berita nomor %d", i)))
	}
	s.handleHTML("/berita/stored", articlePage(9, "Sudah disimpan"))

	storedURL, _ := Canonicalize(s.URL + "/berita/stored")
	seen := seenFunc(func(urls []string) map[string]bool {
		out := map[string]bool{}
		for _, u := range urls {
			out[u] = u == storedURL
		}
		return out
	})
	tc := newTestCrawler(t, testConfig(), []config.Source{
		{Name: "rss", Kind: config.KindFeed, URL: s.URL + "/rss.xml", Lang: "id"},
		{Name: "atom", Kind: config.KindFeed, URL: s.URL + "/atom.xml", Lang: "id"},
		{Name: "json", Kind: config.KindFeed, URL: s.URL + "/feed.json"},
		{Name: "off", Kind: config.KindFeed, URL: s.URL + "/off.xml", Disabled: true},
	}, WithSeen(seen))
	got := tc.runOnce(t)

	urls := urlsOf(got)
	sort.Strings(urls)
	if len(got) != 4 {
		t.Fatalf("got %d articles %v, want 4 (1..4, stored one skipped, duplicate fetched once)", len(got), urls)
	}
	for i := 1; i <= 4; i++ {
		if !hasSuffixIn(urls, fmt.Sprintf("/berita/%d", i)) {
			t.Errorf("missing /berita/%d in %v", i, urls)
		}
		if n := s.hitCount(fmt.Sprintf("/berita/%d", i)); n != 1 {
			t.Errorf("/berita/%d fetched %d times, want 1", i, n)
		}
	}
	if n := s.hitCount("/berita/stored"); n != 0 {
		t.Errorf("stored article fetched %d times", n)
	}
	if n := s.hitCount("/off.xml"); n != 0 {
		t.Errorf("disabled source polled")
	}
	for _, a := range got {
		if a.Text == "" || a.Title == "" || a.SimHash == 0 || a.Published.IsZero() || a.Fetched.IsZero() || a.Discovered.IsZero() {
			t.Errorf("incomplete article %+v", a)
		}
		if a.Published.Location() != time.UTC {
			t.Errorf("Published not UTC: %v", a.Published)
		}
		if a.SourceKind != config.KindFeed {
			t.Errorf("SourceKind = %q", a.SourceKind)
		}
		if a.Source == "rss" && a.Lang != "id" {
			t.Errorf("Lang = %q, want the source's id", a.Lang)
		}
	}
	if v := metricValue(t, tc.m.sourceUp.WithLabelValues("atom")); v != 1 {
		t.Errorf("source_up{atom} = %v", v)
	}
	if n := countSeries(t, tc.reg, "pantau_crawler_fetches_total"); n == 0 {
		t.Error("no fetch metrics")
	}
}

type seenFunc func([]string) map[string]bool

func (f seenFunc) Seen(_ context.Context, urls []string) (map[string]bool, error) {
	return f(urls), nil
}

func TestFeedConditionalGet(t *testing.T) {
	s := newSite(t)
	var notModified atomic.Int32
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Thu, 02 May 2024 03:00:00 GMT")
		fmt.Fprint(w, rssFeed(s.URL, "/a/1", "/a/2"))
	})
	s.handleHTML("/a/1", articlePage(1, "Satu"))
	s.handleHTML("/a/2", articlePage(2, "Dua"))
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})

	if got := tc.runOnce(t); len(got) != 2 {
		t.Fatalf("first run: %d articles, want 2", len(got))
	}
	if got := tc.runOnce(t); len(got) != 0 {
		t.Fatalf("second run: %d articles, want 0", len(got))
	}
	if notModified.Load() != 1 {
		t.Errorf("304 answers = %d, want 1", notModified.Load())
	}
	if s.hitCount("/a/1") != 1 || s.hitCount("/a/2") != 1 {
		t.Errorf("articles refetched: %d, %d", s.hitCount("/a/1"), s.hitCount("/a/2"))
	}
	if v := metricValue(t, tc.m.fetches.WithLabelValues("f", "feed", "3xx")); v != 1 {
		t.Errorf("fetches{feed,3xx} = %v, want 1", v)
	}
}

func TestRobotsDisallow(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rssFeed(s.URL, "/private/1", "/news/2"))
	})
	s.handleHTML("/private/1", articlePage(1, "Rahasia"))
	s.handleHTML("/news/2", articlePage(2, "Terbuka"))
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	got := tc.runOnce(t)
	if len(got) != 1 || !strings.HasSuffix(got[0].CanonicalURL, "/news/2") {
		t.Fatalf("got %v, want only /news/2", urlsOf(got))
	}
	if s.hitCount("/private/1") != 0 {
		t.Error("disallowed page fetched")
	}
	if s.hitCount("/robots.txt") != 1 {
		t.Errorf("robots.txt fetched %d times, want 1 (cached)", s.hitCount("/robots.txt"))
	}
	if !tc.log.has("article", "robots") {
		t.Errorf("no robots error recorded: %v", tc.log.classes("article"))
	}

	t.Run("ignore_robots", func(t *testing.T) {
		cfg := testConfig()
		cfg.IgnoreRobots = true
		tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
		if got := tc.runOnce(t); len(got) != 2 {
			t.Fatalf("got %v, want both", urlsOf(got))
		}
	})
}

func TestHostParallelismAndDelay(t *testing.T) {
	tests := []struct {
		name        string
		parallelism int
		delay       time.Duration
	}{
		{name: "parallelism 2", parallelism: 2},
		{name: "parallelism 1 with delay", parallelism: 1, delay: 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			var inflight, peak atomic.Int32
			var mu sync.Mutex
			var starts []time.Time
			paths := make([]string, 8)
			for i := range paths {
				paths[i] = fmt.Sprintf("/p/%d", i)
				page := articlePage(i, fmt.Sprintf("Halaman %d", i))
				s.mux.HandleFunc(paths[i], func(w http.ResponseWriter, r *http.Request) {
					n := inflight.Add(1)
					defer inflight.Add(-1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					mu.Lock()
					starts = append(starts, time.Now())
					mu.Unlock()
					time.Sleep(30 * time.Millisecond)
					fmt.Fprint(w, page)
				})
			}
			s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed(s.URL, paths...)) })
			cfg := testConfig()
			cfg.Workers = 8
			cfg.HostParallelism = tt.parallelism
			cfg.HostDelay = config.Duration(tt.delay)
			tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
			if got := tc.runOnce(t); len(got) != len(paths) {
				t.Fatalf("got %d articles, want %d", len(got), len(paths))
			}
			if p := int(peak.Load()); p > tt.parallelism {
				t.Errorf("peak in-flight requests = %d, want <= %d", p, tt.parallelism)
			}
			if tt.delay > 0 {
				sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
				for i := 1; i < len(starts); i++ {
					// Loose: request i starts after request i-1 ended (30ms) plus the delay.
					if gap := starts[i].Sub(starts[i-1]); gap < tt.delay {
						t.Errorf("gap between requests %d and %d = %v, want >= %v", i-1, i, gap, tt.delay)
					}
				}
			}
		})
	}
}

func TestBodyCaps(t *testing.T) {
	const capBytes = 64 << 10
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros, about 64 KiB compressed
		zw.Write(zeros)
	}
	zw.Close()

	s := newSite(t)
	big := strings.Repeat("<p>isi berita yang sangat panjang sekali</p>", capBytes/20)
	s.mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>"+big+"</body></html>")
	})
	s.mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for range 20 {
			fmt.Fprint(w, big[:capBytes/8])
			w.(http.Flusher).Flush()
		}
	})
	s.mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	s.mux.HandleFunc("/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(bomb.Bytes())
	})
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rssFeed(s.URL, "/big", "/chunked", "/bomb"))
	})
	cfg := testConfig()
	cfg.MaxBodyBytes = capBytes
	tc := newTestCrawler(t, cfg, []config.Source{
		{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"},
		{Name: "sm", Kind: config.KindSitemap, URL: s.URL + "/sitemap.xml.gz"},
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := tc.runOnce(t)
	runtime.ReadMemStats(&after)
	if len(got) != 0 {
		t.Errorf("got %d articles, want none", len(got))
	}
	classes := tc.log.classes("")
	n := 0
	for _, c := range classes {
		if c == "too_large" {
			n++
		}
	}
	if n != 4 {
		t.Errorf("too_large fetches = %d, want 4 (big, chunked, bomb, gzipped sitemap); all: %v", n, classes)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("allocated %d MiB while refusing 64 MiB bombs, want bounded", grew>>20)
	}
	if v := metricValue(t, tc.m.sourceErrors.WithLabelValues("f", "too_large")); v != 3 {
		t.Errorf("source_errors{f,too_large} = %v, want 3", v)
	}
}

func TestRedirects(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	s.mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	s.mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/final", http.StatusMovedPermanently)
	})
	s.handleHTML("/final", articlePage(3, "Sampai"))
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed(s.URL, "/loop/a", "/moved")) })
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	got := tc.runOnce(t)
	if len(got) != 1 || !strings.HasSuffix(got[0].URL, "/moved") {
		t.Fatalf("got %v, want the redirected article only", urlsOf(got))
	}
	if !tc.log.has("article", "redirects") {
		t.Errorf("no redirects error: %v", tc.log.classes("article"))
	}
	if hits := s.hitCount("/loop/a") + s.hitCount("/loop/b"); hits > 4 {
		t.Errorf("redirect loop followed %d times, want <= max_redirects+1", hits)
	}
}

func TestBadSourcesDoNotStopRun(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/down.xml", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusBadGateway) })
	s.mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><rss><channel><item><title>unclosed`)
	})
	s.mux.HandleFunc("/good.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rssFeed(s.URL, "/ok/1", "/ok/500", "/ok/empty"))
	})
	s.handleHTML("/ok/1", articlePage(1, "Baik"))
	s.mux.HandleFunc("/ok/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	s.handleHTML("/ok/empty", "<html><body><nav>menu</nav></body></html>")
	tc := newTestCrawler(t, testConfig(), []config.Source{
		{Name: "down", Kind: config.KindFeed, URL: s.URL + "/down.xml"},
		{Name: "broken", Kind: config.KindFeed, URL: s.URL + "/broken.xml"},
		{Name: "good", Kind: config.KindFeed, URL: s.URL + "/good.xml"},
	})
	got := tc.runOnce(t)
	if len(got) != 1 {
		t.Fatalf("got %v, want the one good article", urlsOf(got))
	}
	for _, tt := range []struct{ source, class string }{
		{"down", "http_5xx"}, {"broken", "parse"}, {"good", "http_5xx"}, {"good", "no_content"},
	} {
		if v := metricValue(t, tc.m.sourceErrors.WithLabelValues(tt.source, tt.class)); v != 1 {
			t.Errorf("source_errors{%s,%s} = %v, want 1", tt.source, tt.class, v)
		}
	}
	for source, want := range map[string]float64{"down": 0, "broken": 0, "good": 1} {
		if v := metricValue(t, tc.m.sourceUp.WithLabelValues(source)); v != want {
			t.Errorf("source_up{%s} = %v, want %v", source, v, want)
		}
	}
}

func TestWindows1252Article(t *testing.T) {
	s := newSite(t)
	page := readTestdata(t, "cp1252_kopi.html")
	s.mux.HandleFunc("/kopi", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1252")
		w.Write(page)
	})
	s.mux.HandleFunc("/kopi-meta-only", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	})
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rssFeed(s.URL, "/kopi", "/kopi-meta-only"))
	})
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	got := tc.runOnce(t)
	if len(got) != 2 {
		t.Fatalf("got %d articles, want 2", len(got))
	}
	for _, a := range got {
		if !strings.Contains(a.Text, "Rp 5.000 – café") || !strings.Contains(a.Title, "–") {
			t.Errorf("%s: not decoded: title %q text %q", a.URL, a.Title, a.Text)
		}
	}
}

func TestRetryAfterBacksOffHost(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	s.handleHTML("/later", articlePage(1, "Nanti"))
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed(s.URL, "/later", "/busy")) }) // /busy is newer
	cfg := testConfig()
	cfg.Workers = 1 // /busy (newer) is fetched before /later
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	got := tc.runOnce(t)
	if len(got) != 0 {
		t.Fatalf("got %v, want nothing while the host backs off", urlsOf(got))
	}
	if s.hitCount("/later") != 0 {
		t.Error("host contacted during back-off")
	}
	if !tc.log.has("article", "backoff") {
		t.Errorf("no backoff recorded: %v", tc.log.classes("article"))
	}
}

func TestSitemapAndPortalSources(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/sitemap-index.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%[1]s/sitemap-old.xml</loc><lastmod>2020-01-01</lastmod></sitemap>
<sitemap><loc>%[1]s/sitemap-news.xml</loc><lastmod>2024-05-02T10:00:00+07:00</lastmod></sitemap></sitemapindex>`, s.URL)
	})
	s.mux.HandleFunc("/sitemap-news.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>%[1]s/sm/1</loc><news:news><news:publication><news:name>T</news:name><news:language>id</news:language></news:publication><news:publication_date>2024-05-02T09:00:00+07:00</news:publication_date><news:title>Satu</news:title></news:news></url>
</urlset>`, s.URL)
	})
	s.mux.HandleFunc("/sitemap-old.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<urlset><url><loc>%s/sm/2</loc><lastmod>2020-01-01</lastmod></url></urlset>`, s.URL)
	})
	s.handleHTML("/sm/1", articlePage(1, "Sitemap satu"))
	s.handleHTML("/sm/2", articlePage(2, "Sitemap lama"))
	s.handleHTML("/indeks", `<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>
<a href="/read/2024/05/02/jalan-rusak">Jalan rusak</a> <a href="/read/2024/05/02/jalan-rusak#komentar">komentar</a>
<a href="/tag/jalan">tag</a> <a href="https://other.example/read/1">luar</a></body></html>`)
	s.handleHTML("/read/2024/05/02/jalan-rusak", articlePage(5, "Jalan rusak"))

	cfg := testConfig()
	cfg.MaxArticleAge = config.Duration(365 * 24 * time.Hour)
	now := time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)
	tc := newTestCrawler(t, cfg, []config.Source{
		{Name: "sm", Kind: config.KindSitemap, URL: s.URL + "/sitemap-index.xml"},
		{Name: "portal", Kind: config.KindPortal, URL: s.URL + "/indeks", LinkPattern: `/read/\d{4}/`},
	}, WithClock(func() time.Time { return now }))
	got := tc.runOnce(t)
	urls := urlsOf(got)
	if len(got) != 2 || !hasSuffixIn(urls, "/sm/1") || !hasSuffixIn(urls, "/read/2024/05/02/jalan-rusak") {
		t.Fatalf("got %v, want /sm/1 (old one too old) and the portal article", urls)
	}
	if s.hitCount("/sm/2") != 0 {
		t.Error("article older than max_article_age fetched")
	}
	for _, a := range got {
		if a.Source == "portal" && a.SourceKind != config.KindPortal {
			t.Errorf("SourceKind = %q", a.SourceKind)
		}
	}
}

func TestFutureDateClamped(t *testing.T) {
	s := newSite(t)
	page := strings.Replace(articlePage(1, "Masa depan"), "2024-05-02T10:02:00+07:00", "2031-01-01T00:00:00+07:00", 1)
	s.handleHTML("/future", page)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel><item><link>%s/future</link><pubDate>Thu, 02 May 2024 10:00:00 +0700</pubDate></item></channel></rss>`, s.URL)
	})
	now := time.Date(2024, 5, 2, 4, 0, 0, 0, time.UTC)
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}},
		WithClock(func() time.Time { return now }))
	got := tc.runOnce(t)
	if len(got) != 1 {
		t.Fatalf("got %d articles", len(got))
	}
	if want := time.Date(2024, 5, 2, 3, 0, 0, 0, time.UTC); !got[0].Published.Equal(want) {
		t.Errorf("Published = %v, want the feed's %v", got[0].Published, want)
	}
}

func TestRunOnceStopsOnCancel(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rssFeed(s.URL, "/c/1", "/c/2", "/c/3"))
	})
	for i := 1; i <= 3; i++ {
		s.handleHTML(fmt.Sprintf("/c/%d", i), articlePage(i, "Batal"))
	}
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Article) // nobody reads: RunOnce must still return on cancel
	done := make(chan error, 1)
	go func() { done <- tc.RunOnce(ctx, out) }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("RunOnce = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunOnce did not return after cancel")
	}
}

func TestRunPollsUntilCancelled(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed(s.URL, "/r/1")) })
	s.handleHTML("/r/1", articlePage(1, "Run"))
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml", Interval: config.Duration(time.Millisecond)}})
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Article)
	done := make(chan error, 1)
	go func() { done <- tc.Run(ctx, out) }()
	select {
	case a := <-out:
		if !strings.HasSuffix(a.URL, "/r/1") {
			t.Errorf("got %s", a.URL)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("no article from Run")
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run = %v", err)
	}
}
