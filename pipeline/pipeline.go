package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"golang.org/x/sync/errgroup"

	"github.com/pantau-id/pantau/ack"
	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/storage"
)

// Crawler finds and fetches new articles.
type Crawler interface {
	// RunOnce polls every source once and sends each new article to out, blocking while
	// out is full. It returns when all work is done or ctx is cancelled; it never closes out.
	RunOnce(ctx context.Context, out chan<- crawler.Article) error
	// Run does the same continuously, until ctx is cancelled.
	Run(ctx context.Context, out chan<- crawler.Article) error
}

// Options sizes a Pipeline; OptionsFrom builds them from the configuration.
type Options struct {
	QueueSize       int // articles waiting for analysis
	AnalyzerWorkers int // analysis goroutines
	// DupCapacity is how many recent originals the near-duplicate index remembers.
	DupCapacity int
	Logger      *slog.Logger
	// Registerer receives the pipeline's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	Now        func() time.Time
}

// OptionsFrom returns the options cfg sets and those config fixes, logging to log and
// registering the metrics on reg.
func OptionsFrom(cfg config.Pipeline, log *slog.Logger, reg prometheus.Registerer) Options {
	return Options{QueueSize: cfg.QueueSize, AnalyzerWorkers: cfg.AnalyzerWorkers, DupCapacity: config.DupCapacity,
		Logger: log, Registerer: reg, Now: time.Now}
}

// Pipeline connects a crawler, the analyzer and the batch writer:
//
//	crawler ──(bounded queue)──► analyzer workers ──► writer ──► ClickHouse
//
// A full queue blocks the crawler (backpressure). Articles are counted as stored only when
// the writer acknowledges them, i.e. after ClickHouse confirmed the batch (during an
// outage the rows wait in the writer's disk spool until it does).
type Pipeline struct {
	analyzer *analyzer.Analyzer
	writer   *storage.Writer
	dups     *nearDupIndex
	metrics  *metrics
	log      *slog.Logger
	opts     Options

	queue atomic.Pointer[chan crawler.Article] // the article queue of the current Run
	// intake is the context of the current Run: handing a row to a full writer waits no
	// longer than it.
	intake atomic.Pointer[context.Context]
	// commits are the article rows handed to the writer from its acknowledgements of
	// their mentions; Wait joins them.
	commits sync.WaitGroup
}

// New returns a pipeline. It refuses options with a field left at zero. The caller owns w
// and closes it after Run returns.
func New(a *analyzer.Analyzer, w *storage.Writer, opts Options) (*Pipeline, error) {
	if opts.QueueSize <= 0 || opts.AnalyzerWorkers <= 0 || opts.DupCapacity <= 0 || opts.Logger == nil || opts.Now == nil {
		return nil, fmt.Errorf("pipeline: options need a positive QueueSize, AnalyzerWorkers and DupCapacity, a Logger and Now (got %d, %d, %d, %t, %t): build them with OptionsFrom",
			opts.QueueSize, opts.AnalyzerWorkers, opts.DupCapacity, opts.Logger != nil, opts.Now != nil)
	}
	p := &Pipeline{
		analyzer: a,
		writer:   w,
		dups:     newNearDupIndex(opts.DupCapacity),
		metrics:  newMetrics(opts.Registerer),
		log:      opts.Logger,
		opts:     opts,
	}
	promauto.With(opts.Registerer).NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pantau_pipeline_queue_depth", Help: "Items waiting in a pipeline queue.",
		ConstLabels: prometheus.Labels{"queue": "articles"},
	}, func() float64 {
		if q := p.queue.Load(); q != nil {
			return float64(len(*q))
		}
		return 0
	})
	return p, nil
}

// RememberOriginals loads already stored originals into the near-duplicate index, so that
// a copy of a story stored before a restart is still recognised.
func (p *Pipeline) RememberOriginals(originals []storage.Original) {
	for _, o := range originals {
		p.dups.Match(o.SimHash, o.URLHash)
	}
}

// Run crawls with c (one pass when once is true, else until ctx is cancelled), analyses
// every article and hands it to the writer. On cancellation the crawler stops taking in
// work and closes the queue; the analyzer workers drain it, so every article already
// fetched is analysed and handed over (or, when the writer has no room for it, given back
// unstored through its ack, to be fetched again on a later poll: the wait for room ends
// with ctx). Run returns when the crawler and every worker have ended, with the crawler's
// error (nil for a cancelled ctx); the caller then closes the writer to flush what it holds.
func (p *Pipeline) Run(ctx context.Context, c Crawler, once bool) error {
	articles := make(chan crawler.Article, p.opts.QueueSize)
	p.queue.Store(&articles)
	p.intake.Store(&ctx)

	var g errgroup.Group
	g.Go(func() error {
		defer close(articles)
		var err error
		if once {
			err = c.RunOnce(ctx, articles)
		} else {
			err = c.Run(ctx, articles)
		}
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	})
	for range p.opts.AnalyzerWorkers {
		g.Go(func() error {
			for a := range articles {
				p.process(ctx, a)
			}
			return nil
		})
	}
	return g.Wait()
}

