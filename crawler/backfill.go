package crawler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pantau-id/pantau/ack"
	"github.com/pantau-id/pantau/config"
)

// BackfillSource is the source name explicit backfill URLs are attributed to by default.
const BackfillSource = "backfill"

// BackfillRequest says what a backfill fetches.
type BackfillRequest struct {
	// From and To bound the publication time, From inclusive, To exclusive; zero is open.
	From, To time.Time
	// Sources names the sources whose listings are read; empty means every source of the
	// crawler, unless URLs is set, in which case no listing is read.
	Sources []string
	// URLs are article URLs to fetch as they are.
	URLs []string
	// URLSource is the source name URLs are stored under: a configured source (whose
	// language and time zone then apply) or any name; default BackfillSource.
	URLSource string
	// Progress, if set, is called from one goroutine at a time as items settle.
	Progress func(BackfillProgress)
}

// BackfillProgress counts a backfill's items. Done counts every settled item: stored,
// already stored, out of range or failed.
type BackfillProgress struct {
	Done, Total int
	Stored      int // fetched, handed on and acknowledged
	Skipped     int // already stored, or published outside the range
	Failed      int
}

// maxBackfillItems bounds the items one backfill takes from one source's listings.
const maxBackfillItems = 200_000

// Backfill fetches the articles of a publication date range: the dated items of feeds
// and sitemaps (every child of a sitemap index whose lastmod does not predate From),
// whatever portal pages link to (and the dated items of the feeds they advertise), and
// explicit URLs; articles whose extracted date falls
// outside the range are dropped. URLs already stored are skipped (see WithSeen), so an
// interrupted backfill resumes where it stopped. Articles go to out like RunOnce's, and
// Backfill waits for their acknowledgements before it returns. Feed validators and
// schedules are left alone. A failing listing or article is counted and skipped;
// Backfill returns the final counts and ctx.Err() once ctx is cancelled.
func (c *Crawler) Backfill(ctx context.Context, req BackfillRequest, out chan<- Article) (BackfillProgress, error) {
	srcs, err := c.backfillSources(req)
	if err != nil {
		return BackfillProgress{}, err
	}
	inRange := func(t time.Time) bool {
		return (req.From.IsZero() || !t.Before(req.From)) && (req.To.IsZero() || t.Before(req.To))
	}
	ranged := !req.From.IsZero() || !req.To.IsZero()
	discovered := c.now()

	// Gather every candidate first, so that Total is known before fetching starts.
	var jobs []job
	var mu sync.Mutex
	var listings sync.WaitGroup
	slots := make(chan struct{}, c.workers) // listings read at once
	for _, s := range srcs {
		slots <- struct{}{}
		listings.Go(func() {
			defer func() { <-slots }()
			var l listing
			var err error
			if s.Kind == config.KindSitemap {
				l, err = c.disc.discoverSitemap(ctx, s, true, req.From)
			} else {
				l, err = c.disc.discover(ctx, s, true)
			}
			if err != nil {
				if ctx.Err() == nil {
					c.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
					c.log.Warn("backfill listing failed", "source", s.Name, "err", err)
				}
				return
			}
			var items []item
			for _, it := range l.items {
				undatedLink := s.Kind == config.KindPortal && it.Published.IsZero() // a page link, not a feed item
				if !ranged || undatedLink || (!it.Published.IsZero() && inRange(it.Published)) {
					items = append(items, it)
				}
			}
			if len(items) > maxBackfillItems {
				items = items[:maxBackfillItems]
			}
			js := make([]job, 0, len(items))
			for _, it := range items {
				js = append(js, job{src: s, item: it, discovered: discovered})
			}
			mu.Lock()
			jobs = append(jobs, js...)
			mu.Unlock()
		})
	}
	listings.Wait()
	if len(req.URLs) > 0 {
		us := c.urlSource(req.URLSource)
		for _, u := range req.URLs {
			jobs = append(jobs, job{src: us, item: item{URL: u}, discovered: discovered})
		}
	}
	if err := ctx.Err(); err != nil {
		return BackfillProgress{}, err
	}

	run, settled := runAck()
	p := &backfillTracker{report: req.Progress, prog: BackfillProgress{Total: len(jobs)}, run: run}
	p.emit()
	filter := func(a Article) bool { return !ranged || a.Published.IsZero() || inRange(a.Published) }
	q := newHostQueues(c.f)
	var workers sync.WaitGroup
	workers.Go(func() { c.work(ctx, q, out, nil) })
	for start := 0; start < len(jobs) && ctx.Err() == nil; start += seenBatch {
		batch := jobs[start:min(start+seenBatch, len(jobs))]
		fresh, invalid := c.dedup.backfillNew(ctx, batch)
		p.add(0, len(batch)-len(fresh)-invalid, invalid)
		for _, j := range fresh {
			j.filter = filter
			j.ack = p.hold()
			if !q.push(ctx, j) {
				c.dedup.recent.release(j.canonical)
				j.ack(retry(errNotQueued))
			}
		}
	}
	q.close()
	workers.Wait()
	run.Done(nil)
	select {
	case <-settled:
	case <-ctx.Done():
	}
	return p.snapshot(), ctx.Err()
}

// backfillSources selects the sources a backfill reads.
func (c *Crawler) backfillSources(req BackfillRequest) ([]*source, error) {
	if len(req.Sources) == 0 {
		if len(req.URLs) > 0 {
			return nil, nil
		}
		return c.sources, nil
	}
	var out []*source
	var errs []error
	for _, name := range req.Sources {
		i := slices.IndexFunc(c.sources, func(s *source) bool { return s.Name == name })
		if i < 0 {
			errs = append(errs, fmt.Errorf("backfill: no enabled source %q in this shard", name))
			continue
		}
		out = append(out, c.sources[i])
	}
	return out, errors.Join(errs...)
}

// urlSource returns the source explicit URLs are attributed to.
func (c *Crawler) urlSource(name string) *source {
	if name == "" {
		name = BackfillSource
	}
	for _, s := range c.sources {
		if s.Name == name {
			return s
		}
	}
	c.m.sourceUp.WithLabelValues(name)
	return &source{Source: config.Source{Name: name, Kind: "backfill"}, st: SourceState{Source: name}}
}

// backfillTracker counts a backfill's settled items and reports progress; run is the
// group of its items' acknowledgements.
type backfillTracker struct {
	mu     sync.Mutex
	report func(BackfillProgress)
	prog   BackfillProgress
	run    *ack.Group
}

func (p *backfillTracker) add(stored, skipped, failed int) {
	p.mu.Lock()
	p.prog.Stored += stored
	p.prog.Skipped += skipped
	p.prog.Failed += failed
	p.prog.Done += stored + skipped + failed
	prog := p.prog
	if p.report != nil {
		p.report(prog) // under the lock: one caller at a time, in order
	}
	p.mu.Unlock()
}

func (p *backfillTracker) emit() { p.add(0, 0, 0) }

func (p *backfillTracker) snapshot() BackfillProgress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.prog
}

// hold returns the acknowledgement of one backfill item, which counts its outcome.
func (p *backfillTracker) hold() ack.Func {
	p.run.Add(1)
	return func(err error) {
		switch {
		case err == nil:
			p.add(1, 0, 0)
		case errors.Is(err, errDuplicate), errors.Is(err, errOutOfRange):
			p.add(0, 1, 0)
		default:
			p.add(0, 0, 1)
		}
		p.run.Done(nil)
	}
}
