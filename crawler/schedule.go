package crawler

import (
	"bytes"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
)

// pollResult is what one poll observed, for the scheduler.
type pollResult struct {
	err error
	// arrived counts the items listed that the source's previous listing in this process
	// did not show (-1: no previous listing), for the rate of undated listings.
	arrived int
	dates   []time.Time   // publication dates of the items listed, for the rate
	fresh   time.Duration // freshness lifetime the server declared (ttl, max-age, Expires)
	retryAt time.Time     // the host asked to be left alone until then
	// unchecked is set when the listing was read but the store could not say which items are
	// stored: the items were not queued, and the source is polled again at min_interval.
	unchecked bool
}

// scheduler is the crawler's scheduling part: it decides when each source is polled
// next, from what its polls observed.
type scheduler struct {
	cfg config.Crawler
	log *slog.Logger
	m   *metrics
	now func() time.Time
}

// schedule records a poll's outcome in the source's state and returns the wait until
// its next poll: the interval adapts to the publication rate within [min, max] and
// honours the server's freshness lifetime; failures back off exponentially with jitter;
// a source failing for dead_after is marked dead and polled at max only.
func (c *scheduler) schedule(s *source, r pollResult) time.Duration {
	minI, maxI := c.cfg.MinInterval.D(), c.cfg.MaxInterval.D() // New holds 0 < min <= max
	now := c.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	start := s.StartInterval()
	if st.Interval <= 0 {
		st.Interval = start
	}
	var wait time.Duration
	if r.err != nil {
		if st.Failures == 0 {
			s.failingSince = now
		}
		st.Failures++
		st.LastErrorAt = now
		st.LastError = errorClass(r.err)
		wait = backoff(minI, maxI, st.Failures)
		if d := c.cfg.DeadAfter.D(); d > 0 && !s.failingSince.IsZero() && now.Sub(s.failingSince) >= d {
			if !st.Dead {
				c.log.Warn("source dead, retried at max_interval", "source", s.Name, "failing_since", s.failingSince, "last_error", st.LastError)
			}
			st.Dead = true
			wait = maxI
		}
		if ra := r.retryAt.Sub(now); ra > wait {
			wait = ra // Retry-After, itself capped by the fetcher
		}
	} else {
		if st.Dead {
			c.log.Info("source alive again", "source", s.Name)
		}
		st.Failures, st.Dead, s.failingSince = 0, false, time.Time{}
		st.LastSuccess = now
		if r.unchecked {
			// The items wait for the store, not for the feed: come back soon, and learn
			// nothing about the feed's rate from a poll whose items were not looked at.
			wait = minI
		} else {
			observeArrivals(st, r.dates, r.arrived, now, maxI)
			var silence time.Duration
			if !st.LastItem.IsZero() {
				silence = now.Sub(st.LastItem)
			}
			target := c.cfg.FreshnessTarget.D()
			if st.MeanGap <= 0 && target > 0 && !st.LastItem.IsZero() {
				st.Interval = learningInterval(silence, target, start, minI, maxI)
			} else {
				st.Interval = pollInterval(st.Interval, st.MeanGap, silence, target, minI, maxI)
			}
			if r.fresh > st.Interval {
				st.Interval = min(r.fresh, maxI)
			}
			wait = st.Interval + time.Duration(rand.Int64N(int64(st.Interval)/10+1))
		}
	}
	st.NextPoll = now.Add(wait)
	st.UpdatedAt = now
	s.dirty = true
	c.m.observeState(*st)
	return wait
}

