package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/newsim"
	"github.com/pantau-id/pantau/storage"
)

func loadCorpus(path string) (*newsim.Corpus, error) {
	c, err := newsim.LoadCorpus(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run from the project folder or pass -corpus)", err)
	}
	return c, nil
}

// analyzerRate returns the analyzer's MB/s of article text on one goroutine (one core),
// over the texts of 300 simulated articles, for at least three seconds.
func analyzerRate(corpus *newsim.Corpus) (float64, error) {
	w, err := newsim.Start(newsim.Options{Backlog: 300, Corpus: corpus})
	if err != nil {
		return 0, err
	}
	w.Close()
	var docs []analyzer.Document
	for _, a := range w.Articles() {
		docs = append(docs, analyzer.Document{Title: a.Title, Text: w.Text(a), Lang: "id"})
	}
	an := analyzer.New(taxonomy.Default(), sentiment.Default())
	var bytes int
	start := time.Now()
	for time.Since(start) < 3*time.Second {
		for _, d := range docs {
			an.Analyze(d)
			bytes += len(d.Title) + len(d.Text)
		}
	}
	return float64(bytes) / 1e6 / time.Since(start).Seconds(), nil
}

// insertResult is how fast mention rows went into a backend.
type insertResult struct {
	rows, batch int
	rowsPerSec  float64
}

// insertRate inserts batches of mention rows into a fresh store on b (a database of its
// own on the server, dropped afterwards; a folder under tmp for the embedded store).
func insertRate(ctx context.Context, b backend, tmp string) (insertResult, error) {
	const batch, batches = 50_000, 4
	cfg := config.Storage{DataDir: filepath.Join(tmp, "rows-embedded")}
	db := fmt.Sprintf("pantau_bench_rows_%d", os.Getpid())
	if b.name == "server" {
		cfg = config.Storage{DSN: fmt.Sprintf("clickhouse://%s/%s", b.addr, db)}
	}
	st, err := storage.Open(ctx, cfg, quiet)
	if err != nil {
		return insertResult{}, err
	}
	defer st.Close()
	if b.name == "server" {
		defer st.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
	}
	if _, err := storage.Migrate(ctx, st, storage.MigrateOptions{}); err != nil {
		return insertResult{}, err
	}
	labels := []string{"negative", "neutral", "positive"}
	now := time.Now().UTC().Truncate(time.Second)
	var took time.Duration
	for k := range batches {
		rows := make([]storage.Mention, batch)
		for i := range rows {
			n := k*batch + i
			rows[i] = storage.Mention{
				URLHash: uint64(n)*2654435761 + 1, Programme: "ektp", Unit: "dukcapil", Terms: []string{"e-KTP", "blangko"},
				Score: -0.4, Label: labels[n%3], Criticism: n%3 == 0, PublishedAt: now.Add(-time.Duration(n) * time.Second),
				Snippet: "Warga mengeluhkan stok blangko e-KTP yang selalu kosong di kelurahan.", Source: fmt.Sprintf("sim%03d-f%d", n%200, n%5),
				AnalyzerVersion: "bench", Region: "national", Regions: []string{"31"},
			}
		}
		start := time.Now()
		if err := storage.InsertRows(ctx, st, rows...); err != nil {
			return insertResult{}, err
		}
		took += time.Since(start)
	}
	return insertResult{rows: batch * batches, batch: batch, rowsPerSec: float64(batch*batches) / took.Seconds()}, nil
}

// throughputResult is what a single pass over a web of backlogs measured.
type throughputResult struct {
	hosts, articles, stored int
	steady                  float64 // articles/s between 10% and 90% of the rows stored
	use                     usage
	faults                  newsim.Stats
}

