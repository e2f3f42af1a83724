package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// BenchmarkPoll1000Feeds polls 1,000 feeds spread over 20 loopback hosts. Each round
// (one b.N iteration) is one RunOnce; between rounds a tenth of the feeds publish one new
// article, the others answer 304. It reports polls/s, the share of 304 answers, articles
// fetched per round and the peak heap in use.
//
//	go test -run XXX -bench Poll1000Feeds -benchtime 20x ./crawler/
func BenchmarkPoll1000Feeds(b *testing.B) {
	const hosts, feedsPerHost, itemsPerFeed = 20, 50, 10
	var round atomic.Int64
	var polls, notModified atomic.Int64
	var servers []*httptest.Server
	page := articlePage(1, "Bench")
	for range hosts {
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/a/") {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, page)
				return
			}
			if !strings.HasPrefix(r.URL.Path, "/feed/") {
				http.NotFound(w, r)
				return
			}
			polls.Add(1)
			id, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
			// Feed id publishes a new item in rounds where (round+id)%10 == 0.
			rnd := int(round.Load())
			version := (rnd + id%10) / 10
			etag := fmt.Sprintf(`"%d-%d"`, id, version)
			if r.Header.Get("If-None-Match") == etag {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
			var sb strings.Builder
			sb.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>`)
			for k := range itemsPerFeed {
				fmt.Fprintf(&sb, `<item><title>T</title><link>%s/a/%d/%d</link><pubDate>Thu, 02 May 2024 10:00:00 +0700</pubDate></item>`, srv.URL, id, version-k)
			}
			sb.WriteString(`</channel></rss>`)
			fmt.Fprint(w, sb.String())
		}))
		servers = append(servers, srv)
		defer srv.Close()
	}
	var sources []config.Source
	for h, srv := range servers {
		for f := range feedsPerHost {
			id := h*feedsPerHost + f
			sources = append(sources, config.Source{Name: fmt.Sprintf("f%04d", id), Kind: config.KindFeed, URL: fmt.Sprintf("%s/feed/%d", srv.URL, id)})
		}
	}
	cfg := testConfig()
	cfg.Workers, cfg.HostParallelism, cfg.IgnoreRobots = 16, 4, true
	var stored sync.Map
	seen := seenFunc(func(urls []string) map[string]bool {
		out := map[string]bool{}
		for _, u := range urls {
			if _, ok := stored.Load(u); ok {
				out[u] = true
			}
		}
		return out
	})
	c, err := New(cfg, sources, WithSeen(seen), WithDialer(loopbackDialer(b)), WithResolver(fakeResolver{}))
	if err != nil {
		b.Fatal(err)
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	var articles atomic.Int64
	runRound := func() {
		out := make(chan Article, 64)
		done := make(chan struct{})
		go func() {
			for a := range out {
				stored.Store(a.CanonicalURL, true)
				articles.Add(1)
				a.Ack(nil)
			}
			close(done)
		}()
		if err := c.RunOnce(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		close(out)
		<-done
	}
	runRound() // warm-up: first fetch of every feed and its items
	polls.Store(0)
	notModified.Store(0)
	articles.Store(0)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		round.Add(1)
		runRound()
	}
	close(stop)
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(polls.Load())/secs, "polls/s")
	b.ReportMetric(float64(notModified.Load())/float64(max(polls.Load(), 1)), "share_304")
	b.ReportMetric(float64(articles.Load())/float64(b.N), "articles/round")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MiB")
}
