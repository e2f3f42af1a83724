package crawler

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

func TestPollInterval(t *testing.T) {
	minI, maxI := time.Minute, 6*time.Hour
	tests := []struct {
		name           string
		prev, gap, sil time.Duration
		want           time.Duration
	}{
		{"busy feed: a quarter of the gap", time.Hour, 20 * time.Minute, 2 * time.Minute, 5 * time.Minute},
		{"ordinary silence changes nothing", time.Hour, 20 * time.Minute, 50 * time.Minute, 5 * time.Minute},
		{"very busy feed: min bound", time.Hour, time.Second, 0, minI},
		{"quiet feed: max bound", time.Hour, 7 * 24 * time.Hour, time.Hour, maxI},
		{"long silence slows polling", 5 * time.Minute, 10 * time.Minute, 2 * time.Hour, 10 * time.Minute},
		{"no estimate: unchanged", 20 * time.Minute, 0, 0, 20 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pollInterval(tt.prev, tt.gap, tt.sil, 0, minI, maxI); got != tt.want {
				t.Errorf("pollInterval = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestObserveArrivals follows a feed publishing five items an hour: its interval settles
// at a quarter of the twelve-minute gap, and polls that find nothing (304s) leave the
// estimate alone.
func TestObserveArrivals(t *testing.T) {
	minI, maxI := time.Minute, 6*time.Hour
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var listed []time.Time
	for i := range 10 { // the listing a first poll sees: one item every 12 minutes
		listed = append(listed, now.Add(-time.Duration(i)*12*time.Minute))
	}
	var st SourceState
	observeArrivals(&st, listed, 10, now, maxI)
	if st.MeanGap != 12*time.Minute || !st.LastItem.Equal(now) {
		t.Fatalf("after the first poll: gap %v, last %v; want 12m (the listing's) and %v", st.MeanGap, st.LastItem, now)
	}
	for i := 1; i <= 20; i++ { // polls every 3 minutes; an item every fourth poll
		now = now.Add(3 * time.Minute)
		if i%4 == 0 {
			listed = append([]time.Time{now.Add(-time.Second)}, listed...)
			observeArrivals(&st, listed, 1, now, maxI)
		} else {
			observeArrivals(&st, nil, 0, now, maxI) // 304: nothing listed
		}
		got := pollInterval(st.Interval, st.MeanGap, now.Sub(st.LastItem), 0, minI, maxI)
		if got < 2*time.Minute || got > 4*time.Minute {
			t.Fatalf("poll %d: interval %v (gap %v), want about 3m", i, got, st.MeanGap)
		}
	}
	gap := st.MeanGap
	for range 30 {
		observeArrivals(&st, nil, 0, now, maxI) // many 304s within the same minute
	}
	if st.MeanGap != gap {
		t.Errorf("304s changed the mean gap from %v to %v", gap, st.MeanGap)
	}

	// Undated listings learn from the polls that found items.
	var u SourceState
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	observeArrivals(&u, []time.Time{{}}, 3, t0, maxI)
	observeArrivals(&u, []time.Time{{}}, 2, t0.Add(20*time.Minute), maxI)
	if u.MeanGap != 10*time.Minute {
		t.Errorf("undated: gap %v, want 10m (two items in 20 minutes)", u.MeanGap)
	}
	// A restart: the first listing the new process reads starts counting again, keeping
	// the learned gap; the time the process was down is no gap.
	restarted := u
	observeArrivals(&restarted, []time.Time{{}}, -1, t0.Add(5*time.Hour), maxI)
	observeArrivals(&restarted, []time.Time{{}}, 1, t0.Add(5*time.Hour+10*time.Minute), maxI)
	if restarted.MeanGap != 10*time.Minute {
		t.Errorf("undated after a restart: gap %v, want 10m kept", restarted.MeanGap)
	}
}

// TestSectionPageKeepsItsRate polls a section page that shows one more article every 10
// minutes, all of them already stored (a feed brought them first): the page's rate is
// still learned from its own listing, so it is polled at a quarter of its gap, not
// slowed down to the max bound for finding nothing to fetch.
func TestSectionPageKeepsItsRate(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	shown := 3
	s.mux.HandleFunc("/kanal/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		b.WriteString("<html><body><ul>")
		for i := shown; i > 0; i-- {
			fmt.Fprintf(&b, `<li><a href="/berita/%d">Berita %d</a></li>`, i, i)
		}
		b.WriteString("</ul></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, b.String())
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.MinInterval, cfg.MaxInterval = config.Duration(time.Minute), config.Duration(6*time.Hour)
	stored := seenFunc(func(urls []string) map[string]bool {
		out := map[string]bool{}
		for _, u := range urls {
			out[u] = true
		}
		return out
	})
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "kanal", Kind: config.KindPortal, URL: s.URL + "/kanal/", LinkPattern: "/berita/"}},
		WithClock(clk.now), WithSeen(stored))
	for range 8 {
		if got := tc.runOnce(t); len(got) != 0 {
			t.Fatalf("fetched %d stored articles", len(got))
		}
		clk.add(10 * time.Minute)
		mu.Lock()
		shown++
		mu.Unlock()
	}
	st := tc.States()[0]
	if st.MeanGap != 10*time.Minute || st.Interval != 150*time.Second {
		t.Errorf("section page: mean gap %v, interval %v; want 10m and 2m30s (a quarter of it)", st.MeanGap, st.Interval)
	}
}

func TestRate(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var dates []time.Time
	for i := range 24 { // one item an hour for a day
		dates = append(dates, now.Add(-time.Duration(i)*time.Hour))
	}
	dates = append(dates, time.Time{}, now.AddDate(0, 0, -30), now.Add(48*time.Hour)) // undated, too old, future
	got := rate(dates, now)
	if want := 24.0 / (23 * 3600); got < want*0.99 || got > want*1.01 {
		t.Errorf("rate = %v/s, want %v/s", got, want)
	}
	if rate(dates[:1], now) != 0 {
		t.Error("one dated item gives a rate")
	}
}

func TestFreshness(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   time.Duration
	}{
		{"none", http.Header{}, "<rss></rss>", 0},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=900"}}, "", 15 * time.Minute},
		{"s-maxage wins when longer", http.Header{"Cache-Control": {"max-age=60, s-maxage=600"}}, "", 10 * time.Minute},
		{"expires", http.Header{"Expires": {now.Add(30 * time.Minute).Format(http.TimeFormat)}, "Date": {now.Format(http.TimeFormat)}}, "", 30 * time.Minute},
		{"no-cache ignores expires", http.Header{"Cache-Control": {"no-cache"}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, "", 0},
		{"rss ttl", http.Header{}, "<rss><channel><ttl>45</ttl><item><ttl>1</ttl></item></channel></rss>", 45 * time.Minute},
		{"item ttl ignored", http.Header{}, "<rss><channel><item><ttl>90</ttl></item></channel></rss>", 0},
		{"longest wins", http.Header{"Cache-Control": {"max-age=60"}}, "<rss><channel><ttl>5</ttl>", 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := freshness(tt.header, []byte(tt.body), now); got != tt.want {
				t.Errorf("freshness = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	minI, maxI := time.Minute, 6*time.Hour
	for n := uint32(1); n <= 40; n++ {
		full := maxI
		if n < 20 && minI<<(n-1) < maxI {
			full = minI << (n - 1)
		}
		for range 20 {
			d := backoff(minI, maxI, n)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, full/2, full)
			}
		}
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestScheduleFeedHints(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/ttl.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title><ttl>120</ttl></channel></rss>`)
	})
	s.mux.HandleFunc("/cc.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=1800")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title></channel></rss>`)
	})
	s.mux.HandleFunc("/huge-ttl.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title><ttl>100000</ttl></channel></rss>`)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.MinInterval, cfg.MaxInterval = config.Duration(time.Minute), config.Duration(6*time.Hour)
	tc := newTestCrawler(t, cfg, []config.Source{
		{Name: "ttl", Kind: config.KindFeed, URL: s.URL + "/ttl.xml", Interval: config.Duration(5 * time.Minute)},
		{Name: "cc", Kind: config.KindFeed, URL: s.URL + "/cc.xml", Interval: config.Duration(5 * time.Minute)},
		{Name: "huge", Kind: config.KindFeed, URL: s.URL + "/huge-ttl.xml", Interval: config.Duration(5 * time.Minute)},
	}, WithClock(clk.now))
	tc.runOnce(t)
	want := map[string]time.Duration{"ttl": 2 * time.Hour, "cc": 30 * time.Minute, "huge": 6 * time.Hour}
	for _, st := range tc.States() {
		if st.Interval != want[st.Source] {
			t.Errorf("%s: interval %v, want %v", st.Source, st.Interval, want[st.Source])
		}
		if wait := st.NextPoll.Sub(clk.now()); wait < st.Interval || wait > st.Interval*11/10+time.Second {
			t.Errorf("%s: next poll in %v, want interval %v plus at most 10%% jitter", st.Source, wait, st.Interval)
		}
	}
}

func TestDeadSource(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	up := false
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title></channel></rss>`)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.MinInterval, cfg.MaxInterval = config.Duration(time.Minute), config.Duration(6*time.Hour)
	cfg.DeadAfter = config.Duration(72 * time.Hour)
	store := &memStore{}
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}},
		WithClock(clk.now), WithStateStore(store))

	var prevWait time.Duration
	for i := 1; i <= 6; i++ {
		tc.runOnce(t)
		st := tc.States()[0]
		if st.Failures != uint32(i) || st.LastError != "http_5xx" || st.Dead {
			t.Fatalf("failure %d: state %+v", i, st)
		}
		wait := st.NextPoll.Sub(clk.now())
		if full := time.Minute << (i - 1); wait < full/2 || wait > full {
			t.Errorf("failure %d: back-off %v, want in [%v, %v]", i, wait, full/2, full)
		}
		if i > 2 && wait <= prevWait/2 {
			t.Errorf("failure %d: back-off %v did not grow from %v", i, wait, prevWait)
		}
		prevWait = wait
		clk.add(time.Hour)
	}
	clk.add(72 * time.Hour)
	tc.runOnce(t)
	st := tc.States()[0]
	if !st.Dead || st.NextPoll.Sub(clk.now()) != 6*time.Hour {
		t.Fatalf("after 3 days of failures: %+v, want dead and retried in max_interval", st)
	}
	if v := metricValue(t, tc.m.dead.WithLabelValues("f")); v != 1 {
		t.Errorf("source_dead = %v, want 1", v)
	}
	if saved := store.get("f"); !saved.Dead || saved.Failures != 7 {
		t.Errorf("saved state %+v, want dead with 7 failures", saved)
	}

	// Dead survives a restart, and a success revives the source.
	tc2 := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}},
		WithClock(clk.now), WithStateStore(store))
	tc2.states.load(t.Context())
	if !tc2.States()[0].Dead {
		t.Fatal("dead state not restored")
	}
	mu.Lock()
	up = true
	mu.Unlock()
	tc2.runOnce(t)
	if st := tc2.States()[0]; st.Dead || st.Failures != 0 || !st.LastSuccess.Equal(clk.now()) {
		t.Errorf("after a success: %+v, want alive", st)
	}
}

// TestNotModifiedDoesNotSlowPolling polls a feed that lists an item every twelve
// minutes, then answers 304 Not Modified: its interval stays at a quarter of the gap
// instead of growing with each empty poll.
func TestNotModifiedDoesNotSlowPolling(t *testing.T) {
	s := newSite(t)
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	start := clk.now()
	var paths []string
	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>`)
	for i := range 5 {
		p := fmt.Sprintf("/n/%d", i)
		paths = append(paths, p)
		s.handleHTML(p, articlePage(i, fmt.Sprintf("Berita %d", i)))
		fmt.Fprintf(&feed, `<item><title>B%d</title><link>%s%s</link><pubDate>%s</pubDate></item>`,
			i, s.URL, p, start.Add(-time.Duration(i)*12*time.Minute).Format(time.RFC1123Z))
	}
	feed.WriteString(`</channel></rss>`)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, feed.String())
	})
	cfg := testConfig()
	cfg.MinInterval, cfg.MaxInterval = config.Duration(time.Minute), config.Duration(6*time.Hour)
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml", Interval: config.Duration(15 * time.Minute)}},
		WithClock(clk.now))
	if got := tc.runOnce(t); len(got) != len(paths) {
		t.Fatalf("got %d articles, want %d", len(got), len(paths))
	}
	first := tc.States()[0].Interval
	if first < 2*time.Minute || first > 4*time.Minute {
		t.Fatalf("interval after the first poll %v, want about 3m (a quarter of a 12m gap)", first)
	}
	for i := range 3 {
		clk.add(time.Minute)
		tc.runOnce(t)
		if st := tc.States()[0]; st.Interval != first {
			t.Errorf("304 number %d: interval %v, want %v unchanged", i+1, st.Interval, first)
		}
	}
	if n := s.hitCount("/rss.xml"); n != 4 {
		t.Errorf("feed fetched %d times, want 4", n)
	}
}

// TestPollIntervalFreshnessTarget: with a 30 s target, sources publishing up to every 6
// minutes (12 polls per item) are polled every 30 s at most, busier ones at a quarter of
// their gap down to min_interval, quieter ones 12 times per gap up to max_interval.
func TestPollIntervalFreshnessTarget(t *testing.T) {
	minI, maxI, target := 15*time.Second, 6*time.Hour, 30*time.Second
	tests := []struct {
		name     string
		gap, sil time.Duration
		want     time.Duration
	}{
		{"an item a minute: min bound", time.Minute, 0, minI},
		{"every 2 minutes: a quarter of the gap", 2 * time.Minute, 0, 30 * time.Second},
		{"every 4 minutes: the target", 4 * time.Minute, 0, target},
		{"every 6 minutes: the target, 12 polls per item", 6 * time.Minute, 0, target},
		{"every 12 minutes: 12 polls per item", 12 * time.Minute, 0, time.Minute},
		{"daily: 12 polls per item", 24 * time.Hour, 0, 2 * time.Hour},
		{"weekly: max bound", 7 * 24 * time.Hour, 0, maxI},
		{"a long silence slows polling", 4 * time.Minute, 2 * time.Hour, 200 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pollInterval(time.Hour, tt.gap, tt.sil, target, minI, maxI); got != tt.want {
				t.Errorf("pollInterval = %v, want %v", got, tt.want)
			}
		})
	}
	// Over the whole range: never more polls per item than the quarter-gap rule and the
	// target's budget allow, and never a longer interval than without the target.
	for gap := time.Second; gap < 30*24*time.Hour; gap = gap * 11 / 10 {
		got := pollInterval(time.Hour, gap, 0, target, minI, maxI)
		plain := pollInterval(time.Hour, gap, 0, 0, minI, maxI)
		if got > plain {
			t.Fatalf("gap %v: interval %v longer than without the target (%v)", gap, got, plain)
		}
		if got != minI && got != maxI && got != target && got < gap/config.MaxPollsPerItem {
			t.Fatalf("gap %v: interval %v polls more than %d times per item", gap, got, config.MaxPollsPerItem)
		}
		if gap <= config.MaxPollsPerItem*target && got > target {
			t.Fatalf("gap %v: interval %v over the target", gap, got)
		}
	}
}

