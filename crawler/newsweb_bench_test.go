package crawler

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/newsim"
)

// newNewsWeb starts a simulated news web of hosts × feedsPerHost feeds (package newsim, made
// of the labelled corpus) whose items arrive meanGap apart on average; backlog items per
// feed are already published at start, and failRate of all requests answer 503.
func newNewsWeb(tb testing.TB, hosts, feedsPerHost, backlog int, meanGap, horizon time.Duration, failRate float64) *newsim.Web {
	corpus, err := newsim.LoadCorpus("../analyzer/testdata/news/train.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	w, err := newsim.Start(newsim.Options{Hosts: hosts, FeedsPerHost: feedsPerHost, Backlog: backlog, MeanGap: meanGap,
		Horizon: horizon, Faults: newsim.Faults{Server: failRate}, Seed: 13, Corpus: corpus})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Close)
	return w
}

// newsWebSources returns w's sources with a starting interval of 3 simulated minutes.
func newsWebSources(w *newsim.Web) []config.Source {
	out := w.Sources()
	for i := range out {
		out[i].Interval = config.Duration(3 * time.Minute / simScale)
	}
	return out
}

// simScale is how much faster than real time the latency benchmark runs: politeness,
// poll bounds and publication rates are divided by it, and latencies multiplied back.
const simScale = 4

// crawlNewsWeb runs the crawler with Run against w for d and returns, for each article
// handed on, when it was received.
func crawlNewsWeb(b *testing.B, w *newsim.Web, cfg config.Crawler, d time.Duration) map[string]time.Time {
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
	c, err := New(cfg, newsWebSources(w), WithSeen(seen), WithDialer(loopbackDialer(b)), WithResolver(fakeResolver{}))
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

// firstPollAfter returns the first of polls (ascending) at or after t: when an item
// published at t was first listed.
func firstPollAfter(polls []newsim.Poll, t time.Time) (time.Time, bool) {
	for _, p := range polls {
		if !p.At.Before(t) && !p.Faulted {
			return p.At, true
		}
	}
	return time.Time{}, false
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

		polls := w.Polls()
		var lat, fetchLat []float64
		missing, considered := 0, 0
		for _, a := range w.Articles() {
			if !a.Published.After(w.Start) || a.Published.Sub(w.Start) > run*2/3 {
				continue // the backlog, or too late to be expected
			}
			considered++
			at, ok := got[a.URL]
			if !ok {
				missing++
				continue
			}
			lat = append(lat, at.Sub(a.Published).Seconds()*simScale)
			if listed, ok := firstPollAfter(polls[a.Feed].Polls, a.Published); ok {
				fetchLat = append(fetchLat, at.Sub(listed).Seconds()*simScale)
			}
		}
		polled := 0
		for _, p := range polls {
			if len(p.Polls) > 0 && p.Polls[0].At.Sub(w.Start) <= 120*time.Second/simScale {
				polled++
			}
		}
		stats := w.Stats()
		simHours := (run * simScale).Hours()
		b.ReportMetric(quantile(lat, 0.5), "p50_s")
		b.ReportMetric(quantile(lat, 0.95), "p95_s")
		b.ReportMetric(quantile(lat, 0.99), "p99_s")
		b.ReportMetric(quantile(fetchLat, 0.5), "listed_to_out_p50_s")
		b.ReportMetric(quantile(fetchLat, 0.95), "listed_to_out_p95_s")
		b.ReportMetric(float64(missing), "missing")
		b.ReportMetric(float64(considered), "items")
		b.ReportMetric(float64(polled), "feeds_polled_120s")
		b.ReportMetric(float64(stats.FeedPolls)/float64(len(polls))/simHours, "polls/feed/h")
		b.ReportMetric(float64(stats.NotModified)/float64(max(stats.FeedPolls, 1)), "share_304")
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
