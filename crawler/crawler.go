// Package crawler finds article URLs in feeds, sitemaps and portal pages (and the feeds
// those pages advertise), fetches them politely and safely, and extracts each article's
// text, date and canonical URL.
//
// Work is scheduled per host: polls and article fetches wait in per-host queues, and
// each worker takes the next task from whichever host may be contacted now (politeness
// delay over, fewer than host_parallelism requests in flight), least recently served
// first, so that waiting for a host never holds a worker. Every HTTP fetch goes through
// colly with robots.txt and its Crawl-delay, Retry-After back-off, a decompressed body
// cap and a dialer that refuses private, loopback and link-local addresses after DNS
// resolution.
//
// Each source's poll interval adapts to its publication rate and the server's
// freshness hints; failures back off exponentially and a source failing for dead_after
// is marked dead. Source states (validators, schedule, health) persist through a
// StateStore; a feed's validators (a portal's advertised feeds' too) advance only after
// every article of the poll was acknowledged through Article.Ack. Dates written without
// a zone are read in the source's time_zone (default WIB for Indonesian sources).
// Backfill fetches a past date range.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pantau-id/pantau/ack"
	"github.com/pantau-id/pantau/config"
)

// Article is one fetched and extracted article, ready for analysis.
type Article struct {
	URL          string // as discovered in the feed, sitemap or page
	CanonicalURL string // identity of the article; see Canonicalize
	Source       string // source name from the configuration
	SourceKind   string // feed, portal or sitemap
	Region       string // the source's configured region; empty if it has none
	Title        string
	Text         string
	Author       string
	Lang         string    // from the source configuration or the page; empty if unknown
	Published    time.Time // UTC; zero if unknown
	Discovered   time.Time // when the URL was found in its listing
	Fetched      time.Time // when the page was fetched
	SimHash      uint64    // SimHash of Text, for near-duplicate detection

	// Ack acknowledges the article as package ack describes; the crawler sets it on every
	// article it hands on. An error gives the article back: it is fetched again on a
	// later poll, and until then its feed keeps its old validators.
	Ack ack.Func
}

// Seen tells which canonical URLs are already stored. Implementations must be safe for
// concurrent use. The returned map holds true for every stored URL; URLs missing from it
// are treated as new. An error makes the crawler skip the batch and retry on the next poll.
type Seen interface {
	Seen(ctx context.Context, canonicalURLs []string) (map[string]bool, error)
}

// Option configures a Crawler.
type Option func(*options)

type options struct {
	log      *slog.Logger
	reg      prometheus.Registerer
	seen     Seen
	observe  func(Fetch)
	resolver Resolver
	dial     DialFunc
	now      func() time.Time
	state    StateStore
	ackWait  time.Duration
}

// WithAckWait bounds how long RunOnce waits for the articles it handed on to be
// acknowledged (stored); without it, config.AckWait.
func WithAckWait(d time.Duration) Option { return func(o *options) { o.ackWait = d } }

