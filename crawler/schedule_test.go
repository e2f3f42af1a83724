package crawler

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

func TestAdaptInterval(t *testing.T) {
	minI, maxI := time.Minute, 6*time.Hour
	tests := []struct {
		name  string
		prev  time.Duration
		found int
		rate  float64 // items per second
		want  time.Duration
	}{
		{"busy feed: half the gap", time.Hour, 3, 1.0 / 600, 5 * time.Minute},
		{"very busy feed: min bound", time.Hour, 10, 1, minI},
		{"quiet feed: max bound", time.Hour, 0, 1.0 / (7 * 86400), maxI},
		{"busy listing, nothing new: no speed-up", 20 * time.Minute, 0, 1.0 / 60, 20 * time.Minute},
		{"undated, new items: halve", time.Hour, 2, 0, 30 * time.Minute},
		{"undated, nothing new: grow by half", time.Hour, 0, 0, 90 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := adaptInterval(tt.prev, tt.found, tt.rate, minI, maxI); got != tt.want {
				t.Errorf("adaptInterval = %v, want %v", got, tt.want)
			}
		})
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
