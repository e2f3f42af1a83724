package crawler

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// newsWeb is a simulated news web on loopback: hosts × feeds, each feed publishing
// articles as a Poisson process (its schedule drawn up front from a fixed seed), serving
// RSS with ETag validators (304 when nothing changed), robots.txt, and article pages with
// navigation, ads and related links. A share of article requests fails with 500. It
// records each article's publication time and each feed's polls.
type newsWeb struct {
	start    time.Time
	feeds    []*simFeed
	servers  []*httptest.Server
	failRate float64

	polls, notModified atomic.Int64
}

type simFeed struct {
	id        int
	base      string      // the host's URL
	published []time.Time // publication times, ascending
	mu        sync.Mutex
	firstPoll time.Duration // since start; -1 until polled
	listed    []time.Time   // when each item was first served in the feed
}

// newNewsWeb starts hosts×feeds feeds whose items arrive meanGap apart on average;
// backlog items per feed are already published at start.
func newNewsWeb(tb testing.TB, hosts, feedsPerHost, backlog int, meanGap, horizon time.Duration, failRate float64) *newsWeb {
	w := &newsWeb{start: time.Now(), failRate: failRate}
	rng := rand.New(rand.NewPCG(13, 2026))
	for h := range hosts {
		var hostFeeds []*simFeed
		for f := range feedsPerHost {
			sf := &simFeed{id: h*feedsPerHost + f, firstPoll: -1}
			for k := range backlog {
				sf.published = append(sf.published, w.start.Add(-time.Duration(backlog-k)*meanGap))
			}
			for t := w.start; ; {
				t = t.Add(time.Duration(rng.ExpFloat64() * float64(meanGap)))
				if t.Sub(w.start) > horizon {
					break
				}
				sf.published = append(sf.published, t)
			}
			hostFeeds = append(hostFeeds, sf)
			w.feeds = append(w.feeds, sf)
		}
		srv := httptest.NewServer(w.handler(hostFeeds))
		for _, sf := range hostFeeds {
			sf.base = srv.URL
		}
		w.servers = append(w.servers, srv)
	}
	tb.Cleanup(func() {
		for _, s := range w.servers {
			s.Close()
		}
	})
	return w
}

func (w *newsWeb) handler(feeds []*simFeed) http.Handler {
	byID := map[int]*simFeed{}
	for _, f := range feeds {
		byID[f.id] = f
	}
	var reqs atomic.Int64
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		switch {
		case r.URL.Path == "/robots.txt":
			fmt.Fprint(rw, "User-agent: *\nDisallow: /private/\n")
		case len(parts) == 2 && parts[0] == "feed":
			id, _ := strconv.Atoi(parts[1])
			f := byID[id]
			if f == nil {
				http.NotFound(rw, r)
				return
			}
			w.serveFeed(rw, r, f)
		case len(parts) == 3 && parts[0] == "a":
			if w.failRate > 0 && float64(reqs.Add(1)%1000) < w.failRate*1000 {
				http.Error(rw, "internal error", http.StatusInternalServerError)
				return
			}
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			n, _ := strconv.Atoi(parts[2])
			fmt.Fprint(rw, articlePage(n, "Berita "+parts[1]+"-"+parts[2]))
		default:
			http.NotFound(rw, r)
		}
	})
}

// visible returns how many of f's items are published at now.
func (f *simFeed) visible(now time.Time) int {
	n, _ := slices.BinarySearchFunc(f.published, now, func(t, now time.Time) int { return t.Compare(now) })
	return n
}