// backoff is the wait after the n-th consecutive failure: min·2^(n-1), capped at max,
// with "equal jitter" (half fixed, half random) so that failing sources spread out.
func backoff(minI, maxI time.Duration, n uint32) time.Duration {
	d := maxI
	if n < 32 {
		if b := minI << (n - 1); b > 0 && b < maxI {
			d = b
		}
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// rate estimates items per second from the publication dates a listing shows: the
// dated items of the last week over the time they span (at least an hour). It returns
// 0 when fewer than two items are dated.
func rate(dates []time.Time, now time.Time) float64 {
	n := 0
	oldest := now
	for _, d := range dates {
		if d.IsZero() || d.After(now.Add(futureTolerance)) || now.Sub(d) > config.RateWindow {
			continue
		}
		n++
		if d.Before(oldest) {
			oldest = d
		}
	}
	if n < 2 {
		return 0
	}
	span := max(now.Sub(oldest), time.Hour)
	return float64(n) / span.Seconds()
}

// observeArrivals updates a source's mean gap between new items, an exponentially
// weighted average of the inter-arrival times it observed: between the publication dates
// of items newer than the last one seen or, when the listing dates none, between polls
// whose listing showed items its previous listing did not (arrived of them, spread evenly
// since the last arrival; whether the store already holds them does not matter, so that
// a section page whose articles a feed brought first keeps its own rate). A poll that
// finds nothing (a 304 included) adds no sample; arrived -1 (the first listing this
// process reads of an undated source, e.g. after a restart) starts counting at now. The
// first poll takes the mean gap the listing's dates show (with fewer than three dated
// items, their rate: see rate).
func observeArrivals(st *SourceState, dates []time.Time, arrived int, now time.Time, maxI time.Duration) {
	sample := func(gap time.Duration) {
		gap = min(max(gap, 0), 2*maxI) // a night's silence counts, but not for weeks
		if st.MeanGap <= 0 {
			st.MeanGap = gap
			return
		}
		st.MeanGap = time.Duration(config.GapWeight*float64(gap) + (1-config.GapWeight)*float64(st.MeanGap))
	}
	var newer []time.Time
	dated := false
	for _, d := range dates {
		if d.IsZero() || d.After(now.Add(futureTolerance)) || now.Sub(d) > config.RateWindow {
			continue
		}
		dated = true
		if d.After(st.LastItem) {
			newer = append(newer, d)
		}
	}
	switch {
	case st.LastItem.IsZero() && dated:
		slices.SortFunc(newer, func(a, b time.Time) int { return a.Compare(b) })
		if n := len(newer); n >= 3 {
			st.MeanGap = newer[n-1].Sub(newer[0]) / time.Duration(n-1)
		} else if r := rate(dates, now); r > 0 {
			st.MeanGap = time.Duration(float64(time.Second) / r)
		}
		st.LastItem = newer[len(newer)-1]
	case dated:
		slices.SortFunc(newer, func(a, b time.Time) int { return a.Compare(b) })
		for _, d := range newer {
			sample(d.Sub(st.LastItem))
			st.LastItem = d
		}
	case arrived < 0 || (arrived > 0 && st.LastItem.IsZero()):
		st.LastItem = now // undated: the first listing only marks when counting starts
	case arrived > 0:
		gap := now.Sub(st.LastItem) / time.Duration(arrived)
		for range min(arrived, 10) {
			sample(gap)
		}
		st.LastItem = now
	}
}

// pollInterval returns the poll interval of a source whose items arrive meanGap apart
// on average and whose last item arrived silence ago: config.ItemsPerPoll times the gap,
// where a silence longer than config.SilenceFactor gaps stands for silence/SilenceFactor; a
// target above 0 (crawler.freshness_target) caps that at the target as far as this takes
// at most config.MaxPollsPerItem polls per gap. Without an estimate it keeps prev. The
// result lies in [minI, maxI].
func pollInterval(prev, meanGap, silence, target, minI, maxI time.Duration) time.Duration {
	next := prev
	if meanGap > 0 {
		gap := max(meanGap, silence/config.SilenceFactor)
		next = time.Duration(config.ItemsPerPoll * float64(gap))
		if target > 0 && next > target {
			next = max(target, gap/config.MaxPollsPerItem)
		}
	}
	return min(max(next, minI), maxI)
}

// learningInterval is the poll interval of a source that has not shown a rate yet (a
// section page after its first poll, a feed listing one dated item): the time it has
// been silent since its first listing (or its newest item), at least target and at most
// start, its starting interval. A busy section page learns its rate from its second
// poll, target after its first; a quiet one is polled about twice as far apart each time
// until it reaches start. The result lies in [minI, maxI].
func learningInterval(silence, target, start, minI, maxI time.Duration) time.Duration {
	next := min(max(silence, target), max(start, target))
	return min(max(next, minI), maxI)
}

var ttlRE = regexp.MustCompile(`(?i)<ttl>\s*(\d{1,6})\s*</ttl>`)

// freshness returns how long a response stays fresh by its Cache-Control max-age (or
// s-maxage), its Expires header, or an RSS <ttl> (minutes) in body, whichever is longest.
func freshness(h http.Header, body []byte, now time.Time) time.Duration {
	var d time.Duration
	noCache := false
	for _, v := range h.Values("Cache-Control") {
		for _, part := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(strings.ToLower(part)), "=")
			switch k {
			case "max-age", "s-maxage":
				if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil && n > 0 {
					d = max(d, time.Duration(n)*time.Second)
				}
			case "no-cache", "no-store":
				noCache = true
			}
		}
	}
	if d == 0 && !noCache {
		if exp, err := http.ParseTime(h.Get("Expires")); err == nil {
			date := now
			if sd, err := http.ParseTime(h.Get("Date")); err == nil {
				date = sd
			}
			d = max(d, exp.Sub(date))
		}
	}
	head := body
	if i := bytes.Index(head, []byte("<item")); i >= 0 {
		head = head[:i] // the channel's ttl comes before its items
	}
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	if m := ttlRE.FindSubmatch(head); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil {
			d = max(d, time.Duration(n)*time.Minute)
		}
	}
	return d
}

// firstWait is the wait before a source's first poll in Run: its saved next poll when
// that lies ahead (but no further than max), else none. A cold start queues every source
// at once; the host queues space each host's polls by its politeness delay and the
// workers bound how many run together.
func (c *scheduler) firstWait(s *source) time.Duration {
	maxI := c.cfg.MaxInterval.D()
	st := s.state()
	now := c.now()
	if !st.NextPoll.IsZero() && st.NextPoll.After(now) {
		return min(st.NextPoll.Sub(now), maxI)
	}
	return 0
}
