// Package newsim is a simulated news web on loopback, for the crawler's benchmarks and
// cmd/pantau-bench: hosts serving RSS feeds, section pages and Indonesian article pages
// made of the labelled corpus's passages (so each article's programme mentions and
// their stance are known), articles published on a schedule drawn up front (a Poisson
// process per feed, optionally following a daily rhythm), syndicated copies of stories
// across hosts, and faults at set rates (slow answers, 503, 429 with Retry-After, bodies
// cut short). It records each article's publication time and each source's polls, so
// that a benchmark measures latency from publication.
package newsim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pantau-id/pantau/config"
)

// Faults are the shares of requests (robots.txt excepted) answered badly.
type Faults struct {
	Slow       float64       // answered after SlowDelay
	SlowDelay  time.Duration // default 2 s
	Server     float64       // answered 503
	TooMany    float64       // answered 429 with Retry-After: RetryAfter
	RetryAfter time.Duration // default 30 s
	Malformed  float64       // a feed or page cut short, a page with bytes that are not UTF-8
}

// Options shape a simulated web. Zero values take the defaults named.
type Options struct {
	Hosts           int // default 1
	FeedsPerHost    int // RSS feeds per host, default 1
	SectionsPerHost int // section pages per host, each listing the articles of some of its feeds
	// MeanGap is the mean time between a feed's articles; each feed's own mean is drawn
	// log-uniformly between half and twice it. Default 3 minutes.
	MeanGap time.Duration
	// Daily makes the rate follow a day: 1.6 times the mean at 10:00 WIB, 0.4 times at 22:00.
	Daily   bool
	Backlog int           // articles per feed already published at start, MeanGap apart
	Horizon time.Duration // how long after start articles keep being published
	Listed  int           // items a feed or section page lists, newest first; default 20
	// Syndication is the share of articles that copy the story of a recent article of
	// another host (same text, their own URL).
	Syndication float64
	Faults      Faults
	Filler      int    // passages about no programme after an article's lead; default 8
	Seed        uint64 // the schedule's seed
	Corpus      *Corpus
}

// Article is one simulated article.
type Article struct {
	URL       string
	Host      int
	Feed      int // the feed (index in Web.Sources order among feeds) that lists it
	Published time.Time
	Title     string
	// Mentions are the programmes the lead passage is about, with their stance.
	Mentions []Mention
	// CopyOf is the URL of the article whose story this one syndicates; "" for originals.
	CopyOf string

	lead   int   // index in Corpus.Leads
	filler []int // indexes in Corpus.Filler
	faults atomic.Int32
}

// Faulted reports whether a request for the article's page was answered with a fault
// (503, 429 or a page cut short).
func (a *Article) Faulted() bool { return a.faults.Load() > 0 }

// Stats counts what the web answered.
type Stats struct {
	FeedPolls, SectionPolls, NotModified, Pages int64
	Slow, Server, TooMany, Malformed            int64
}

// SourcePolls is when one source (a feed or a section page) was requested.
type SourcePolls struct {
	Source string
	Polls  []Poll
}

// Poll is one request for a source: when it came and whether a fault answered it.
type Poll struct {
	At      time.Time
	Faulted bool // answered 503 or 429, or cut short
}

// Web is a running simulated news web. Its methods are safe for concurrent use.
type Web struct {
	// Start is when the schedule begins: backlog articles are published before it.
	Start time.Time

	opts     Options
	hosts    []*host
	feeds    []*listing
	sections []*listing
	articles []*Article // by publication time
	servers  []*http.Server

	stats struct{ feedPolls, sectionPolls, notModified, pages, slow, server, tooMany, malformed atomic.Int64 }
}

type host struct {
	id       int
	base     string // http://127.0.0.1:PORT
	articles map[string]*Article
	feeds    []*listing
	sections []*listing
}

// listing is a feed or a section page: a source, with what it lists and its polls.
type listing struct {
	name     string
	path     string
	section  bool
	articles []*Article // by publication time

	mu    sync.Mutex
	polls []Poll
}