// throughput runs `pantau run --once` without politeness delay over 50 hosts whose
// feeds list their backlog, and measures the articles stored per second, CPU per article
// and peak RSS. With o.cpuProfile the child writes its CPU profile there.
func throughput(ctx context.Context, o options, b backend, tmp string, corpus *newsim.Corpus) (throughputResult, error) {
	const hosts, feeds = 50, 4
	backlog := 50
	if o.short {
		backlog = 25
	}
	w, err := newsim.Start(newsim.Options{Hosts: hosts, FeedsPerHost: feeds, Backlog: backlog, Listed: backlog,
		Syndication: 0.1, Seed: 50, Corpus: corpus})
	if err != nil {
		return throughputResult{}, err
	}
	defer w.Close()
	k := crawlKnobs{hostDelay: 0}
	if o.cpuProfile != "" {
		k.cpuProfile = filepath.Join(o.cpuProfile, "throughput-"+b.name+".pprof")
	}
	r, err := startPantau(o.pantau, tmp, b, w.Sources(), k, true, "throughput")
	if err != nil {
		return throughputResult{}, err
	}
	rd := &rowReader{run: r}
	defer rd.close(context.Background())
	total := hosts * feeds * backlog
	var t10, t90 time.Time
	var n10, n90 int
	done := make(chan error, 1)
	go func() { done <- r.wait(ctx, 15*time.Minute) }()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var waitErr error
loop:
	for {
		select {
		case waitErr = <-done:
			break loop
		case <-tick.C:
			n, err := rd.count(ctx)
			if err != nil {
				if os.Getenv("BENCH_DEBUG") != "" {
					fmt.Fprintln(os.Stderr, "count:", err)
				}
				continue
			}
			if t10.IsZero() && n >= total/10 {
				t10, n10 = time.Now(), n
			}
			if t90.IsZero() && n >= total*9/10 {
				t90, n90 = time.Now(), n
			}
		}
	}
	if waitErr != nil {
		return throughputResult{}, waitErr
	}
	stored, err := rd.count(ctx)
	if err != nil {
		return throughputResult{}, fmt.Errorf("count stored articles: %w", err)
	}
	use, err := r.usage()
	if err != nil {
		return throughputResult{}, err
	}
	res := throughputResult{hosts: hosts, articles: total, stored: stored, use: use, faults: w.Stats()}
	if !t90.IsZero() && t90.After(t10) {
		res.steady = float64(n90-n10) / t90.Sub(t10).Seconds()
	}
	return res, nil
}

func (t throughputResult) print(out io.Writer, b backend) {
	fmt.Fprintf(out, "throughput on %s: %d hosts, host_delay 0, workers 16, pantau run --once over %d listed articles\n", b.name, t.hosts, t.articles)
	steady := "not measured (no two successful reads between 10% and 90% of the rows)"
	if t.steady > 0 {
		steady = fmt.Sprintf("%.0f articles/s", t.steady)
	}
	fmt.Fprintf(out, "  stored %d articles in %.1f s: %.0f articles/s over the whole process life; steady (10%%-90%% of rows): %s\n",
		t.stored, t.use.wall.Seconds(), float64(t.stored)/t.use.wall.Seconds(), steady)
	fmt.Fprintf(out, "  CPU %.1f s: %.2f ms per article; peak RSS %.0f MB\n\n",
		t.use.cpu.Seconds(), t.use.cpu.Seconds()*1000/float64(max(t.stored, 1)), float64(t.use.peakRSS)/1e6)
}

// latencyResult is what the continuous run over a publishing web measured.
type latencyResult struct {
	feeds, sources, published, missing int
	lat                                []float64 // seconds from publication to queryable
	clean                              []float64 // the same for articles no fault hit
	wait, after                        []float64 // seconds from publication to the first poll listing it, and from there to queryable
	unpolled, late                     []string  // sources never polled, first polled after 90 s
	coldStart                          time.Duration
	polledIn90s                        int
	pollsPerFeedHour, steadyPollsHour  float64
	share304                           float64
	tooSoon, pollGaps                  int
	run, minInterval                   time.Duration
	use                                usage
	stats                              newsim.Stats
}

