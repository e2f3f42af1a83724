// Package web is the HTTP face of `pantau run`: /metrics, /healthz, /readyz and the
// "needs a response" report (/report as an HTML page, /api/report as JSON), and the same
// report as text for the terminal (`pantau report`).
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ReadyFunc reports whether the process can do its work; a nil error means ready.
type ReadyFunc func(ctx context.Context) error

// NewMux returns the handler of `pantau run`'s HTTP server: /metrics from g, /healthz
// (the process answers), /readyz (ready reports nil within two seconds), and the extra
// handlers keyed by pattern (the report pages).
func NewMux(g prometheus.Gatherer, ready ReadyFunc, extra map[string]http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	for pattern, h := range extra {
		mux.Handle(pattern, h)
	}
	return mux
}

// Listen opens the server's listener, so that a busy port fails before anything starts.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves h on ln until ctx is done, then shuts down gracefully: requests in
// flight get up to five seconds. It closes ln, and returns nil after a shutdown on ctx,
// else the error that stopped the server.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String())
	select {
	case err := <-served: // the server failed before it was asked to stop
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("http server shutdown: %w", err)
	}
	return nil
}

// needs refuses a handler's options without a clock, a positive timeout or a logger.
func needs(handler string, now func() time.Time, timeout time.Duration, log *slog.Logger) error {
	if now == nil || timeout <= 0 || log == nil {
		return fmt.Errorf("web: %s handler needs a clock, a positive timeout (config.RequestTimeout) and a logger; got timeout %s", handler, timeout)
	}
	return nil
}
