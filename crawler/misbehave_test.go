package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// TestMisbehavingServers runs one source against each kind of misbehaving server and
// checks the source's state afterwards: nothing crashes, hangs or grows without bound.
func TestMisbehavingServers(t *testing.T) {
	tests := []struct {
		name     string
		handler  func(s *site) http.HandlerFunc
		resolver fakeResolver
		feed     bool // the handler serves the feed itself; else an article linked from it
		// want
		failures  uint32
		lastError string
		articles  int
		fetchErr  string // error class of the article fetch
	}{
		{
			name: "slow feed body", feed: true, failures: 1, lastError: "timeout",
			handler: func(s *site) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title>`)
					for range 50 {
						w.(http.Flusher).Flush()
						select {
						case <-r.Context().Done():
							return
						case <-time.After(100 * time.Millisecond):
						}
						fmt.Fprint(w, " ")
					}
				}
			},
		},
		{
			name: "5xx feed", feed: true, failures: 1, lastError: "http_5xx",
			handler: func(s *site) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) }
			},
		},
		{
			name: "malformed XML", feed: true, failures: 1, lastError: "parse",
			handler: func(s *site) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprint(w, `<?xml version="1.0"?><rss><channel><item><link>`+strings.Repeat("<a>", 10000))
				}
			},
		},
		{
			name: "redirect loop on the feed", feed: true, failures: 1, lastError: "redirects",
			handler: func(s *site) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, r.URL.Path+"?n="+r.URL.Query().Get("n")+"x", http.StatusFound)
				}
			},
		},
		{
			name: "1 GB article body, streamed", fetchErr: "too_large",
			handler: func(s *site) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					chunk := []byte("<p>" + strings.Repeat("isi ", 16<<10) + "</p>")
					for sent := 0; sent < 1<<30; sent += len(chunk) {
						if _, err := w.Write(chunk); err != nil {
							return // the crawler hung up at its cap
						}
					}
				}
			},
		},
		{
			name: "1 GB declared Content-Length", fetchErr: "too_large",
			handler: func(s *site) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", fmt.Sprint(1<<30))
					w.Write([]byte("<html>"))
				}
			},
		},
		{
			name: "article link to the metadata address", fetchErr: "blocked_private",
			handler: func(s *site) http.HandlerFunc { return nil },
		},
		{
			name: "article host resolving to the metadata address", fetchErr: "blocked_private",
			resolver: fakeResolver{"metadata.pantau.test": {"169.254.169.254"}},
			handler:  func(s *site) http.HandlerFunc { return nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			h := tt.handler(s)
			feedPath := "/rss.xml"
			if tt.feed {
				s.mux.HandleFunc(feedPath, h)
			} else {
				link := s.URL + "/bad"
				switch {
				case h != nil:
					s.mux.HandleFunc("/bad", h)
				case tt.resolver != nil:
					link = "http://metadata.pantau.test/latest/meta-data/"
				default:
					link = "http://169.254.169.254/latest/meta-data/"
				}
				s.mux.HandleFunc(feedPath, func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, `<rss version="2.0"><channel><title>T</title><item><link>%s</link></item><item><link>%s/ok</link></item></channel></rss>`, link, s.URL)
				})
				s.handleHTML("/ok", articlePage(1, "Baik"))
			}
			cfg := testConfig()
			cfg.Timeout = config.Duration(time.Second)
			opts := []Option{}
			if tt.resolver != nil {
				opts = append(opts, WithResolver(tt.resolver))
			}
			tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + feedPath}}, opts...)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got := tc.runOnce(t)
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Errorf("allocated %d MiB, want bounded by the body cap", grew>>20)
			}
			st := tc.States()[0]
			if st.Failures != tt.failures || st.LastError != tt.lastError {
				t.Errorf("state: failures %d, last error %q; want %d, %q", st.Failures, st.LastError, tt.failures, tt.lastError)
			}
			if tt.feed {
				if len(got) != 0 {
					t.Errorf("got %d articles from a broken feed", len(got))
				}
				if st.NextPoll.IsZero() {
					t.Error("no next poll scheduled")
				}
				return
			}
			if len(got) != 1 || !strings.HasSuffix(got[0].URL, "/ok") {
				t.Errorf("got %v, want the good article only", urlsOf(got))
			}
			if !tc.log.has("article", tt.fetchErr) {
				t.Errorf("article fetch classes %v, want %s", tc.log.classes("article"), tt.fetchErr)
			}
		})
	}
}

func TestRetryAfterOnFeedDelaysNextPoll(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1800")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}}, WithClock(clk.now))
	tc.runOnce(t)
	st := tc.States()[0]
	if st.LastError != "http_5xx" || st.NextPoll.Sub(clk.now()) < 30*time.Minute {
		t.Fatalf("state %+v: want the next poll at least 30 minutes (Retry-After) ahead", st)
	}
	tc.runOnce(t) // inside the back-off: the host is not contacted
	if n := s.hitCount("/rss.xml"); n != 1 {
		t.Errorf("feed fetched %d times during Retry-After, want 1", n)
	}
}

func TestHostStateEvicted(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title></channel></rss>`)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}}, WithClock(clk.now))
	tc.runOnce(t)
	if n := tc.f.hostCount(); n != 1 {
		t.Fatalf("hosts = %d, want 1", n)
	}
	clk.add(hostIdle + hostSweepEvery)
	tc.f.host("other.example") // any lookup sweeps
	if n := tc.f.hostCount(); n != 1 {
		t.Errorf("hosts after idle period = %d, want 1 (the idle one evicted, the new one kept)", n)
	}
}