// latency runs `pantau run` for o.latencyRun against 200 hosts × 5 feeds and a section
// page per host, publishing as Poisson processes (a mean of 3 minutes per feed, each feed
// between 1.5 and 6), with faults, at host_delay 1 s and otherwise default politeness and
// polling (o.minInterval, when set, overrides min_interval). It reads the stored URLs
// every second and measures, for the articles published in all but the last 90 s, the
// delay from publication to the row being queryable.
func latency(ctx context.Context, o options, b backend, tmp string, corpus *newsim.Corpus) (latencyResult, error) {
	const hosts, feeds = 200, 5
	minInterval := o.minInterval
	w, err := newsim.Start(newsim.Options{Hosts: hosts, FeedsPerHost: feeds, SectionsPerHost: 1, Backlog: 3,
		MeanGap: 3 * time.Minute, Horizon: o.latencyRun, Syndication: 0.1, Seed: 1000, Corpus: corpus,
		Faults: newsim.Faults{Slow: 0.01, Server: 0.01, TooMany: 0.005, Malformed: 0.005}})
	if err != nil {
		return latencyResult{}, err
	}
	defer w.Close()
	r, err := startPantau(o.pantau, tmp, b, w.Sources(), crawlKnobs{hostDelay: time.Second, minInterval: minInterval}, false, "latency")
	if minInterval <= 0 {
		minInterval = config.Default().Crawler.MinInterval.D()
	}
	if err != nil {
		return latencyResult{}, err
	}
	rd := &rowReader{run: r}
	defer rd.close(context.Background())
	seen := map[string]time.Time{}
	deadline := w.Start.Add(o.latencyRun)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			r.stop()
			return latencyResult{}, ctx.Err()
		case <-r.exited:
			return latencyResult{}, fmt.Errorf("pantau exited early: %v", r.exitErr())
		case <-tick.C:
		}
		at := time.Now() // the query reads the parts committed before it starts
		urls, err := rd.urls(ctx)
		if err != nil {
			continue
		}
		for _, u := range urls {
			if _, ok := seen[u]; !ok {
				seen[u] = at
			}
		}
	}
	if err := r.stop(); err != nil {
		return latencyResult{}, err
	}
	use, err := r.usage()
	if err != nil {
		return latencyResult{}, err
	}
	polls := w.Polls()
	res := latencyResult{feeds: hosts * feeds, sources: len(w.Sources()), run: o.latencyRun, minInterval: minInterval, use: use, stats: w.Stats()}
	for _, a := range w.Articles() {
		if !a.Published.After(w.Start) || a.Published.After(deadline.Add(-90*time.Second)) {
			continue
		}
		res.published++
		at, ok := seen[a.URL]
		if !ok {
			res.missing++
			continue
		}
		res.lat = append(res.lat, max(at.Sub(a.Published), 0).Seconds())
		if !a.Faulted() {
			res.clean = append(res.clean, res.lat[len(res.lat)-1])
		}
		if listed, ok := firstListing(polls, a, res.feeds); ok {
			res.wait = append(res.wait, listed.Sub(a.Published).Seconds())
			res.after = append(res.after, max(at.Sub(listed), 0).Seconds())
		}
	}
	slices.Sort(res.lat)
	slices.Sort(res.clean)
	slices.Sort(res.wait)
	slices.Sort(res.after)
	var feedPolls, steadyPolls int
	var steadySpan time.Duration
	for i, p := range polls {
		if len(p.Polls) == 0 {
			res.coldStart = -1
			res.unpolled = append(res.unpolled, p.Source)
			continue
		}
		first := p.Polls[0].At.Sub(r.started)
		if res.coldStart >= 0 {
			res.coldStart = max(res.coldStart, first)
		}
		if first <= 90*time.Second {
			res.polledIn90s++
		} else {
			res.late = append(res.late, fmt.Sprintf("%s at %.0f s", p.Source, first.Seconds()))
		}
		if i >= res.feeds {
			continue // section pages: their polls count in the 304 share only
		}
		feedPolls += len(p.Polls)
		steadyPolls += len(p.Polls) - 1
		steadySpan += deadline.Sub(p.Polls[0].At)
		for k := 1; k < len(p.Polls); k++ {
			if p.Polls[k-1].Faulted {
				continue // a fault's backoff, or its Retry-After, decides the next poll
			}
			res.pollGaps++
			if p.Polls[k].At.Sub(p.Polls[k-1].At) < minInterval*95/100 {
				res.tooSoon++
			}
		}
	}
	res.pollsPerFeedHour = float64(feedPolls) / float64(res.feeds) / o.latencyRun.Hours()
	res.steadyPollsHour = float64(steadyPolls) / steadySpan.Hours()
	res.share304 = float64(res.stats.NotModified) / float64(max(res.stats.FeedPolls+res.stats.SectionPolls, 1))
	return res, nil
}

