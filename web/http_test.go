package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestServeLifecycle serves the mux on loopback: it answers until its context ends, then
// Serve returns nil and the port is closed; a server that cannot serve returns its error.
func TestServeLifecycle(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	notReady := errors.New("store down")
	mux := NewMux(prometheus.NewRegistry(), func(context.Context) error { return notReady }, nil)

	t.Run("serves until cancelled", func(t *testing.T) {
		ln, err := Listen("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- Serve(ctx, ln, mux, logger) }()
		base := "http://" + ln.Addr().String()
		for path, want := range map[string]int{"/healthz": 200, "/metrics": 200, "/readyz": 503} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s: status %d, want %d", path, resp.StatusCode, want)
			}
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve = %v after cancellation, want nil", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Serve did not return within 30s of cancellation")
		}
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
			t.Error("port still open after Serve returned")
		}
	})

	t.Run("busy port", func(t *testing.T) {
		ln, err := Listen("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		if _, err := Listen(ln.Addr().String()); err == nil {
			t.Error("Listen on a busy port succeeded")
		}
	})

	t.Run("listener fails", func(t *testing.T) {
		ln, err := Listen("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		if err := Serve(context.Background(), ln, mux, logger); err == nil || !errors.Is(err, net.ErrClosed) {
			t.Errorf("Serve on a closed listener = %v, want its error", err)
		}
	})
}