// Wait waits for the article rows handed to the writer from its acknowledgements: an
// article row goes in once its mentions were confirmed, from a goroutine of its own. Call
// it after closing the writer, whose last flush may start some (they find the writer
// closed and give their articles back through their acks, which log why).
func (p *Pipeline) Wait() { p.commits.Wait() }

// ObserveFetch records one HTTP fetch in the fetches table; it is the crawler's fetch observer.
func (p *Pipeline) ObserveFetch(f crawler.Fetch) {
	rec := storage.Fetch{
		Time: f.Time, Source: f.Source, Host: f.Host, Kind: f.Kind, Status: uint16(f.Status),
		StatusClass: crawler.StatusClass(f.Status),
		Bytes:       uint64(max(f.Bytes, 0)), Duration: f.Duration, ErrorClass: f.ErrorClass,
	}
	ctx := context.Background()
	if c := p.intake.Load(); c != nil {
		ctx = *c
	}
	if err := p.add(ctx, nil, rec); err != nil {
		p.log.Warn("fetch record not stored", "source", f.Source, "err", err)
	}
}

// process analyses one article and hands its rows to the writer.
func (p *Pipeline) process(ctx context.Context, a crawler.Article) {
	start := p.opts.Now()
	res := p.analyzer.Analyze(analyzer.Document{ID: a.CanonicalURL, Title: a.Title, Text: a.Text, Lang: a.Lang})
	p.metrics.stage.WithLabelValues("analyze").Observe(p.opts.Now().Sub(start).Seconds())
	p.noteCaps(a.CanonicalURL, a.Source, res)

	hash := storage.URLHash(a.CanonicalURL)
	dupOf := p.dups.Match(a.SimHash, hash)
	if dupOf != 0 {
		p.metrics.duplicates.WithLabelValues(a.Source).Inc()
	}
	published := a.Published
	if published.IsZero() {
		published = a.Fetched
	}
	art := storage.Article{
		URLHash: hash, URL: a.URL, CanonicalURL: a.CanonicalURL, Source: a.Source, SourceKind: a.SourceKind, Region: a.Region,
		Title: a.Title, Text: a.Text, Author: a.Author,
		PublishedAt: published, DiscoveredAt: a.Discovered, FetchedAt: a.Fetched,
		SimHash: a.SimHash, DuplicateOf: dupOf,
	}
	mentions := analysisRows(&art, res)
	start = p.opts.Now()
	defer func() { p.metrics.stage.WithLabelValues("hand_off").Observe(p.opts.Now().Sub(start).Seconds()) }()

	// The article row is the commit marker: the crawler's Seen looks at articles, so the
	// row goes to the writer only once ClickHouse confirmed every mention of the article
	// (tables flush on their own, so a row handed over earlier could be stored while the
	// mentions before it were still in memory, and a crash would keep them out for good). The
	// crawler's feed cursor advances once the article row is confirmed. A mention that cannot
	// be stored keeps the article out, so it is fetched again on a later poll.
	settle := func(err error) {
		a.Ack(err)
		switch {
		case errors.Is(err, storage.ErrSpooled):
			p.log.Debug("article waits in the writer's spool for the next start", "url", a.CanonicalURL, "source", a.Source)
		case err != nil:
			p.log.Error("article not stored", "url", a.CanonicalURL, "source", a.Source, "err", err)
		}
	}
	commit := func() {
		err := p.add(ctx, func(err error) {
			if err == nil {
				now := p.opts.Now()
				p.metrics.articlesStored.WithLabelValues(a.Source).Inc()
				p.metrics.lastStored.Set(float64(now.Unix()))
				if !a.Published.IsZero() {
					p.metrics.latency.Observe(now.Sub(a.Published).Seconds())
				}
			}
			settle(err)
		}, art)
		if err != nil {
			p.metrics.dropped.WithLabelValues(a.Source).Inc()
			settle(fmt.Errorf("article dropped: %w", err))
		}
	}
	if len(mentions) == 0 {
		commit()
		return
	}
	recs := make([]storage.Record, len(mentions))
	for i, m := range mentions {
		recs[i] = m
	}
	err := p.add(ctx, func(err error) {
		if err != nil {
			settle(err)
			return
		}
		for _, m := range mentions {
			p.metrics.mentionsStored.WithLabelValues(m.Programme, m.Label).Inc()
		}
		// Called from the writer's flush: hand the article row over from a goroutine of its
		// own, since add may wait for room in the writer. One per article whose mentions
		// were just confirmed, so their number is bounded by the rows the writer holds;
		// Wait joins them, and a failure reaches the article's ack.
		p.commits.Go(commit)
	}, recs...)
	if err != nil {
		p.metrics.dropped.WithLabelValues(a.Source).Inc()
		settle(fmt.Errorf("mentions dropped: %w", err))
	}
}

