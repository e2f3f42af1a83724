package crawler

import (
	"bytes"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
)

// Scheduling constants.
const (
	// rateWindow is how far back item dates count for a source's publication rate.
	rateWindow = 7 * 24 * time.Hour
	// itemsPerPoll is the number of new items a poll aims to find: polling at half the
	// mean gap between items keeps the detection delay to about a quarter of that gap.
	itemsPerPoll = 0.5
)

// pollResult is what one poll observed, for the scheduler.
type pollResult struct {
	err     error
	found   int           // new items queued
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

// bounds returns the configured interval bounds (config.Validate holds 0 < min <= max).
func (c *scheduler) bounds() (minI, maxI time.Duration) {
	return c.cfg.MinInterval.D(), c.cfg.MaxInterval.D()
}

// schedule records a poll's outcome in the source's state and returns the wait until
// its next poll: the interval adapts to the publication rate within [min, max] and
// honours the server's freshness lifetime; failures back off exponentially with jitter;
// a source failing for dead_after is marked dead and polled at max only.
func (c *scheduler) schedule(s *source, r pollResult) time.Duration {
	minI, maxI := c.bounds()
	now := c.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	if st.Interval <= 0 {
		st.Interval = s.Interval.D()
		if st.Interval <= 0 {
			st.Interval = 15 * time.Minute
		}
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
			st.Interval = adaptInterval(st.Interval, r.found, rate(r.dates, now), minI, maxI)
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
		if d.IsZero() || d.After(now.Add(futureTolerance)) || now.Sub(d) > rateWindow {
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

// adaptInterval returns the next poll interval. With a known publication rate it aims
// at itemsPerPoll new items per poll; without one it halves after new items and grows
// by half after none. The result lies in [minI, maxI].
func adaptInterval(prev time.Duration, found int, perSecond float64, minI, maxI time.Duration) time.Duration {
	var next time.Duration
	switch {
	case perSecond > 0:
		next = time.Duration(itemsPerPoll / perSecond * float64(time.Second))
		if found == 0 && next < prev {
			// The listing says "busy" but this poll found nothing new: do not speed up.
			next = prev
		}
	case found > 0:
		next = prev / 2
	default:
		next = prev + prev/2
	}
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
	_, maxI := c.bounds()
	st := s.state()
	now := c.now()
	if !st.NextPoll.IsZero() && st.NextPoll.After(now) {
		return min(st.NextPoll.Sub(now), maxI)
	}
	return 0
}