// firstListing returns when a was first listed by a poll of its feed or its host's
// section page that no fault answered.
func firstListing(polls []newsim.SourcePolls, a *newsim.Article, feeds int) (time.Time, bool) {
	var first time.Time
	for _, src := range []int{a.Feed, feeds + a.Host} {
		if src >= len(polls) {
			continue
		}
		for _, p := range polls[src].Polls {
			if !p.At.Before(a.Published) && !p.Faulted {
				if first.IsZero() || p.At.Before(first) {
					first = p.At
				}
				break
			}
		}
	}
	return first, !first.IsZero()
}

// quantile returns the q-quantile of sorted xs (0 for none).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[min(len(xs)-1, int(q*float64(len(xs))))]
}

func (l latencyResult) print(out io.Writer, b backend) {
	q := func(p float64) float64 { return quantile(l.lat, p) }
	fmt.Fprintf(out, "latency on %s: %d feeds and %d section pages on 200 hosts, host_delay 1s, min_interval %s, %s run\n",
		b.name, l.feeds, l.sources-l.feeds, l.minInterval, l.run)
	fmt.Fprintf(out, "  publication to queryable row: p50 %.0f s, p95 %.0f s, p99 %.0f s over %d articles (%d not stored by the end)\n",
		q(0.5), q(0.95), q(0.99), l.published, l.missing)
	fmt.Fprintf(out, "  articles whose page no fault hit (%d): p50 %.0f s, p95 %.0f s, p99 %.0f s\n",
		len(l.clean), quantile(l.clean, 0.5), quantile(l.clean, 0.95), quantile(l.clean, 0.99))
	fmt.Fprintf(out, "  of which waiting to be listed by a poll p50 %.0f s, p95 %.0f s; from that poll to queryable p50 %.0f s, p95 %.0f s\n",
		quantile(l.wait, 0.5), quantile(l.wait, 0.95), quantile(l.after, 0.5), quantile(l.after, 0.95))
	cold := fmt.Sprintf("%.1f s", l.coldStart.Seconds())
	if l.coldStart < 0 {
		cold = fmt.Sprintf("never (%d not polled: %s)", len(l.unpolled), strings.Join(l.unpolled[:min(5, len(l.unpolled))], ", "))
	}
	fmt.Fprintf(out, "  cold start: every source polled after %s; %d of %d within 90 s\n", cold, l.polledIn90s, l.sources)
	if len(l.late) > 0 {
		fmt.Fprintf(out, "  first polled after 90 s: %s\n", strings.Join(l.late[:min(5, len(l.late))], ", "))
	}
	fmt.Fprintf(out, "  polls per feed per hour: %.1f over the run, %.1f after the first poll; per section page %.1f over the run; 304 share %.2f\n",
		l.pollsPerFeedHour, l.steadyPollsHour, float64(l.stats.SectionPolls)/float64(max(l.sources-l.feeds, 1))/l.run.Hours(), l.share304)
	fmt.Fprintf(out, "  poll gaps after a successful poll shorter than min_interval: %d of %d\n", l.tooSoon, l.pollGaps)
	fmt.Fprintf(out, "  faults served: %d slow, %d 503, %d 429, %d malformed; CPU %.1f s, peak RSS %.0f MB\n",
		l.stats.Slow, l.stats.Server, l.stats.TooMany, l.stats.Malformed, l.use.cpu.Seconds(), float64(l.use.peakRSS)/1e6)
}