// add hands rows of one table to the writer, acknowledged together by done. The writer's
// buffer is full only while ClickHouse is failing and the rows cannot go to its spool (none
// configured, full, or the disk failing); add then waits, for up to about a minute and no
// longer than ctx, before giving up on the rows. A failed flush of rows already buffered is
// remembered for readiness; the rows themselves are kept, in memory or in the spool
// (readiness asks the writer itself: Writer.Health).
func (p *Pipeline) add(ctx context.Context, done ack.Func, recs ...storage.Record) error {
	wait := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		// Background context: a record already analysed is handed over even during shutdown.
		err := p.writer.Add(context.Background(), done, recs...)
		var flushErr *storage.FlushError
		switch {
		case err == nil, errors.As(err, &flushErr): // a flush error: buffered, the writer retries
			return nil
		case errors.Is(err, storage.ErrBufferFull) && attempt < 10:
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%w; stopped waiting for room: %w", err, context.Cause(ctx))
			case <-t.C:
			}
			wait = min(2*wait, 10*time.Second)
		default:
			return err
		}
	}
}

// noteCaps counts and logs an article the analyzer's limits cut short.
func (p *Pipeline) noteCaps(url, source string, res analyzer.Result) {
	if res.Truncated {
		p.metrics.capped.WithLabelValues("text").Inc()
	}
	if res.DroppedMentions > 0 {
		p.metrics.capped.WithLabelValues("mentions").Inc()
	}
	if res.Truncated || res.DroppedMentions > 0 {
		p.log.Info("article analysed in part", "url", url, "source", source, "text_truncated", res.Truncated,
			"max_text_bytes", analyzer.MaxTextBytes, "mentions_dropped", res.DroppedMentions)
	}
}

// metrics are the pipeline's Prometheus metrics.
type metrics struct {
	capped         *prometheus.CounterVec
	articlesStored *prometheus.CounterVec
	mentionsStored *prometheus.CounterVec
	duplicates     *prometheus.CounterVec
	dropped        *prometheus.CounterVec
	stage          *prometheus.HistogramVec
	latency        prometheus.Histogram
	lastStored     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		capped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_analyzer_capped_total", Help: "Articles the analyzer's limits cut short: text beyond analyzer.MaxTextBytes ignored (cap=text), or mentions beyond analyzer.MaxMentions dropped (cap=mentions).",
		}, []string{"cap"}),
		articlesStored: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_pipeline_articles_stored_total", Help: "Articles stored, confirmed by ClickHouse.",
		}, []string{"source"}),
		mentionsStored: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_pipeline_mentions_stored_total", Help: "Programme mentions stored, by programme and sentiment label.",
		}, []string{"programme", "label"}),
		duplicates: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_pipeline_duplicates_total", Help: "Articles recognised as near-duplicates (syndicated copies) of an earlier article.",
		}, []string{"source"}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_pipeline_articles_dropped_total", Help: "Articles the writer refused (ClickHouse failing and its spool full, failing or disabled); they are fetched again on a later poll.",
		}, []string{"source"}),
		stage: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "pantau_pipeline_stage_seconds", Help: "Time an article spends in a pipeline stage.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"stage"}),
		latency: f.NewHistogram(prometheus.HistogramOpts{
			Name: "pantau_pipeline_detection_latency_seconds", Help: "Time from an article's publication to its storage.",
			Buckets: []float64{60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400, 7 * 86400},
		}),
		lastStored: f.NewGauge(prometheus.GaugeOpts{
			Name: "pantau_pipeline_last_stored_timestamp_seconds", Help: "Unix time of the last article stored.",
		}),
	}
	for _, c := range []string{"text", "mentions"} {
		m.capped.WithLabelValues(c) // exported as 0 from the start
	}
	return m
}
