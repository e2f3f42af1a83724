package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/pantau-id/pantau/config"
)

func TestGuardAllowed(t *testing.T) {
	g, err := newGuard([]string{"10.1.0.0/16"}, fakeResolver{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want bool
	}{
		{"93.184.216.34", true},
		{"2606:4700::1111", true},
		{"127.0.0.1", false},
		{"10.0.0.1", false},
		{"10.1.2.3", true}, // in allow_private
		{"172.16.5.4", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"::1", false},
		{"::", false},
		{"fe80::1", false},
		{"fd00::1", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"2002:a9fe:a9fe::1", false},  // 6to4 of 169.254.169.254
		{"2002:5db8:d822::1", true},   // 6to4 of a public address
		{"64:ff9b::5db8:d822", true},  // NAT64 of a public address
		// IPv4 carried in other IPv6 forms.
		{"::a9fe:a9fe", false},                    // IPv4-compatible 169.254.169.254
		{"::7f00:1", false},                       // IPv4-compatible 127.0.0.1
		{"::5db8:d822", false},                    // IPv4-compatible, even of a public address
		{"::ffff:0:a9fe:a9fe", false},             // IPv4-translated 169.254.169.254
		{"::ffff:0:7f00:1", false},                // IPv4-translated 127.0.0.1
		{"64:ff9b:1::a9fe:a9fe", false},           // NAT64 local use
		{"64:ff9b:1:ffff::1", false},              // NAT64 local use
		{"2001:0:4136:e378::1", false},            // Teredo
		{"2001:0:5db8:d822:0:0:5647:fffe", false}, // Teredo with a 169.254.x client
		{"2001:10::1", false},                     // ORCHID
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := g.allowed(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("allowed(%s) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestGuardDialRefusesBeforeDialing(t *testing.T) {
	g, err := newGuard(nil, fakeResolver{
		"metadata.internal": {"169.254.169.254"},
		"mixed.example":     {"10.0.0.7", "127.0.0.1"},
	}, loopbackDialer(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"169.254.169.254:80", "metadata.internal:80", "mixed.example:443", "[::1]:80"} {
		t.Run(addr, func(t *testing.T) {
			_, err := g.DialContext(context.Background(), "tcp", addr)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("DialContext(%s) = %v, want ErrBlockedAddress", addr, err)
			}
		})
	}
	t.Run("unknown host", func(t *testing.T) {
		_, err := g.DialContext(context.Background(), "tcp", "nowhere.example:80")
		if errorClass(err) != "dns" {
			t.Errorf("class = %q, want dns (err %v)", errorClass(err), err)
		}
	})
}

func TestSSRFLinksRefused(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel>
<item><link>http://169.254.169.254/latest/meta-data/</link></item>
<item><link>http://metadata.internal/computeMetadata/v1/</link></item>
<item><link>http://intranet.example/berita/1</link></item>
<item><link>%s/redirect-to-metadata</link></item>
</channel></rss>`, s.URL)
	})
	s.mux.HandleFunc("/redirect-to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam", http.StatusFound)
	})
	cfg := testConfig()
	cfg.IgnoreRobots = true // keep the count of fetches to the articles themselves
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}},
		WithResolver(fakeResolver{
			"metadata.internal": {"169.254.169.254"},
			"intranet.example":  {"10.20.30.40", "fd12::1"},
		}))
	if got := tc.runOnce(t); len(got) != 0 {
		t.Fatalf("got %v, want nothing", urlsOf(got))
	}
	n := 0
	for _, c := range tc.log.classes("article") {
		if c == "blocked_private" {
			n++
		}
	}
	if n != 4 {
		t.Errorf("blocked_private fetches = %d, want 4: %v", n, tc.log.classes("article"))
	}
	if v := metricValue(t, tc.m.sourceErrors.WithLabelValues("f", "blocked_private")); v != 4 {
		t.Errorf("source_errors{blocked_private} = %v, want 4", v)
	}
}

func TestLoopbackRefusedWithoutAllowPrivate(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed(s.URL, "/x")) })
	cfg := testConfig()
	cfg.AllowPrivate = nil
	tc := newTestCrawler(t, cfg, []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}})
	tc.runOnce(t)
	if s.hitCount("/rss.xml") != 0 {
		t.Error("loopback feed fetched without allow_private")
	}
	if v := metricValue(t, tc.m.sourceErrors.WithLabelValues("f", "blocked_private")); v != 1 {
		t.Errorf("source_errors{blocked_private} = %v, want 1", v)
	}
}
