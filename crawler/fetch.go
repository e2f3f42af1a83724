package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
)

// Fetch records one HTTP fetch, for the source-health tables and dashboards.
type Fetch struct {
	Time       time.Time
	Source     string
	Host       string
	Kind       string // FetchFeed, FetchArticle, FetchSitemap, FetchRobots or FetchPage
	Status     int    // 0 when no response arrived
	Bytes      int64
	Duration   time.Duration
	ErrorClass string // "" on success; timeout, dns, refused, too_large, blocked_private, robots, http_4xx, http_5xx, parse, redirects, ...
}

// Fetch kinds: what a Fetch fetched.
const (
	FetchFeed    = "feed"
	FetchArticle = "article"
	FetchSitemap = "sitemap"
	FetchRobots  = "robots"
	FetchPage    = "page"
)

const (
	robotsTTL = 24 * time.Hour
	// hostIdle is how long an unused host's state (robots.txt, limit rule) is kept.
	hostIdle = robotsTTL
	// hostSweepEvery is how often idle hosts are looked for.
	hostSweepEvery = 10 * time.Minute
	maxCrawlDelay  = 60 * time.Second
	maxRetryAfter  = time.Hour
	// firstBackOff is how long a host that answers 429 or 503 without Retry-After is
	// left alone; it doubles with each such answer in a row, up to maxRetryAfter.
	firstBackOff   = 10 * time.Second
	maxRobotsBytes = 512 << 10
)

// response is a fetched body with what the caller needs to interpret it.
type response struct {
	URL         string // final URL after redirects
	Status      int
	Header      http.Header
	ContentType string // as sent, charset included
	Body        []byte
	Links       []string // absolute a[href] targets, when asked for
	FeedLinks   []string // <link rel=alternate> feeds, when asked for
}

// hostState is what the fetcher knows about one host: its robots.txt, its politeness
// gate (when the next request may start, requests in flight, the delay in force) and how
// long it asked us to stay away.
type hostState struct {
	mu        sync.Mutex
	robots    *robotstxt.Group // nil allows everything
	robotsExp time.Time        // when robots must be fetched again
	delay     time.Duration    // host_delay, or the host's longer Crawl-delay
	nextAt    time.Time        // no request starts before (real time)
	notBefore time.Time
	backOffs  uint // 429 and 503 answers without Retry-After since the last success
	lastUsed  time.Time
	inflight  int // requests started or reserved, not yet finished
}

// fetcher performs every HTTP fetch of a Crawler through colly, and keeps each host's
// politeness: a request to a host starts at least the host's delay after the previous
// one started and after it ended, with at most host_parallelism in flight. Feeds,
// sitemaps, pages and articles of a host share that gate; robots.txt (fetched once a day
// per host, before the host's first request) is outside it. The scheduler takes a host's
// slot with reserve before handing a worker its task, so that the worker never waits
// for politeness at its task's first request; further requests of the same task to the
// same host (a portal's second page) wait in the gate.
type fetcher struct {
	coll    *colly.Collector // cloned for each request
	client  *http.Client
	ua      string
	delay   time.Duration
	par     int
	robots  bool
	log     *slog.Logger
	now     func() time.Time
	observe func(Fetch)
	m       *metrics

	mu        sync.Mutex
	hosts     map[string]*hostState
	lastSweep time.Time
}

type fetcherConfig struct {
	userAgent    string
	timeout      time.Duration
	maxBody      int64
	maxRedirects int
	delay        time.Duration
	parallelism  int
	obeyRobots   bool
	guard        *guard
}

func newFetcher(fc fetcherConfig, log *slog.Logger, now func() time.Time, observe func(Fetch), m *metrics) *fetcher {
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the SSRF guard
		DialContext:           fc.guard.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024, // keep-alive to many hosts: a poll cycle visits them all
		MaxIdleConnsPerHost:   max(fc.parallelism, 2),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: fc.timeout,
		DisableCompression:    true, // cappingTransport decompresses under its cap
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Transport: &cappingTransport{base: tr, max: fc.maxBody},
		Timeout:   fc.timeout,
		Jar:       jar,
	}
	maxRedirects := fc.maxRedirects
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("after %d redirects: %w", len(via)-1, ErrTooManyRedirects)
		}
		return nil
	}
	coll := colly.NewCollector(
		colly.UserAgent(fc.userAgent),
		colly.AllowURLRevisit(),
		colly.MaxBodySize(0),    // the transport caps, and fails instead of truncating
		colly.IgnoreRobotsTxt(), // robots.txt is handled here, with Crawl-delay and expiry
	)
	// A client of its own (sharing transport and cookies): colly installs its redirect
	// hook on the client it is given.
	coll.SetClient(&http.Client{Transport: client.Transport, Timeout: client.Timeout, Jar: client.Jar})
	coll.SetRedirectHandler(client.CheckRedirect)
	return &fetcher{
		coll: coll, client: client, ua: fc.userAgent, delay: fc.delay, par: fc.parallelism,
		robots: fc.obeyRobots, log: log, now: now, observe: observe, m: m,
		hosts: make(map[string]*hostState),
	}
}

