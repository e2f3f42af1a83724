// Package crawler finds article URLs in feeds, sitemaps and portal pages (and the feeds
// those pages advertise), fetches them politely and safely, and extracts each article's
// text, date and canonical URL.
//
// Every HTTP fetch goes through one colly collector with a limit rule per host (delay
// and parallelism shared by the host's feeds and articles), robots.txt with Crawl-delay,
// Retry-After back-off, a decompressed body cap and a dialer that refuses private,
// loopback and link-local addresses after DNS resolution.
//
// Each source's poll interval adapts to its publication rate and the server's
// freshness hints; failures back off exponentially and a source failing for dead_after
// is marked dead. Source states (validators, schedule, health) persist through a
// StateStore; a feed's validators (a portal's advertised feeds' too) advance only after
// every article of the poll was acknowledged through Article.Done. Dates written without
// a zone are read in the source's time_zone (default WIB for Indonesian sources).
// Backfill fetches a past date range.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

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

	// Done acknowledges the article: the receiver calls it exactly once, with nil after
	// the article is durably stored, or with the error that kept it from being stored.
	// Until every article of a poll is acknowledged the feed keeps its old validators, so
	// that a crash cannot hide unstored articles behind a 304. Nil is allowed and ignored.
	Done func(err error)
}

// Ack calls a.Done(err) if it is set.
func (a Article) Ack(err error) {
	if a.Done != nil {
		a.Done(err)
	}
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
// acknowledged (stored); the default is two minutes.
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
	// ackWait bounds how long RunOnce waits for the articles it handed on to be acknowledged.
	ackWait = 2 * time.Minute
)

// Crawler polls sources and fetches their new articles. It is safe to call RunOnce or
// Run from one goroutine at a time.
type Crawler struct {
	ackWait time.Duration // how long RunOnce waits for acknowledgements
	cfg     config.Crawler
	sources []*source
	log     *slog.Logger
	m       *metrics
	f       *fetcher
	seen    Seen
	now     func() time.Time
	workers int
	recent  *recentSet
	ex      *extractor

	store       StateStore
	stateMu     sync.Mutex
	stateLoaded bool
	acks        ackCounter // articles handed on, not yet acknowledged
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
}

// New builds a Crawler for the enabled sources in sources (and, with cfg.Shard "i/n",
// only those whose name hashes to shard i). cfg and sources are expected to have passed
// config.Validate, which holds the rules and defaults; New reports only what it cannot
// build from them (a shard, a link pattern or a time zone that does not parse, networks
// the guard cannot take).
func New(cfg config.Crawler, sources []config.Source, opts ...Option) (*Crawler, error) {
	o := options{now: time.Now, ackWait: ackWait}
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	var errs []error
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
	c := &Crawler{cfg: cfg, log: o.log, seen: o.seen, now: o.now, workers: cfg.Workers,
		recent: newRecentSet(recentCapacity), store: o.state, ackWait: o.ackWait}
	c.ex = newExtractor(c.workers, extractTimeout)
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
		switch loc, err := sc.Location(); {
		case err != nil:
			errs = append(errs, fmt.Errorf("crawler: source %s: time_zone: %w", sc.Name, err))
		case loc != nil:
			s.zone = loc
		case sc.Lang == "id" || hostIsID(sc.URL):
			s.zone = wib
		}
		c.sources = append(c.sources, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.m = newMetrics(o.reg)
	c.ex.onAbandon = c.m.extractTimeouts.Inc
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
	return c, nil
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
	ack        *pollAck
	filter     func(Article) bool // backfill's date filter; nil keeps every article
}

// RunOnce polls every enabled source once, fetches the new articles and sends each to
// out; a send blocks until out takes it. A failing source or page is counted, logged
// once and skipped. Before returning, RunOnce waits (bounded) for the articles it sent
// to be acknowledged and saves the source states. It returns when all work is done, or
// ctx.Err() once ctx is cancelled; it never closes out.
func (c *Crawler) RunOnce(ctx context.Context, out chan<- Article) error {
	c.loadState(ctx)
	jobs := make(chan job, c.workers)
	var workers errgroup.Group
	for range c.workers {
		workers.Go(func() error { c.work(ctx, jobs, out); return nil })
	}
	var polls errgroup.Group
	polls.SetLimit(c.workers)
	for _, s := range c.sources {
		polls.Go(func() error {
			r := c.poll(ctx, s, jobs)
			if ctx.Err() == nil {
				c.schedule(s, r)
			}
			return nil
		})
	}
	polls.Wait()
	close(jobs)
	workers.Wait()
	c.waitAcks(ctx, c.ackWait)
	c.saveFinal()
	return ctx.Err()
}

// saveFinal saves the states on the way out, even after ctx was cancelled.
func (c *Crawler) saveFinal() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.saveStateLogged(ctx)
}