// Start draws the schedule and starts one HTTP server per host on 127.0.0.1.
func Start(opts Options) (*Web, error) {
	if opts.Corpus == nil {
		return nil, errors.New("newsim: no corpus")
	}
	opts.Hosts = max(opts.Hosts, 1)
	opts.FeedsPerHost = max(opts.FeedsPerHost, 1)
	if opts.MeanGap <= 0 {
		opts.MeanGap = 3 * time.Minute
	}
	if opts.Listed <= 0 {
		opts.Listed = 20
	}
	if opts.Filler <= 0 {
		opts.Filler = 8
	}
	if opts.Faults.SlowDelay <= 0 {
		opts.Faults.SlowDelay = 2 * time.Second
	}
	if opts.Faults.RetryAfter <= 0 {
		opts.Faults.RetryAfter = 30 * time.Second
	}
	w := &Web{Start: time.Now(), opts: opts}
	for h := range opts.Hosts {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("newsim: %w", err)
		}
		hs := &host{id: h, base: "http://" + ln.Addr().String(), articles: map[string]*Article{}}
		w.hosts = append(w.hosts, hs)
		srv := &http.Server{Handler: w.handler(hs), ReadHeaderTimeout: 10 * time.Second}
		w.servers = append(w.servers, srv)
		go srv.Serve(ln)
	}
	w.schedule()
	return w, nil
}

// Close stops every host's server.
func (w *Web) Close() {
	for _, s := range w.servers {
		s.Close()
	}
}

// schedule draws every feed's publication times, then gives the articles their stories in
// publication order, so that a syndicated copy follows its original.
func (w *Web) schedule() {
	o := w.opts
	rng := rand.New(rand.NewPCG(o.Seed, 2026))
	for _, hs := range w.hosts {
		for f := range o.FeedsPerHost {
			l := &listing{name: fmt.Sprintf("sim%03d-f%d", hs.id, f), path: fmt.Sprintf("/feed/%d.xml", f)}
			gap := time.Duration(float64(o.MeanGap) * math.Exp2(2*rng.Float64()-1))
			for k := range o.Backlog {
				l.articles = append(l.articles, &Article{Published: w.Start.Add(-time.Duration(o.Backlog-k) * o.MeanGap)})
			}
			for _, t := range arrivals(rng, w.Start, gap, o.Horizon, o.Daily) {
				l.articles = append(l.articles, &Article{Published: t})
			}
			for k, a := range l.articles {
				a.Host, a.Feed = hs.id, len(w.feeds)
				a.URL = fmt.Sprintf("%s/berita/%d/%d", hs.base, f, k)
				hs.articles[strings.TrimPrefix(a.URL, hs.base)] = a
				w.articles = append(w.articles, a)
			}
			hs.feeds = append(hs.feeds, l)
			w.feeds = append(w.feeds, l)
		}
		for s := range o.SectionsPerHost {
			l := &listing{name: fmt.Sprintf("sim%03d-s%d", hs.id, s), path: fmt.Sprintf("/kanal/%d/", s), section: true}
			for f := s; f < len(hs.feeds); f += o.SectionsPerHost {
				l.articles = append(l.articles, hs.feeds[f].articles...)
			}
			slices.SortFunc(l.articles, byPublished)
			hs.sections = append(hs.sections, l)
			w.sections = append(w.sections, l)
		}
	}
	slices.SortStableFunc(w.articles, byPublished)
	c := o.Corpus
	for i, a := range w.articles {
		a.lead = rng.IntN(len(c.Leads))
		if o.Syndication > 0 && rng.Float64() < o.Syndication {
			for back := 1; back <= min(i, 50); back++ {
				if orig := w.articles[i-back]; orig.Host != a.Host && orig.CopyOf == "" {
					a.lead, a.filler, a.CopyOf = orig.lead, orig.filler, orig.URL
					break
				}
			}
		}
		if a.filler == nil {
			for range o.Filler {
				a.filler = append(a.filler, rng.IntN(len(c.Filler)))
			}
		}
		a.Title = title(c.Leads[a.lead])
		a.Mentions = c.Leads[a.lead].Mentions
	}
}