// hostKey is the host as colly matches it against limit rules: lower case, default port dropped.
func hostKey(u *url.URL) string {
	h := strings.ToLower(u.Host)
	if (u.Scheme == "http" && strings.HasSuffix(h, ":80")) || (u.Scheme == "https" && strings.HasSuffix(h, ":443")) {
		h = h[:strings.LastIndexByte(h, ':')]
	}
	return h
}

func (f *fetcher) host(key string) *hostState {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if now.Sub(f.lastSweep) >= hostSweepEvery {
		f.lastSweep = now
		f.sweepLocked(now)
	}
	hs := f.hosts[key]
	if hs == nil {
		hs = &hostState{lastUsed: now, delay: f.delay}
		f.hosts[key] = hs
	}
	return hs
}

// sweepLocked forgets hosts unused for hostIdle that are neither busy nor backing off,
// so that a long run over many hosts does not keep every host's state forever.
func (f *fetcher) sweepLocked(now time.Time) {
	for key, hs := range f.hosts {
		if !hs.mu.TryLock() {
			continue // in use right now
		}
		if hs.inflight == 0 && now.Sub(hs.lastUsed) >= hostIdle && !now.Before(hs.notBefore) {
			delete(f.hosts, key)
		}
		hs.mu.Unlock()
	}
}

// hostCount returns the number of hosts with state.
func (f *fetcher) hostCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hosts)
}

// release marks the end of one request to a host: the next may start a delay later.
func (f *fetcher) release(hs *hostState) {
	hs.mu.Lock()
	hs.inflight--
	hs.lastUsed = f.now()
	hs.nextAt = later(hs.nextAt, time.Now().Add(hs.delay))
	hs.mu.Unlock()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// reservation is a host's request slot taken by the scheduler for one task; the task's
// first request to that host uses it instead of waiting in the gate.
type reservation struct {
	hs         *hostState
	used       bool      // under hs.mu
	prev, mine time.Time // nextAt before and after the reservation
}

type reservationKey struct{}

// withReservation returns ctx carrying r for the fetches of one task.
func withReservation(ctx context.Context, r *reservation) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, reservationKey{}, r)
}

// readyAt returns when the host may take its next request; false when it has
// host_parallelism requests in flight.
func (f *fetcher) readyAt(hs *hostState) (time.Time, bool) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.nextAt, hs.inflight < f.par
}

// reserve takes the host's request slot if it may take a request now; nil otherwise.
func (f *fetcher) reserve(key string) *reservation {
	hs := f.host(key)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	now := time.Now()
	if hs.inflight >= f.par || now.Before(hs.nextAt) {
		return nil
	}
	r := &reservation{hs: hs, prev: hs.nextAt, mine: now.Add(hs.delay)}
	hs.inflight++
	hs.nextAt = r.mine
	return r
}

// unreserve gives back a reservation no request used (the task failed before, or its
// first request went to another host).
func (f *fetcher) unreserve(r *reservation) {
	if r == nil {
		return
	}
	r.hs.mu.Lock()
	defer r.hs.mu.Unlock()
	if r.used {
		return
	}
	r.used = true
	r.hs.inflight--
	if r.hs.nextAt.Equal(r.mine) {
		r.hs.nextAt = r.prev
	}
}

// gateWait is how often a request waiting for a host at its parallelism looks again.
const gateWait = 10 * time.Millisecond