// Run polls every source on its own adaptive schedule until ctx is done, fetching new
// articles and sending them to out, and saves the source states every few seconds. It
// returns ctx.Err() after in-flight fetches end.
func (c *Crawler) Run(ctx context.Context, out chan<- Article) error {
	c.loadState(ctx)
	jobs := make(chan job, c.workers)
	var workers errgroup.Group
	for range c.workers {
		workers.Go(func() error { c.work(ctx, jobs, out); return nil })
	}
	var loops errgroup.Group // one per configured source: bounded by the configuration
	for _, s := range c.sources {
		loops.Go(func() error {
			c.loop(ctx, s, jobs)
			return nil
		})
	}
	loops.Go(func() error {
		t := time.NewTicker(stateSaveEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				c.saveStateLogged(ctx)
			}
		}
	})
	loops.Wait()
	close(jobs)
	workers.Wait()
	c.saveFinal()
	return ctx.Err()
}

func (c *Crawler) loop(ctx context.Context, s *source, jobs chan<- job) {
	wait := c.firstWait(s)
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r := c.poll(ctx, s, jobs)
		if ctx.Err() != nil {
			return
		}
		wait = c.schedule(s, r)
	}
}

// listing is what one discovery found.
type listing struct {
	items       []item
	notModified bool
	etag, lm    string      // the response's validators (feeds)
	feeds       []FeedState // the feeds a portal's pages advertise, with their validators
	fresh       time.Duration
}

// poll discovers a source's items once and queues the new ones. It counts and logs a
// failure and returns what the scheduler needs.
func (c *Crawler) poll(ctx context.Context, s *source, jobs chan<- job) pollResult {
	l, err := c.discover(ctx, s, false)
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
	ack := newPollAck(c, s)
	switch s.Kind {
	case configKindFeed:
		ack.validated, ack.etag, ack.lm = true, l.etag, l.lm
	case config.KindPortal:
		ack.validated, ack.portal, ack.feeds = true, true, l.feeds
	}
	defer ack.done(true)
	fresh, err := c.filterNew(ctx, s, items, discovered)
	if err != nil {
		ack.fail()
		c.m.sourceErrors.WithLabelValues(s.Name, "seen").Inc()
		c.log.Warn("seen check failed, items skipped until the next poll at min_interval", "source", s.Name, "err", err)
		res.unchecked = true
		return res
	}
	c.m.discovered.WithLabelValues(s.Name).Add(float64(len(fresh)))
	if len(fresh) > 0 {
		c.m.polls.WithLabelValues(s.Name, "new").Inc()
	} else {
		c.m.polls.WithLabelValues(s.Name, "nothing_new").Inc()
	}
	for i, j := range fresh {
		j.ack = ack
		ack.hold()
		select {
		case jobs <- j:
		case <-ctx.Done():
			ack.finish(outRetry)
			for _, rest := range fresh[i:] {
				c.recent.release(rest.canonical)
			}
			res.found = i
			return res
		}
	}
	res.found = len(fresh)
	return res
}

// filterNew canonicalizes items, drops those handled recently or already stored, and
// claims the rest so that no other source queues them in the meantime.
func (c *Crawler) filterNew(ctx context.Context, s *source, items []item, discovered time.Time) ([]job, error) {
	var cands []job
	inBatch := make(map[string]bool, len(items))
	for _, it := range items {
		canon, err := Canonicalize(it.URL)
		if err != nil || inBatch[canon] || c.recent.has(canon) {
			continue
		}
		inBatch[canon] = true
		cands = append(cands, job{src: s, item: it, canonical: canon, discovered: discovered})
	}
	var out []job
	for start := 0; start < len(cands); start += seenBatch {
		batch := cands[start:min(start+seenBatch, len(cands))]
		stored := map[string]bool{}
		if c.seen != nil {
			urls := make([]string, len(batch))
			for i, j := range batch {
				urls[i] = j.canonical
			}
			var err error
			if stored, err = c.seen.Seen(ctx, urls); err != nil {
				for _, j := range out {
					c.recent.release(j.canonical)
				}
				return nil, fmt.Errorf("seen: %w", err)
			}
		}
		for _, j := range batch {
			if stored[j.canonical] {
				c.recent.claim(j.canonical)
				continue
			}
			if c.recent.claim(j.canonical) {
				out = append(out, j)
			}
		}
	}
	return out, nil
}