func TestCrawlDelayRefreshed(t *testing.T) {
	s := newSite(t)
	var delay atomic.Value
	delay.Store("0")
	s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: "+delay.Load().(string)+"\n")
	})
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title></channel></rss>`)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}}, WithClock(clk.now))
	tc.runOnce(t)
	host := strings.TrimPrefix(s.URL, "http://")
	if d := tc.f.host(host).delay; d != 0 {
		t.Fatalf("delay = %v, want 0", d)
	}
	delay.Store("1")
	clk.add(robotsTTL + time.Minute)
	tc.runOnce(t)
	if d := tc.f.host(host).delay; d != time.Second {
		t.Errorf("delay after robots.txt refresh = %v, want 1s", d)
	}
	if n := s.hitCount("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}

// TestLargeRobotsTxtIsTruncated serves a robots.txt larger than both the body cap and
// maxRobotsBytes, with its Content-Length declared: its start is read and obeyed, and the host
// stays crawlable (the feed is fetched; the disallowed article is not).
func TestLargeRobotsTxtIsTruncated(t *testing.T) {
	s := newSite(t)
	robots := "User-agent: *\nDisallow: /private/\n" + strings.Repeat("# padding line to make the file large\n", (maxRobotsBytes+200<<10)/38)
	s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(robots)))
		io.WriteString(w, robots)
	})
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>T</title>
<item><title>Open</title><link>%[1]s/open.html</link></item>
<item><title>Private</title><link>%[1]s/private/secret.html</link></item></channel></rss>`, s.URL)
	})
	article := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><article><h1>Judul</h1><p>`+strings.Repeat("Isi berita yang cukup panjang untuk diekstrak. ", 10)+`</p></article></body></html>`)
	}
	s.mux.HandleFunc("/open.html", article)
	s.mux.HandleFunc("/private/secret.html", article)
	cfg := testConfig()
	cfg.MaxBodyBytes = 64 << 10 // smaller than the robots.txt
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	got := urlsOf(tc.runOnce(t))
	if len(got) != 1 || !strings.HasSuffix(got[0], "/open.html") {
		t.Errorf("articles %v, want only /open.html", got)
	}
	if n := s.hitCount("/private/secret.html"); n != 0 {
		t.Errorf("disallowed page fetched %d times", n)
	}
	if n := s.hitCount("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", n)
	}
}

// flakySeen fails while failing is set, as the store does during a short outage, and
// otherwise reports nothing stored.
type flakySeen struct{ failing *atomic.Bool }

func (f flakySeen) Seen(ctx context.Context, urls []string) (map[string]bool, error) {
	if f.failing.Load() {
		return nil, errors.New("clickhouse: connection refused")
	}
	return map[string]bool{}, nil
}

// TestSeenFailureRetriesSoon checks that a feed whose items could not be checked against the
// store (the store down for a moment) is polled again at min_interval, with its interval
// unchanged, and that its items are queued on that poll.
func TestSeenFailureRetriesSoon(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>T</title><item><title>A</title><link>%s/a.html</link></item></channel></rss>`, s.URL)
	})
	s.mux.HandleFunc("/a.html", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><article><h1>Judul</h1><p>`+strings.Repeat("Isi berita yang cukup panjang untuk diekstrak. ", 10)+`</p></article></body></html>`)
	})
	var failing atomic.Bool
	failing.Store(true)
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	src := config.Source{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml", Interval: config.Duration(20 * time.Minute)}
	tc := newTestCrawler(t, testConfig(), []config.Source{src}, WithClock(clk.now), WithSeen(flakySeen{&failing}))
	if got := tc.runOnce(t); len(got) != 0 {
		t.Fatalf("%d articles while the store cannot be asked, want 0", len(got))
	}
	st := tc.States()[0]
	if wait := st.NextPoll.Sub(clk.now()); wait > time.Minute {
		t.Errorf("next poll in %v after a failed seen check, want min_interval (1m)", wait)
	}
	if st.Interval != 20*time.Minute {
		t.Errorf("interval %v after a failed seen check, want the source's 20m unchanged", st.Interval)
	}
	failing.Store(false)
	clk.add(time.Minute)
	if got := urlsOf(tc.runOnce(t)); len(got) != 1 {
		t.Errorf("articles on the next poll %v, want a.html", got)
	}
}