func (w *newsWeb) serveFeed(rw http.ResponseWriter, r *http.Request, f *simFeed) {
	now := time.Now()
	w.polls.Add(1)
	n := f.visible(now)
	f.mu.Lock()
	if f.firstPoll < 0 {
		f.firstPoll = now.Sub(w.start)
		f.listed = make([]time.Time, len(f.published))
	}
	for k := max(0, n-20); k < n; k++ {
		if f.listed[k].IsZero() {
			f.listed[k] = now
		}
	}
	f.mu.Unlock()
	etag := fmt.Sprintf(`"%d-%d"`, f.id, n)
	if r.Header.Get("If-None-Match") == etag {
		w.notModified.Add(1)
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	rw.Header().Set("ETag", etag)
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Sim</title>`)
	for k := n - 1; k >= max(0, n-20); k-- {
		fmt.Fprintf(&sb, `<item><title>Berita %d-%d</title><link>%s/a/%d/%d</link><pubDate>%s</pubDate></item>`,
			f.id, k, f.base, f.id, k, f.published[k].Format(time.RFC1123Z))
	}
	sb.WriteString(`</channel></rss>`)
	fmt.Fprint(rw, sb.String())
}

func (w *newsWeb) sources() []config.Source {
	var out []config.Source
	for _, f := range w.feeds {
		out = append(out, config.Source{Name: fmt.Sprintf("sim%04d", f.id), Kind: config.KindFeed,
			URL: fmt.Sprintf("%s/feed/%d", f.base, f.id), Lang: "id", Interval: config.Duration(3 * time.Minute / simScale)})
	}
	return out
}

// simScale is how much faster than real time the latency benchmark runs: politeness,
// poll bounds and publication rates are divided by it, and latencies multiplied back.
const simScale = 4

// crawlNewsWeb runs the crawler with Run against w for d and returns, for each article
// handed on, when it was received.
func crawlNewsWeb(b *testing.B, w *newsWeb, cfg config.Crawler, d time.Duration) map[string]time.Time {
	var mu sync.Mutex
	got := map[string]time.Time{}
	seen := seenFunc(func(urls []string) map[string]bool {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]bool{}
		for _, u := range urls {
			if _, ok := got[u]; ok {
				out[u] = true
			}
		}
		return out
	})
	c, err := New(cfg, w.sources(), WithSeen(seen), WithDialer(loopbackDialer(b)), WithResolver(fakeResolver{}))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	out := make(chan Article, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for a := range out {
			mu.Lock()
			if _, ok := got[a.CanonicalURL]; !ok {
				got[a.CanonicalURL] = time.Now()
			}
			mu.Unlock()
			a.Ack(nil)
		}
	}()
	if err := c.Run(ctx, out); err != context.DeadlineExceeded {
		b.Fatalf("Run: %v", err)
	}
	close(out)
	<-done
	return got
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(q*float64(len(xs))))]
}

// BenchmarkNewsWebLatency crawls a simulated news web of 200 hosts × 5 feeds, each feed
// publishing an article every 3 minutes on average (Poisson) and listing 3 older ones
// at start, with default politeness (host_delay 1 s, host_parallelism 2, 16 workers,
// min_interval 1 m), run simScale times faster than real time for 6 simulated minutes.
// It reports, in simulated seconds, the delay from an article's publication to the
// crawler handing it on (p50/p95/p99; storage not included) and from its first listing
// in a feed answer to that, the articles published in
// the first 4 simulated minutes still missing at the end, the feeds polled within the
// first 120 simulated seconds of a cold start, polls per feed per simulated hour and the
// share of 304 answers.
//
//	go test -run XXX -bench NewsWebLatency -benchtime 1x ./crawler/
func BenchmarkNewsWebLatency(b *testing.B) {
	const hosts, feedsPerHost = 200, 5
	const run = 6 * time.Minute / simScale
	for b.Loop() {
		w := newNewsWeb(b, hosts, feedsPerHost, 3, 3*time.Minute/simScale, run, 0.01)
		cfg := testConfig()
		cfg.Workers, cfg.HostParallelism = 16, 2
		cfg.HostDelay = config.Duration(time.Second / simScale)
		cfg.MinInterval, cfg.MaxInterval = config.Duration(time.Minute/simScale), config.Duration(6*time.Hour/simScale)
		cfg.Timeout = config.Duration(10 * time.Second)
		got := crawlNewsWeb(b, w, cfg, run)

		var lat, fetchLat []float64
		missing, considered := 0, 0
		for _, f := range w.feeds {
			for k, p := range f.published {
				if !p.After(w.start) || p.Sub(w.start) > run*2/3 {
					continue // the backlog, or too late to be expected
				}
				considered++
				u := fmt.Sprintf("%s/a/%d/%d", f.base, f.id, k)
				at, ok := got[u]
				if !ok {
					missing++
					continue
				}
				lat = append(lat, at.Sub(p).Seconds()*simScale)
				fetchLat = append(fetchLat, at.Sub(f.listed[k]).Seconds()*simScale)
			}
		}
		polled := 0
		for _, f := range w.feeds {
			if f.firstPoll >= 0 && f.firstPoll <= 120*time.Second/simScale {
				polled++
			}
		}
		simHours := (run * simScale).Hours()
		b.ReportMetric(quantile(lat, 0.5), "p50_s")
		b.ReportMetric(quantile(lat, 0.95), "p95_s")
		b.ReportMetric(quantile(lat, 0.99), "p99_s")
		b.ReportMetric(quantile(fetchLat, 0.5), "listed_to_out_p50_s")
		b.ReportMetric(quantile(fetchLat, 0.95), "listed_to_out_p95_s")
		b.ReportMetric(float64(missing), "missing")
		b.ReportMetric(float64(considered), "items")
		b.ReportMetric(float64(polled), "feeds_polled_120s")
		b.ReportMetric(float64(w.polls.Load())/float64(len(w.feeds))/simHours, "polls/feed/h")
		b.ReportMetric(float64(w.notModified.Load())/float64(max(w.polls.Load(), 1)), "share_304")
	}
}

// BenchmarkNewsWebThroughput crawls 200 hosts, one feed each listing 40 articles, with
// host_delay 1 s (real time) and 16 workers, for 20 s, and reports articles handed on
// per second: with politeness holding no worker, it grows with the number of hosts
// instead of stopping at workers ÷ host_delay.
//
//	go test -run XXX -bench NewsWebThroughput -benchtime 1x ./crawler/
func BenchmarkNewsWebThroughput(b *testing.B) {
	const hosts, run = 200, 20 * time.Second
	for b.Loop() {
		w := newNewsWeb(b, hosts, 1, 40, time.Minute, 0, 0)
		cfg := testConfig()
		cfg.Workers, cfg.HostParallelism = 16, 2
		cfg.HostDelay = config.Duration(time.Second)
		cfg.Timeout = config.Duration(10 * time.Second)
		got := crawlNewsWeb(b, w, cfg, run)
		b.ReportMetric(float64(len(got))/run.Seconds(), "articles/s")
	}
}