// configKindFeed and friends shorten the source kind checks.
const (
	configKindFeed    = config.KindFeed
	configKindSitemap = config.KindSitemap
)

// discover lists a source's items, newest first where the listing tells. Backfill
// (full true) asks for the whole listing: no conditional GET, every child sitemap.
func (c *Crawler) discover(ctx context.Context, s *source, full bool) (listing, error) {
	switch s.Kind {
	case config.KindFeed:
		return c.discoverFeed(ctx, s, full)
	case config.KindSitemap:
		return c.discoverSitemap(ctx, s, full, time.Time{})
	default:
		return c.discoverPortal(ctx, s, full)
	}
}

func (c *Crawler) discoverFeed(ctx context.Context, s *source, full bool) (listing, error) {
	var v FeedState
	if !full {
		st := s.state()
		v.ETag, v.LastModified = st.ETag, st.LastModified
	}
	return c.fetchFeed(ctx, s, s.URL, v)
}

// fetchFeed GETs one feed of s, conditionally when v holds validators, and parses it.
func (c *Crawler) fetchFeed(ctx context.Context, s *source, feedURL string, v FeedState) (listing, error) {
	hdr := http.Header{"Accept": {"application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, */*;q=0.5"}}
	if v.ETag != "" {
		hdr.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		hdr.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := c.f.fetch(ctx, s.Name, FetchFeed, feedURL, fetchOpts{header: hdr})
	if err != nil {
		return listing{}, err
	}
	l := listing{fresh: freshness(resp.Header, resp.Body, c.now())}
	if resp.Status == http.StatusNotModified {
		l.notModified = true
		return l, nil
	}
	if l.items, err = parseFeed(resp.Body, resp.URL, s.zone); err != nil {
		return listing{}, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	l.etag, l.lm = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	newestFirst(l.items)
	return l, nil
}

// maxBackfillChildren bounds the child sitemaps one backfill reads from an index.
const maxBackfillChildren = 1000

func (c *Crawler) discoverSitemap(ctx context.Context, s *source, full bool, from time.Time) (listing, error) {
	resp, err := c.f.fetch(ctx, s.Name, FetchSitemap, s.URL, fetchOpts{})
	if err != nil {
		return listing{}, err
	}
	sm, err := parseSitemap(resp.Body, resp.URL, s.zone)
	if err != nil {
		return listing{}, fmt.Errorf("sitemap %s: %w", s.URL, err)
	}
	l := listing{items: sm.Items, fresh: freshness(resp.Header, nil, c.now())}
	limit := maxChildSitemaps
	if full {
		limit = maxBackfillChildren
	}
	read := 0
	for _, child := range sm.Children {
		if read >= limit || ctx.Err() != nil {
			break
		}
		if full && !from.IsZero() && !child.Published.IsZero() && child.Published.Before(from) {
			continue // changed last before the range began: holds nothing published in it
		}
		read++
		resp, err := c.f.fetch(ctx, s.Name, FetchSitemap, child.URL, fetchOpts{})
		if err == nil {
			var csm sitemap
			if csm, err = parseSitemap(resp.Body, resp.URL, s.zone); err == nil {
				l.items = append(l.items, csm.Items...)
				continue
			}
		}
		c.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
		c.log.Warn("child sitemap failed", "source", s.Name, "url", child.URL, "err", err)
	}
	newestFirst(l.items)
	return l, nil
}

// discoverPortal lists the article links of a portal's pages and the items of the feeds
// those pages advertise (<link rel="alternate"> RSS, Atom or JSON Feed; at most
// maxPortalFeeds, on the page's registrable domain only). Feed items come first, so that
// an article both linked and listed keeps the feed's date, title and author. Both kinds
// of link must match the source's link_pattern (without one: be on the page's site). A
// failing feed is counted and logged and keeps its validators; the poll fails only when
// every page does.
func (c *Crawler) discoverPortal(ctx context.Context, s *source, full bool) (listing, error) {
	pages := append([]string{s.URL}, s.URLs...)
	var pageItems []item
	var feeds []string
	seen := map[string]bool{}
	failed := 0
	var lastErr error
	for _, p := range pages {
		if p == "" {
			continue
		}
		resp, err := c.f.fetch(ctx, s.Name, FetchPage, p, fetchOpts{links: true})
		if err != nil {
			failed++
			lastErr = err
			if len(pages) > 1 {
				c.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
				c.log.Warn("portal page failed", "source", s.Name, "url", p, "err", err)
			}
			continue
		}
		pu, _ := url.Parse(resp.URL)
		cu, _ := url.Parse(p)
		for _, f := range resp.FeedLinks {
			if seen[f] {
				continue
			}
			seen[f] = true
			fu, err := url.Parse(f)
			switch {
			case err != nil || (fu.Scheme != "http" && fu.Scheme != "https") || cu == nil || !sameSite(fu.Hostname(), cu.Hostname()):
				c.log.Debug("feed advertised off the portal's site ignored", "source", s.Name, "page", p, "feed", f)
			case len(feeds) >= maxPortalFeeds:
				c.log.Debug("feed advertised beyond the portal's limit ignored", "source", s.Name, "page", p, "feed", f, "limit", maxPortalFeeds)
			default:
				feeds = append(feeds, f)
			}
		}
		for _, link := range resp.Links {
			if seen[link] {
				continue
			}
			seen[link] = true
			if s.portalLink(link, pu) {
				pageItems = append(pageItems, item{URL: link})
			}
		}
	}
	if failed > 0 && failed == len(pages) {
		return listing{}, lastErr
	}
	var l listing
	l.items, l.feeds = c.portalFeeds(ctx, s, feeds, full)
	listed := make(map[string]bool, len(l.items))
	for _, it := range l.items {
		listed[it.URL] = true
	}
	for _, it := range pageItems {
		if !listed[it.URL] {
			l.items = append(l.items, it)
		}
	}
	return l, nil
}

// portalFeeds reads the feeds a portal advertises, conditionally with the validators of
// the last acknowledged poll unless full, and returns their items (newest first) that
// the portal takes, and each feed's validators for the next poll.
func (c *Crawler) portalFeeds(ctx context.Context, s *source, feeds []string, full bool) ([]item, []FeedState) {
	if len(feeds) == 0 {
		return nil, nil
	}
	prev := map[string]FeedState{}
	if !full {
		for _, f := range s.state().Feeds {
			prev[f.URL] = f
		}
	}
	var items []item
	states := make([]FeedState, 0, len(feeds))
	for _, f := range feeds {
		if ctx.Err() != nil {
			break
		}
		v := prev[f]
		v.URL = f
		fl, err := c.fetchFeed(ctx, s, f, v)
		if err != nil {
			if ctx.Err() == nil {
				c.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
				c.log.Warn("portal feed failed", "source", s.Name, "feed", f, "err", err)
			}
			states = append(states, v) // try again from the same validators
			continue
		}
		if !fl.notModified {
			v.ETag, v.LastModified = fl.etag, fl.lm
			fu, _ := url.Parse(f)
			for _, it := range fl.items {
				if s.portalLink(it.URL, fu) {
					items = append(items, it)
				}
			}
		}
		states = append(states, v)
	}
	newestFirst(items)
	return items, states
}

// portalLink reports whether a portal takes link, found on the page or feed at from, as
// an article: it matches the source's link_pattern or, without one, is on from's site.
func (s *source) portalLink(link string, from *url.URL) bool {
	if s.linkRE != nil {
		return s.linkRE.MatchString(link)
	}
	lu, err := url.Parse(link)
	return err == nil && from != nil && sameSite(lu.Hostname(), from.Hostname())
}

// work fetches queued articles and sends them to out until jobs is closed.
func (c *Crawler) work(ctx context.Context, jobs <-chan job, out chan<- Article) {
	for j := range jobs {
		if ctx.Err() != nil {
			c.recent.release(j.canonical)
			j.ack.finish(outRetry)
			continue
		}
		a, err := c.fetchArticle(ctx, j)
		if err == nil && j.filter != nil && !j.filter(a) {
			err = errOutOfRange
		}
		if err != nil {
			switch {
			case errors.Is(err, errDuplicate), errors.Is(err, errOutOfRange):
				j.ack.finish(outSkipped)
				continue
			case transient(err) || ctx.Err() != nil:
				c.recent.release(j.canonical) // try again on a later poll
				j.ack.finish(outRetry)
			default:
				j.ack.finish(outFailed)
			}
			if ctx.Err() == nil {
				class := errorClass(err)
				c.m.sourceErrors.WithLabelValues(j.src.Name, class).Inc()
				// A robots.txt refusal is the site's policy, not a fault: counted, logged quietly.
				level := slog.LevelWarn
				if errors.Is(err, ErrRobotsDisallowed) {
					level = slog.LevelInfo
				}
				c.log.Log(ctx, level, "article skipped", "source", j.src.Name, "url", j.item.URL, "error_class", class, "err", err)
			}
			continue
		}
		ack, canon := j.ack, a.CanonicalURL
		var once sync.Once
		a.Done = func(err error) {
			once.Do(func() {
				if err != nil {
					c.recent.release(canon)
					c.recent.release(j.canonical)
					ack.finish(outRetry)
					return
				}
				ack.finish(outStored)
			})
		}
		select {
		case out <- a:
			c.m.articles.WithLabelValues(j.src.Name).Inc()
		case <-ctx.Done():
			a.Done(ctx.Err())
		}
	}
}

var (
	errDuplicate  = errors.New("duplicate of an article already handled")
	errOutOfRange = errors.New("published outside the backfill range")
)

func (c *Crawler) fetchArticle(ctx context.Context, j job) (Article, error) {
	resp, err := c.f.fetch(ctx, j.src.Name, FetchArticle, j.item.URL, fetchOpts{})
	if err != nil {
		return Article{}, err
	}
	fetched := c.now()
	if ct := strings.ToLower(resp.ContentType); ct != "" && !strings.Contains(ct, "html") {
		return Article{}, fmt.Errorf("article %s: %w", j.item.URL, &parseError{fmt.Errorf("content type %q is not HTML", resp.ContentType)})
	}
	ex, err := c.ex.extract(ctx, resp.Body, resp.URL, extractHints{
		contentType: resp.ContentType, lang: j.src.Lang, feedPublished: j.item.Published, zone: j.src.zone,
	})
	if err != nil {
		return Article{}, fmt.Errorf("extract %s: %w", resp.URL, err)
	}
	canon := ex.URL
	if canon == "" {
		canon = j.canonical
	}
	if canon != j.canonical {
		// The page names another canonical URL: it may have been handled under that name.
		if !c.recent.claim(canon) {
			return Article{}, errDuplicate
		}
		if c.seen != nil {
			if stored, err := c.seen.Seen(ctx, []string{canon}); err == nil && stored[canon] {
				return Article{}, errDuplicate
			}
		}
	}
	a := Article{
		URL: j.item.URL, CanonicalURL: canon, Source: j.src.Name, SourceKind: j.src.Kind, Region: j.src.Region,
		Title: ex.Title, Text: ex.Text, Author: ex.Author, Lang: ex.Lang, Published: ex.Published,
		Discovered: j.discovered.UTC(), Fetched: fetched.UTC(), SimHash: SimHash(ex.Text),
	}
	if a.Title == "" {
		a.Title = j.item.Title
	}
	if a.Author == "" {
		a.Author = j.item.Author
	}
	a.Published = c.plausibleDate(a.Published, j.item.Published, fetched, j.src.Name, j.item.URL)
	return a, nil
}

// earliestPlausible is the oldest publication date taken at face value; older ones are
// parsing accidents (a zero year, a copyright line) and fall back to the listing's date.
var earliestPlausible = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// plausibleDate corrects a page's publication date: one in the future (beyond an hour of
// clock skew) or before 1995 is replaced by the listing's date when that one is
// plausible, else by the fetch time (future) or dropped (too old). Each correction is logged.
func (c *Crawler) plausibleDate(pub, listed, fetched time.Time, source, u string) time.Time {
	ok := func(t time.Time) bool {
		return !t.IsZero() && !t.After(fetched.Add(futureTolerance)) && !t.Before(earliestPlausible)
	}
	if pub.IsZero() || ok(pub) {
		return pub
	}
	fixed := time.Time{}
	switch {
	case ok(listed):
		fixed = listed.UTC()
	case pub.After(fetched):
		fixed = fetched.UTC()
	}
	c.m.dateCorrections.WithLabelValues(source).Inc()
	c.log.Warn("implausible publication date corrected", "source", source, "url", u, "published", pub, "corrected_to", fixed)
	return fixed
}

// recentSet remembers the canonical URLs handled lately, first in first out, so that
// the same article reached from two sources or two polls is fetched once.
type recentSet struct {
	cap   int
	mu    sync.Mutex
	set   map[string]struct{}
	order []string
	next  int
}

func newRecentSet(capacity int) *recentSet {
	return &recentSet{cap: capacity, set: make(map[string]struct{}), order: make([]string, 0, min(capacity, 1024))}
}

func (r *recentSet) has(u string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.set[u]
	return ok
}

// claim adds u and reports whether it was absent.
func (r *recentSet) claim(u string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[u]; ok {
		return false
	}
	r.set[u] = struct{}{}
	if len(r.order) < r.cap {
		r.order = append(r.order, u)
		return true
	}
	delete(r.set, r.order[r.next])
	r.order[r.next] = u
	r.next = (r.next + 1) % len(r.order)
	return true
}

// release forgets u so that a later poll may queue it again.
func (r *recentSet) release(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.set, u)
}