// WithLogger sets the logger; the default discards logs.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRegisterer registers the crawler's metrics with reg; the default keeps them private.
func WithRegisterer(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

// WithSeen sets the store consulted before fetching; the default treats every URL as new.
func WithSeen(s Seen) Option { return func(o *options) { o.seen = s } }

// WithFetchObserver sets a function called after every HTTP fetch, from many goroutines
// at once. It must be quick and safe for concurrent use.
func WithFetchObserver(f func(Fetch)) Option { return func(o *options) { o.observe = f } }

// WithResolver sets the DNS resolver the SSRF guard uses; the default is net.DefaultResolver.
func WithResolver(r Resolver) Option { return func(o *options) { o.resolver = r } }

// WithDialer sets the function that opens connections to guard-approved IP addresses.
func WithDialer(d DialFunc) Option { return func(o *options) { o.dial = d } }

// WithClock sets the clock used for timestamps, back-off and date clamping.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

const (
	seenBatch        = 100
	maxItemsPerPoll  = 500
	maxChildSitemaps = 3
	// maxPortalFeeds bounds the feeds, advertised by a portal's pages, that one poll reads.
	maxPortalFeeds  = 3
	recentCapacity  = 100_000
	futureTolerance = time.Hour
)

// Crawler polls sources and fetches their new articles. It wires four parts: discovery
// (a source's listing to article URLs), scheduling (when each source is polled), fetching
// (articles fetched, extracted and handed on) and the source states with their
// acknowledgements. It is safe to call RunOnce or Run from one goroutine at a time.
type Crawler struct {
	ackWait time.Duration // how long RunOnce waits for acknowledgements
	cfg     config.Crawler
	sources []*source
	log     *slog.Logger
	m       *metrics
	f       *fetcher // every HTTP fetch, shared by the parts
	now     func() time.Time
	workers int

	disc     *discoverer
	dedup    *dedup
	sched    *scheduler
	articles *articleFetcher
	states   *sourceStates
}

// source is a configured source with its polling state.
type source struct {
	config.Source
	linkRE *regexp.Regexp
	// zone reads dates written without a zone in the source's feeds, sitemaps and pages:
	// its time_zone, else WIB for an Indonesian source; nil lets each page decide.
	zone *time.Location

	mu           sync.Mutex
	st           SourceState
	dirty        bool      // st changed since the last save
	failingSince time.Time // first failure of the current run of failures
	// listed holds the item URLs of the source's last listing read in this process: the
	// items its next listing shows beyond them are its arrivals (see newInListing).
	listed map[string]struct{}
}

// newInListing returns how many of items the source's previous listing in this process
// did not show, and keeps items as its listing; -1 when this process read no listing of
// the source before. It counts the source's own arrivals: a section page whose new
// articles the store already holds (fetched through a feed) still shows its rate.
func (s *source) newInListing(items []item) int {
	cur := make(map[string]struct{}, len(items))
	n := 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range items {
		cur[it.URL] = struct{}{}
		if _, ok := s.listed[it.URL]; !ok {
			n++
		}
	}
	first := s.listed == nil
	s.listed = cur
	if first {
		return -1
	}
	return n
}

// New builds a Crawler for the enabled sources in sources (and, with cfg.Shard "i/n",
// only those whose name hashes to shard i). cfg and sources are taken as config.Load
// builds them: config holds the defaults and config.Validate the rules. New refuses a
// parameter left at zero, naming it, and reports what it cannot build (a shard, a link
// pattern or a time zone that does not parse, networks the guard cannot take).
func New(cfg config.Crawler, sources []config.Source, opts ...Option) (*Crawler, error) {
	o := options{now: time.Now, ackWait: config.AckWait}
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	errs := checkConfig(cfg)
	shardI, shardN := 0, 1
	if cfg.Shard != "" {
		var err error
		if shardI, shardN, err = config.ParseShard(cfg.Shard); err != nil {
			errs = append(errs, fmt.Errorf("crawler: shard: %w", err))
		}
	}
	g, err := newGuard(cfg.AllowPrivate, o.resolver, o.dial)
	if err != nil {
		errs = append(errs, fmt.Errorf("crawler: %w", err))
	}
	c := &Crawler{cfg: cfg, log: o.log, now: o.now, workers: cfg.Workers, ackWait: o.ackWait}
	for _, sc := range sources {
		if sc.Disabled || !inShard(sc.Name, shardI, shardN) {
			continue
		}
		s := &source{Source: sc}
		s.st.Source = sc.Name
		if sc.Kind == config.KindPortal && sc.LinkPattern != "" {
			if s.linkRE, err = regexp.Compile(sc.LinkPattern); err != nil {
				errs = append(errs, fmt.Errorf("crawler: source %s: link_pattern: %w", sc.Name, err))
			}
		}
		if s.zone, err = sc.Location(); err != nil {
			errs = append(errs, fmt.Errorf("crawler: source %s: time_zone: %w", sc.Name, err))
		}
		c.sources = append(c.sources, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.m = newMetrics(o.reg)
	for _, s := range c.sources {
		c.m.sourceUp.WithLabelValues(s.Name)
		// 0 until the first success, so that a source that never succeeds shows (and alerts).
		c.m.lastSuccess.WithLabelValues(s.Name)
		c.m.discovered.WithLabelValues(s.Name)
		c.m.dead.WithLabelValues(s.Name)
		c.m.failures.WithLabelValues(s.Name)
	}
	ua := cfg.UserAgent
	if cfg.ContactURL != "" {
		ua += " (+" + cfg.ContactURL + ")"
	}
	c.f = newFetcher(fetcherConfig{
		userAgent: ua, timeout: cfg.Timeout.D(), maxBody: cfg.MaxBodyBytes, maxRedirects: cfg.MaxRedirects,
		delay: cfg.HostDelay.D(), parallelism: cfg.HostParallelism, obeyRobots: !cfg.IgnoreRobots, guard: g,
	}, o.log, o.now, o.observe, c.m)
	ex := newExtractor(c.workers, extractTimeout)
	ex.onAbandon = c.m.extractTimeouts.Inc
	c.disc = &discoverer{f: c.f, m: c.m, log: o.log, now: o.now}
	c.dedup = &dedup{seen: o.seen, recent: newRecentSet(recentCapacity), log: o.log}
	c.sched = &scheduler{cfg: cfg, log: o.log, m: c.m, now: o.now}
	c.articles = &articleFetcher{f: c.f, ex: ex, d: c.dedup, m: c.m, log: o.log, now: o.now}
	c.states = &sourceStates{store: o.state, sources: c.sources, log: o.log, m: c.m}
	return c, nil
}

// checkConfig refuses a configuration with a parameter left at zero (or bounds the wrong
// way round), naming each: config.Default and config.Validate rule that out for users.
func checkConfig(cfg config.Crawler) []error {
	var bad []string
	for name, ok := range map[string]bool{"user_agent": cfg.UserAgent != "", "timeout": cfg.Timeout > 0,
		"max_body_bytes": cfg.MaxBodyBytes > 0, "host_parallelism": cfg.HostParallelism > 0, "workers": cfg.Workers > 0,
		"min_interval": cfg.MinInterval > 0, "max_interval": cfg.MaxInterval >= cfg.MinInterval} {
		if !ok {
			bad = append(bad, name)
		}
	}
	if bad == nil {
		return nil
	}
	slices.Sort(bad)
	return []error{fmt.Errorf("crawler: %s unset or too small: build the configuration with config.Load or config.Default", strings.Join(bad, ", "))}
}

func inShard(name string, i, n int) bool {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(n)) == i
}

// job is one article to fetch.
type job struct {
	src        *source
	item       item
	canonical  string
	discovered time.Time
	ack        ack.Func           // settles the job: nil stored, or why not (see errRetry)
	filter     func(Article) bool // backfill's date filter; nil keeps every article
}

// RunOnce polls every enabled source once, fetches the new articles and sends each to
// out; a send blocks until out takes it. A failing source or page is counted, logged
// once and skipped. Before returning, RunOnce waits (bounded) for the articles it sent
// to be acknowledged and saves the source states. It returns when all work is done, or
// ctx.Err() once ctx is cancelled; it never closes out.
func (c *Crawler) RunOnce(ctx context.Context, out chan<- Article) error {
	c.states.load(ctx)
	q := newHostQueues(c.f)
	for _, s := range c.sources {
		q.pushPoll(s, nil)
	}
	q.close()
	run, settled := runAck()
	c.work(ctx, q, out, run)
	run.Done(nil)
	c.states.waitAcks(ctx, settled, c.ackWait)
	c.saveFinal()
	return ctx.Err()
}

// work runs the crawler's workers over q until q has nothing more to do; run, if not
// nil, is told of each poll's acknowledgement.
func (c *Crawler) work(ctx context.Context, q *hostQueues, out chan<- Article, run *ack.Group) {
	var workers sync.WaitGroup
	for range c.workers {
		workers.Go(func() {
			for {
				t, r, ok := q.next(ctx)
				if !ok {
					return
				}
				tctx := withReservation(ctx, r)
				if t.poll != nil {
					res := c.poll(tctx, t.poll, q, run)
					if ctx.Err() == nil {
						c.sched.schedule(t.poll, res)
					}
					if t.done != nil {
						t.done <- res
					}
				} else {
					c.articles.handle(tctx, t.art, out)
				}
				q.done(r)
			}
		})
	}
	workers.Wait()
}

// SaveState saves the states changed since the last save. Run and RunOnce save on their
// own; callers that acknowledge articles after those return (the writer flushing on
// close) call SaveState afterwards so that the last acknowledged validators persist.
func (c *Crawler) SaveState(ctx context.Context) error { return c.states.save(ctx) }

// States returns a snapshot of every source's state, sorted by source name.
func (c *Crawler) States() []SourceState { return c.states.snapshot() }

// saveFinal saves the states on the way out, even after ctx was cancelled.
func (c *Crawler) saveFinal() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.states.saveLogged(ctx)
}

// Run polls every source on its own adaptive schedule until ctx is done, fetching new
// articles and sending them to out, and saves the source states every few seconds. It
// returns ctx.Err() after in-flight fetches end.
func (c *Crawler) Run(ctx context.Context, out chan<- Article) error {
	c.states.load(ctx)
	q := newHostQueues(c.f)
	var loops sync.WaitGroup // one per configured source: bounded by the configuration
	for _, s := range c.sources {
		loops.Go(func() { c.loop(ctx, s, q) })
	}
	loops.Go(func() {
		t := time.NewTicker(stateSaveEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.states.saveLogged(ctx)
			}
		}
	})
	c.work(ctx, q, out, nil)
	loops.Wait()
	c.saveFinal()
	return ctx.Err()
}

