package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// TestTransient checks which article failures are tried again on a later poll, by the
// error's type, however deeply it is wrapped (fmt.Errorf, *url.Error, *net.OpError).
func TestTransient(t *testing.T) {
	wrap := func(err error) error {
		return fmt.Errorf("fetch https://example.id/a: %w", &url.Error{Op: "Get", URL: "https://example.id/a", Err: err})
	}
	opErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: errno}}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"back-off refused before sending", &BackOffError{Host: "example.id", Wait: time.Minute}, true},
		{"429 answer", &BackOffError{Host: "example.id", Wait: time.Minute, Err: &httpStatusError{status: 429}}, true},
		{"503 answer", &httpStatusError{status: 503}, true},
		{"404 answer", &httpStatusError{status: 404}, false},
		{"3xx answer without a redirect", &httpStatusError{status: 399}, false},
		{"connection refused", opErr(syscall.ECONNREFUSED), true},
		{"connection reset", opErr(syscall.ECONNRESET), true},
		{"dns", &net.DNSError{Err: "no such host", Name: "example.id", IsNotFound: true}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"cancelled", context.Canceled, true},
		{"network timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, true},
		{"unknown", errors.New("no response"), true},
		{"tls certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, false},
		{"tls record", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, false},
		{"blocked address", ErrBlockedAddress, false},
		{"too large", ErrTooLarge, false},
		{"redirects", ErrTooManyRedirects, false},
		{"robots", ErrRobotsDisallowed, false},
		{"no content", ErrNoContent, false},
		{"parse", &parseError{errors.New("bad xml")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transient(wrap(tt.err)); got != tt.want {
				t.Errorf("transient(%v) = %v, want %v (class %s)", wrap(tt.err), got, tt.want, errorClass(wrap(tt.err)))
			}
		})
	}
}

// TestBackOffErrorCarriesWait fetches from a host that answers 429 with Retry-After: the
// error carries the host's wait and keeps its http_429 class; the next fetch to the host is
// not sent and its error carries what is left of the wait.
func TestBackOffErrorCarriesWait(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}}, WithClock(clk.now))
	ctx := context.Background()

	_, err := tc.f.fetch(ctx, "f", FetchArticle, s.URL+"/busy", fetchOpts{})
	var bo *BackOffError
	if !errors.As(err, &bo) || !errors.Is(err, ErrBackOff) {
		t.Fatalf("fetch error %v: want a *BackOffError matching ErrBackOff", err)
	}
	if bo.Wait != 120*time.Second || bo.Err == nil || errorClass(err) != "http_429" {
		t.Errorf("first answer: wait %v, cause %v, class %s; want 2m0s, the 429, http_429", bo.Wait, bo.Err, errorClass(err))
	}

	clk.add(30 * time.Second)
	_, err = tc.f.fetch(ctx, "f", FetchArticle, s.URL+"/later", fetchOpts{})
	if !errors.As(err, &bo) || bo.Err != nil || bo.Wait != 90*time.Second || errorClass(err) != "backoff" {
		t.Errorf("fetch during the wait: %v (class %s); want a back-off of 1m30s left, class backoff", err, errorClass(err))
	}
	if n := s.hitCount("/later"); n != 0 {
		t.Errorf("host contacted %d times during its back-off", n)
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{0: "error", 99: "error", 100: "1xx", 200: "2xx", 304: "3xx", 404: "4xx", 429: "4xx", 503: "5xx", 599: "5xx", 600: "error"} {
		if got := StatusClass(status); got != want {
			t.Errorf("StatusClass(%d) = %q, want %q", status, got, want)
		}
	}
}

// TestBackOffWithoutRetryAfterDoubles fetches from a host that answers 503 without
// Retry-After: it is left alone 10 s, then 20 s, then 40 s; a success starts again at 10 s.
func TestBackOffWithoutRetryAfterDoubles(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	up := false
	s.mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "<html><body>ok</body></html>")
	})
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "f", Kind: config.KindFeed, URL: s.URL + "/rss.xml"}}, WithClock(clk.now))
	fetchWait := func() time.Duration {
		t.Helper()
		_, err := tc.f.fetch(context.Background(), "f", FetchArticle, s.URL+"/page", fetchOpts{})
		var bo *BackOffError
		if !errors.As(err, &bo) || bo.Err == nil {
			t.Fatalf("fetch error %v: want a 503 back-off", err)
		}
		clk.add(bo.Wait)
		return bo.Wait
	}
	for i, want := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		if got := fetchWait(); got != want {
			t.Errorf("503 number %d: back-off %v, want %v", i+1, got, want)
		}
	}
	mu.Lock()
	up = true
	mu.Unlock()
	if _, err := tc.f.fetch(context.Background(), "f", FetchArticle, s.URL+"/page", fetchOpts{}); err != nil {
		t.Fatalf("fetch after the back-off: %v", err)
	}
	mu.Lock()
	up = false
	mu.Unlock()
	if got := fetchWait(); got != 10*time.Second {
		t.Errorf("503 after a success: back-off %v, want 10s again", got)
	}
}