func TestLearningInterval(t *testing.T) {
	minI, maxI, target, start := 15*time.Second, 6*time.Hour, 30*time.Second, 15*time.Minute
	tests := []struct {
		silence, want time.Duration
	}{
		{0, target},                // just after the first listing: an early second poll
		{30 * time.Second, target}, // nothing new yet
		{time.Minute, time.Minute}, // about twice as far apart each time
		{4 * time.Minute, 4 * time.Minute},
		{time.Hour, start}, // never slower than the starting interval
	}
	for _, tt := range tests {
		if got := learningInterval(tt.silence, target, start, minI, maxI); got != tt.want {
			t.Errorf("learningInterval(silence %v) = %v, want %v", tt.silence, got, tt.want)
		}
	}
}

// TestSectionPageEarlySecondPoll polls a section page (no dates) with a 30 s freshness
// target: its second poll comes 30 s after the first instead of after its 15-minute
// starting interval, and the article the second poll finds gives it a rate.
func TestSectionPageEarlySecondPoll(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	shown := 3
	s.mux.HandleFunc("/kanal/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		b.WriteString("<html><body><ul>")
		for i := shown; i > 0; i-- {
			fmt.Fprintf(&b, `<li><a href="/berita/%d">Berita %d</a></li>`, i, i)
		}
		b.WriteString("</ul></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, b.String())
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.MinInterval, cfg.MaxInterval, cfg.FreshnessTarget = config.Duration(15*time.Second), config.Duration(6*time.Hour), config.Duration(30*time.Second)
	stored := seenFunc(func(urls []string) map[string]bool {
		out := map[string]bool{}
		for _, u := range urls {
			out[u] = true
		}
		return out
	})
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "kanal", Kind: config.KindPortal, URL: s.URL + "/kanal/", LinkPattern: "/berita/"}},
		WithClock(clk.now), WithSeen(stored))
	tc.runOnce(t)
	if st := tc.States()[0]; st.Interval != 30*time.Second || st.MeanGap != 0 {
		t.Fatalf("after the first poll: interval %v, gap %v; want 30s (the target) and no rate yet", st.Interval, st.MeanGap)
	}
	clk.add(time.Minute)
	mu.Lock()
	shown += 2
	mu.Unlock()
	tc.runOnce(t)
	if st := tc.States()[0]; st.MeanGap != 30*time.Second || st.Interval != 15*time.Second {
		t.Errorf("after the second poll: gap %v, interval %v; want 30s (two articles in a minute) and 15s (min_interval)", st.MeanGap, st.Interval)
	}
}