// loop queues a source's polls, each when the previous one is done and its wait is over.
func (c *Crawler) loop(ctx context.Context, s *source, q *hostQueues) {
	wait := c.sched.firstWait(s)
	done := make(chan pollResult, 1)
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		q.pushPoll(s, done)
		select {
		case <-ctx.Done():
			return
		case <-done:
		}
		if ctx.Err() != nil {
			return
		}
		wait = s.state().NextPoll.Sub(c.now())
	}
}

// poll discovers a source's items once and queues the new ones, each with its
// acknowledgement in the poll's group, which run is told of. It counts and logs a
// failure and returns what the scheduler needs.
func (c *Crawler) poll(ctx context.Context, s *source, q *hostQueues, run *ack.Group) pollResult {
	l, err := c.disc.discover(ctx, s, false)
	if ctx.Err() != nil {
		return pollResult{err: ctx.Err()}
	}
	if err != nil {
		class := errorClass(err)
		c.m.sourceErrors.WithLabelValues(s.Name, class).Inc()
		c.m.polls.WithLabelValues(s.Name, "error").Inc()
		c.m.sourceUp.WithLabelValues(s.Name).Set(0)
		c.log.Warn("poll failed", "source", s.Name, "kind", s.Kind, "error_class", class, "err", err)
		res := pollResult{err: err}
		if bo := (*BackOffError)(nil); errors.As(err, &bo) {
			res.retryAt = c.now().Add(bo.Wait)
		}
		return res
	}
	c.m.sourceUp.WithLabelValues(s.Name).Set(1)
	c.m.lastSuccess.WithLabelValues(s.Name).Set(float64(c.now().Unix()))
	res := pollResult{fresh: l.fresh}
	if l.notModified {
		c.m.polls.WithLabelValues(s.Name, "not_modified").Inc()
		return res
	}
	for _, it := range l.items {
		res.dates = append(res.dates, it.Published)
	}
	res.arrived = s.newInListing(l.items)

	discovered := c.now()
	items := l.items
	if age := c.cfg.MaxArticleAge.D(); age > 0 {
		kept := items[:0:0]
		for _, it := range items {
			if it.Published.IsZero() || discovered.Sub(it.Published) <= age {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if len(items) > maxItemsPerPoll {
		items = items[:maxItemsPerPoll]
	}
	acks := pollAck(run, s, l)
	fresh, err := c.dedup.filterNew(ctx, s, items, discovered)
	if err != nil {
		acks.Done(err) // the poll's own part: the old validators stay
		c.m.sourceErrors.WithLabelValues(s.Name, "seen").Inc()
		c.log.Warn("seen check failed, items skipped until the next poll at min_interval", "source", s.Name, "err", err)
		res.unchecked = true
		return res
	}
	defer acks.Done(nil)
	c.m.discovered.WithLabelValues(s.Name).Add(float64(len(fresh)))
	if len(fresh) > 0 {
		c.m.polls.WithLabelValues(s.Name, "new").Inc()
	} else {
		c.m.polls.WithLabelValues(s.Name, "nothing_new").Inc()
	}
	for i, j := range fresh {
		j.ack = articleAck(acks)
		if ctx.Err() != nil || !q.tryPush(j) {
			// Cancelled, or the queues are full: the rest wait for a later poll.
			for _, rest := range fresh[i:] {
				c.dedup.recent.release(rest.canonical)
			}
			j.ack(retry(errNotQueued))
			return res
		}
	}
	return res
}