// admitLocked lets one request to hs start, with hs.mu held: on the task's reservation
// for this host when it has an unused one, else once the host's delay is over and it has
// a free slot. It waits (releasing hs.mu) and returns ctx's error if ctx ends first.
func (f *fetcher) admitLocked(ctx context.Context, hs *hostState) error {
	if r, _ := ctx.Value(reservationKey{}).(*reservation); r != nil && r.hs == hs && !r.used {
		r.used = true
		hs.nextAt = later(hs.nextAt, time.Now().Add(hs.delay)) // the request starts now
		return nil
	}
	for {
		now := time.Now()
		if hs.inflight < f.par && !now.Before(hs.nextAt) {
			hs.inflight++
			hs.nextAt = now.Add(hs.delay)
			return nil
		}
		wait := gateWait
		if hs.inflight < f.par {
			wait = hs.nextAt.Sub(now)
		}
		hs.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		hs.mu.Lock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// prepare makes sure a host's robots.txt is fresh and its delay follows its Crawl-delay,
// checks that u may be fetched, then admits the request through the host's gate. The
// host's mutex serialises the first contact. On success the host counts one request in
// flight, which the caller releases.
func (f *fetcher) prepare(ctx context.Context, source string, u *url.URL) (*hostState, error) {
	key := hostKey(u)
	hs := f.host(key)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	now := f.now()
	hs.lastUsed = now
	if now.Before(hs.notBefore) {
		return nil, &BackOffError{Host: key, Wait: hs.notBefore.Sub(now)}
	}
	if f.robots && !now.Before(hs.robotsExp) {
		g, ttl, err := f.fetchRobots(ctx, source, u)
		if err != nil {
			// The host is unreachable: the page fetch would fail the same way.
			return nil, fmt.Errorf("robots.txt of %s: %w", key, err)
		}
		hs.robots, hs.robotsExp = g, now.Add(ttl)
	}
	hs.delay = f.delay
	if hs.robots != nil && hs.robots.CrawlDelay > hs.delay {
		hs.delay = min(hs.robots.CrawlDelay, maxCrawlDelay)
	}
	if f.robots && hs.robots != nil && u.Path != "/robots.txt" {
		p := u.EscapedPath()
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		if !hs.robots.Test(p) {
			return nil, fmt.Errorf("%s: %w", u, ErrRobotsDisallowed)
		}
	}
	if err := f.admitLocked(ctx, hs); err != nil {
		return nil, err
	}
	return hs, nil
}

// fetchRobots fetches and parses robots.txt for u's host and says how long to keep it.
// Following RFC 9309, a 4xx allows everything and a 5xx disallows everything (kept for
// an hour only). A host that cannot be reached returns the error and nothing is kept.
func (f *fetcher) fetchRobots(ctx context.Context, source string, u *url.URL) (*robotstxt.Group, time.Duration, error) {
	robotsURL := u.Scheme + "://" + u.Host + "/robots.txt"
	tr := &fetchTrace{}
	// A robots.txt larger than the body cap is read up to maxRobotsBytes, not refused: refusing
	// it would make the whole host uncrawlable.
	rctx := context.WithValue(context.WithValue(ctx, traceKey{}, tr), truncateKey{}, int64(maxRobotsBytes))
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, robotsURL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", f.ua)
	rec := Fetch{Time: f.now(), Source: source, Host: hostKey(u), Kind: FetchRobots}
	defer func() {
		rec.Duration = tr.duration(time.Now())
		rec.Bytes = tr.bytes
		f.record(rec)
	}()
	resp, err := f.client.Do(req)
	if err != nil {
		rec.ErrorClass = errorClass(err)
		return nil, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	rec.Status = resp.StatusCode
	switch {
	case resp.StatusCode >= 500:
		rec.ErrorClass = "http_5xx"
		f.log.Warn("robots.txt answers 5xx, host disallowed for an hour", "source", source, "host", rec.Host, "status", resp.StatusCode)
		return disallowAll, time.Hour, nil
	case resp.StatusCode >= 400:
		return nil, robotsTTL, nil
	case err != nil:
		rec.ErrorClass = errorClass(err)
		return nil, 0, err
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		// An unparsable file says nothing: allow, as crawlers commonly do.
		return nil, robotsTTL, nil
	}
	return data.FindGroup(f.ua), robotsTTL, nil
}

var disallowAll = func() *robotstxt.Group {
	d, _ := robotstxt.FromString("User-agent: *\nDisallow: /\n")
	return d.FindGroup("*")
}()

// fetchOpts says what to collect from a response besides its body.
type fetchOpts struct {
	header http.Header // extra request headers, e.g. conditional GET validators
	links  bool        // collect a[href] and feed <link rel=alternate> targets
}

// fetch GETs rawURL through colly, honouring robots.txt, the host's limit rule and
// back-off. A response with a status other than 2xx or 304 is returned together with an
// *httpStatusError. Every attempt is recorded in metrics and passed to the observer.
func (f *fetcher) fetch(ctx context.Context, source, kind, rawURL string, o fetchOpts) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fetch %q: %w", rawURL, &parseError{errors.New("not an absolute http(s) URL")})
	}
	rec := Fetch{Time: f.now(), Source: source, Host: hostKey(u), Kind: kind}
	hs, err := f.prepare(ctx, source, u)
	if err != nil {
		if !errors.Is(err, ErrRobotsDisallowed) && !errors.Is(err, ErrBackOff) {
			rec.Kind = kind // the robots.txt fetch failed: report the page as failing the same way
		}
		{
			rec.ErrorClass = errorClass(err)
			f.record(rec)
		}
		return nil, err
	}

	defer f.release(hs)
	tr := &fetchTrace{}
	c := f.coll.Clone()
	c.Context = context.WithValue(ctx, traceKey{}, tr)
	resp := &response{}
	var got *colly.Response
	c.OnResponseHeaders(func(r *colly.Response) {
		// Keep the declared charset for our own decoding and hide it from colly, which
		// would otherwise convert the body before we can sniff <meta charset>.
		ct := r.Headers.Get("Content-Type")
		resp.ContentType = ct
		if mt, params, err := mime.ParseMediaType(ct); err == nil && params["charset"] != "" {
			r.Headers.Set("Content-Type", mt)
		}
	})
	c.OnResponse(func(r *colly.Response) { got = r })
	c.OnError(func(r *colly.Response, err error) {
		if r != nil && r.StatusCode != 0 {
			got = r
		}
	})
	if o.links {
		c.OnHTML("a[href]", func(e *colly.HTMLElement) {
			if abs := e.Request.AbsoluteURL(e.Attr("href")); abs != "" {
				resp.Links = append(resp.Links, abs)
			}
		})
		c.OnHTML(`link[rel="alternate"]`, func(e *colly.HTMLElement) {
			t := strings.ToLower(e.Attr("type"))
			if strings.Contains(t, "rss") || strings.Contains(t, "atom") || strings.Contains(t, "feed+json") {
				if abs := e.Request.AbsoluteURL(e.Attr("href")); abs != "" {
					resp.FeedLinks = append(resp.FeedLinks, abs)
				}
			}
		})
	}
	hdr := http.Header{}
	for k, v := range o.header {
		hdr[k] = v
	}
	hdr.Set("User-Agent", f.ua)
	if hdr.Get("Accept") == "" {
		hdr.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	err = c.Request(http.MethodGet, u.String(), nil, nil, hdr)
	rec.Duration = tr.duration(time.Now())
	if got != nil {
		resp.URL = got.Request.URL.String()
		resp.Status = got.StatusCode
		resp.Body = got.Body
		if got.Headers != nil {
			resp.Header = *got.Headers
		}
		rec.Status = got.StatusCode
		rec.Bytes = int64(len(got.Body))
	}
	switch {
	case got != nil && (got.StatusCode == http.StatusNotModified || (got.StatusCode >= 200 && got.StatusCode < 300)):
		err = nil
		hs.mu.Lock()
		hs.backOffs = 0
		hs.mu.Unlock()
	case got != nil:
		err = &httpStatusError{status: got.StatusCode}
		if got.StatusCode == http.StatusTooManyRequests || got.StatusCode == http.StatusServiceUnavailable {
			err = &BackOffError{Host: hostKey(u), Wait: f.backOff(u, source, resp.Header), Err: err}
		}
	case err == nil:
		err = errors.New("no response")
	}
	if err != nil {
		rec.ErrorClass = errorClass(err)
		err = fmt.Errorf("fetch %s: %w", u, err)
	}
	f.record(rec)
	if got == nil {
		return nil, err
	}
	return resp, err
}

// backOff keeps a host idle for its Retry-After, at most an hour, and returns that wait.
// Without a Retry-After the wait is firstBackOff, doubled for each such answer in a row
// (a success starts again from firstBackOff).
func (f *fetcher) backOff(u *url.URL, source string, h http.Header) time.Duration {
	hs := f.host(hostKey(u))
	hs.mu.Lock()
	defer hs.mu.Unlock()
	wait := time.Duration(-1)
	if ra := h.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			wait = t.Sub(f.now())
		}
	}
	if wait < 0 {
		wait = maxRetryAfter
		if hs.backOffs < 16 {
			wait = min(firstBackOff<<hs.backOffs, maxRetryAfter)
		}
		hs.backOffs++
	}
	wait = min(max(wait, time.Second), maxRetryAfter)
	hs.notBefore = f.now().Add(wait)
	f.log.Info("host asked to back off", "source", source, "host", hostKey(u), "wait", wait)
	return wait
}

func (f *fetcher) record(rec Fetch) {
	f.m.fetches.WithLabelValues(rec.Source, rec.Kind, StatusClass(rec.Status)).Inc()
	if rec.Status != 0 || rec.Duration > 0 {
		f.m.fetchSeconds.WithLabelValues(rec.Kind).Observe(rec.Duration.Seconds())
	}
	f.m.fetchBytes.WithLabelValues(rec.Source).Add(float64(rec.Bytes))
	if f.observe != nil {
		f.observe(rec)
	}
}
