package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pantau-id/pantau/config"
)

// site is a loopback test web site that counts requests per path.
type site struct {
	*httptest.Server
	mux  *http.ServeMux
	mu   sync.Mutex
	hits map[string]int
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{mux: http.NewServeMux(), hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		s.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// handleHTML serves body as a UTF-8 HTML page at path.
func (s *site) handleHTML(path, body string) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
}

// articlePage returns a realistic Indonesian article page with text unique to n.
func articlePage(n int, title string) string {
	return fmt.Sprintf(`<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>%[2]s</title>
<meta property="article:published_time" content="2024-05-0%[3]dT10:0%[3]d:00+07:00"></head>
<body><nav><a href="/">Beranda</a> <a href="/nasional">Nasional</a> <a href="/regional">Regional</a></nav>
<div class="ads">Advertisement</div>
<article><h1>%[2]s</h1>
<p>Laporan nomor %[1]d: Pemerintah kota menyatakan program penerangan jalan umum di kecamatan ke-%[1]d akan diperluas tahun ini, setelah warga berulang kali mengeluhkan jalan gelap yang rawan kecelakaan dan kejahatan pada malam hari.</p>
<p>Kepala dinas perhubungan mengatakan anggaran tambahan untuk %[1]d titik lampu baru sudah disetujui dewan, dan pemasangan ditargetkan selesai sebelum akhir tahun. Warga diminta melaporkan lampu yang padam melalui layanan pengaduan daring.</p>
<p>Sejumlah warga menyambut baik rencana itu, namun berharap pemeliharaan lampu yang sudah ada juga diperhatikan, karena banyak lampu yang rusak dibiarkan berbulan-bulan tanpa perbaikan.</p>
</article><aside><h3>Berita Terkait</h3><a href="/x">Lainnya</a></aside><footer>Hak cipta</footer></body></html>`, n, title, n%9+1)
}

// loopbackDialer dials loopback addresses only and fails the test on any other.
func loopbackDialer(t testing.TB) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.IsLoopback() {
			t.Errorf("dial to non-loopback address %s", addr)
			return nil, errors.New("test dialer: non-loopback address refused")
		}
		return (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, network, addr)
	}
}

// fakeResolver answers from a fixed table and never touches the network.
type fakeResolver map[string][]string

func (f fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

func testConfig() config.Crawler {
	return config.Crawler{
		UserAgent:       "PantauTest/1",
		ContactURL:      "https://example.org/bot",
		Timeout:         config.Duration(5 * time.Second),
		MaxBodyBytes:    1 << 20,
		MaxRedirects:    3,
		HostParallelism: 2,
		Workers:         4,
		AllowPrivate:    []string{"127.0.0.0/8"},
		MinInterval:     config.Duration(time.Minute),
		MaxInterval:     config.Duration(time.Hour),
	}
}

// fetchLog collects Fetch records.
type fetchLog struct {
	mu      sync.Mutex
	fetches []Fetch
}

func (l *fetchLog) observe(f Fetch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fetches = append(l.fetches, f)
}

func (l *fetchLog) classes(kind string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, f := range l.fetches {
		if kind == "" || f.Kind == kind {
			out = append(out, f.ErrorClass)
		}
	}
	return out
}

func (l *fetchLog) has(kind, class string) bool {
	for _, c := range l.classes(kind) {
		if c == class {
			return true
		}
	}
	return false
}

type testCrawler struct {
	*Crawler
	reg *prometheus.Registry
	log *fetchLog
}

func newTestCrawler(t *testing.T, cfg config.Crawler, sources []config.Source, opts ...Option) *testCrawler {
	t.Helper()
	tc := &testCrawler{reg: prometheus.NewRegistry(), log: &fetchLog{}}
	base := []Option{
		WithRegisterer(tc.reg),
		WithDialer(loopbackDialer(t)),
		WithResolver(fakeResolver{}),
		WithFetchObserver(tc.log.observe),
	}
	c, err := New(cfg, sources, append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tc.Crawler = c
	return tc
}

// runOnce runs one crawl and returns the articles it produced.
func (tc *testCrawler) runOnce(t *testing.T) []Article {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make(chan Article)
	errc := make(chan error, 1)
	go func() {
		errc <- tc.RunOnce(ctx, out)
		close(out)
	}()
	var got []Article
	for a := range out {
		a.Ack(nil) // stored, as far as this test is concerned
		got = append(got, a)
	}
	if err := <-errc; err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return got
}

func urlsOf(as []Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.CanonicalURL)
	}
	return out
}

func hasSuffixIn(list []string, suffix string) bool {
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

// metricValue reads a counter or gauge.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	}
	t.Fatalf("not a counter or gauge: %v", m.Desc())
	return 0
}

// countSeries returns the number of series of a metric family in reg.
func countSeries(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}