func byPublished(a, b *Article) int { return a.Published.Compare(b.Published) }

// arrivals draws the publication times of a feed whose items come gap apart on average
// over (start, start+horizon]: a Poisson process, thinned to the daily rhythm when daily.
func arrivals(rng *rand.Rand, start time.Time, gap, horizon time.Duration, daily bool) []time.Time {
	const peak = 1.6
	var out []time.Time
	for t := start; ; {
		step := rng.ExpFloat64() * float64(gap)
		if daily {
			step /= peak
		}
		t = t.Add(time.Duration(step))
		if t.Sub(start) > horizon {
			return out
		}
		if daily && rng.Float64() > DailyRate(t)/peak {
			continue
		}
		out = append(out, t)
	}
}

// DailyRate is the publication rate at t relative to the day's mean: 1.6 at 10:00 WIB,
// 0.4 at 22:00, a cosine in between.
func DailyRate(t time.Time) float64 {
	t = t.In(config.WIB)
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 1 + 0.6*math.Cos(2*math.Pi*(h-10)/24)
}

// title makes a headline of a passage's page URL: the last path segment's words.
func title(p Passage) string {
	seg := strings.TrimSuffix(p.URL, "/")
	seg = seg[strings.LastIndex(seg, "/")+1:]
	seg = strings.TrimSuffix(strings.TrimSuffix(seg, ".html"), ".htm")
	words := strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' })
	var kept []string
	for _, w := range words {
		if strings.Trim(w, "0123456789") != "" {
			kept = append(kept, w)
		}
	}
	if len(kept) < 3 {
		kept = strings.Fields(p.Text)[:min(10, len(strings.Fields(p.Text)))]
	}
	s := strings.Join(kept, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Sources returns the web's sources for a configuration: every feed (kind feed), then
// every section page (kind portal, article links under /berita/), in Indonesian.
func (w *Web) Sources() []config.Source {
	var out []config.Source
	for _, hs := range w.hosts {
		for _, l := range hs.feeds {
			out = append(out, config.Source{Name: l.name, Kind: config.KindFeed, URL: hs.base + l.path, Lang: "id", Region: "national"})
		}
	}
	for _, hs := range w.hosts {
		for _, l := range hs.sections {
			out = append(out, config.Source{Name: l.name, Kind: config.KindPortal, URL: hs.base + l.path, LinkPattern: "/berita/", Lang: "id", Region: "national"})
		}
	}
	return out
}

// Articles returns every scheduled article, by publication time; those published after
// now are not served yet.
func (w *Web) Articles() []*Article { return w.articles }

// Polls returns, per source (in Sources order), when it was requested.
func (w *Web) Polls() []SourcePolls {
	var out []SourcePolls
	for _, l := range append(slices.Clip(w.feeds), w.sections...) {
		l.mu.Lock()
		out = append(out, SourcePolls{Source: l.name, Polls: slices.Clone(l.polls)})
		l.mu.Unlock()
	}
	return out
}

// Stats returns the counts of what the web answered so far.
func (w *Web) Stats() Stats {
	s := &w.stats
	return Stats{
		FeedPolls: s.feedPolls.Load(), SectionPolls: s.sectionPolls.Load(), NotModified: s.notModified.Load(), Pages: s.pages.Load(),
		Slow: s.slow.Load(), Server: s.server.Load(), TooMany: s.tooMany.Load(), Malformed: s.malformed.Load(),
	}
}

// Text returns an article's body text as its page shows it: the lead, then the filler.
func (w *Web) Text(a *Article) string {
	parts := []string{w.opts.Corpus.Leads[a.lead].Text}
	for _, f := range a.filler {
		parts = append(parts, w.opts.Corpus.Filler[f].Text)
	}
	return strings.Join(parts, "\n\n")
}
