package crawler

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// requestLog records, per host, when each request (robots.txt aside) reached the server
// and when its answer was written.
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	host, path string
	start, end time.Time
}

// wrap serves s's requests through h, recording each under host.
func (l *requestLog) wrap(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		if r.URL.Path == "/robots.txt" {
			return
		}
		l.mu.Lock()
		l.reqs = append(l.reqs, loggedRequest{host: host, path: r.URL.Path, start: start, end: time.Now()})
		l.mu.Unlock()
	})
}

func (l *requestLog) all() []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]loggedRequest(nil), l.reqs...)
	sort.Slice(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

// checkSpacing fails the test if two requests to one host started closer than delay
// after the previous one ended.
func checkSpacing(t *testing.T, reqs []loggedRequest, delay map[string]time.Duration) {
	t.Helper()
	last := map[string]loggedRequest{}
	for _, r := range reqs {
		if p, ok := last[r.host]; ok {
			if gap := r.start.Sub(p.end); gap < delay[r.host] {
				t.Errorf("host %s: %s started %v after %s ended, want >= %v", r.host, r.path, gap, p.path, delay[r.host])
			}
		}
		last[r.host] = r
	}
}

// newsHost is a loopback news site with one feed of n articles under /a/.
func newsHost(t *testing.T, log *requestLog, name string, n int, robots string) *site {
	t.Helper()
	s := newSite(t)
	inner := s.Config.Handler
	s.Config.Handler = log.wrap(name, inner)
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("/a/%s-%d", name, i)
		s.handleHTML(paths[i], articlePage(i, name+" "+paths[i]))
	}
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed(s.URL, paths...)) })
	s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, robots) })
	return s
}

// TestSlowHostDoesNotHoldTheWorker gives one worker two hosts: one with a one-second
// Crawl-delay, one without. The fast host's articles are all fetched while the slow one
// waits, and the slow one still gets its delay between requests.
func TestSlowHostDoesNotHoldTheWorker(t *testing.T) {
	log := &requestLog{}
	slow := newsHost(t, log, "slow", 3, "User-agent: *\nCrawl-delay: 1\n")
	fast := newsHost(t, log, "fast", 6, "User-agent: *\nAllow: /\n")
	cfg := testConfig()
	cfg.Workers, cfg.HostParallelism = 1, 1
	tc := newTestCrawler(t, cfg, []config.Source{
		{Name: "slow", Kind: config.KindFeed, URL: slow.URL + "/rss.xml"},
		{Name: "fast", Kind: config.KindFeed, URL: fast.URL + "/rss.xml"},
	})
	if got := tc.runOnce(t); len(got) != 9 {
		t.Fatalf("got %d articles, want 9", len(got))
	}
	reqs := log.all()
	checkSpacing(t, reqs, map[string]time.Duration{"slow": time.Second})
	var slowArticles int
	for _, r := range reqs {
		if r.host == "slow" && strings.HasPrefix(r.path, "/a/") {
			slowArticles++
		}
		if r.host == "fast" && slowArticles > 1 {
			t.Errorf("fast host's %s waited behind the slow host's second article", r.path)
		}
	}
}

// TestHostsServedFairly queues articles of three hosts with the same delay for one
// worker: they are fetched in turn, not one host's backlog after another's.
func TestHostsServedFairly(t *testing.T) {
	log := &requestLog{}
	var sources []config.Source
	delays := map[string]time.Duration{}
	for _, name := range []string{"a", "b", "c"} {
		s := newsHost(t, log, name, 4, "User-agent: *\nAllow: /\n")
		sources = append(sources, config.Source{Name: name, Kind: config.KindFeed, URL: s.URL + "/rss.xml"})
		delays[name] = 100 * time.Millisecond
	}
	cfg := testConfig()
	cfg.Workers, cfg.HostParallelism = 1, 2
	cfg.HostDelay = config.Duration(100 * time.Millisecond)
	tc := newTestCrawler(t, cfg, sources)
	if got := tc.runOnce(t); len(got) != 12 {
		t.Fatalf("got %d articles, want 12", len(got))
	}
	reqs := log.all()
	checkSpacing(t, reqs, delays)
	var order []string
	for _, r := range reqs {
		if strings.HasPrefix(r.path, "/a/") {
			order = append(order, r.host)
		}
	}
	for i := 0; i+3 <= len(order); i += 3 {
		turn := map[string]bool{order[i]: true, order[i+1]: true, order[i+2]: true}
		if len(turn) != 3 {
			t.Fatalf("article fetches by host %v: want each turn of three to visit every host", order)
		}
	}
}

// TestPortalPagesSpacedWithinOnePoll reads a portal of three section pages on one host:
// the poll's own requests keep the host's delay too.
func TestPortalPagesSpacedWithinOnePoll(t *testing.T) {
	log := &requestLog{}
	s := newSite(t)
	s.Config.Handler = log.wrap("portal", s.Config.Handler)
	for i := range 3 {
		s.handleHTML(fmt.Sprintf("/s/%d", i), fmt.Sprintf(`<html><body><a href="/a/%d">Berita %d</a></body></html>`, i, i))
		s.handleHTML(fmt.Sprintf("/a/%d", i), articlePage(i, fmt.Sprintf("Berita %d", i)))
	}
	cfg := testConfig()
	cfg.Workers, cfg.HostParallelism = 4, 2
	cfg.HostDelay = config.Duration(150 * time.Millisecond)
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "portal", Kind: config.KindPortal, URL: s.URL + "/s/0", URLs: []string{s.URL + "/s/1", s.URL + "/s/2"}}})
	if got := tc.runOnce(t); len(got) != 3 {
		t.Fatalf("got %v, want 3 articles", urlsOf(got))
	}
	checkSpacing(t, log.all(), map[string]time.Duration{"portal": 150 * time.Millisecond})
}
