package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// The local API lets `pantau report`, `sql` and `sources` read through a running `pantau run`
// that holds the embedded store (ClickHouse lets one process use a data folder at a time).
// Its endpoints answer only requests from a loopback address that carry the token the run
// wrote into the data folder (EndpointFile), so only a user who can read the store's files
// can query it, and a web page the user visits cannot.

// EndpointFile is the file, in the embedded store's data folder, where `pantau run` writes
// its local API's address and token while it runs (mode 0600).
const EndpointFile = "pantau-api.json"

// Endpoint is the content of EndpointFile.
type Endpoint struct {
	// Addr is the address the run's HTTP server listens on.
	Addr string `json:"addr"`
	// Token is sent as "Authorization: Bearer TOKEN" with every local API request.
	Token string `json:"token"`
}

// maxSQLBytes bounds the body of a /api/sql request.
const maxSQLBytes = 1 << 20

// PublishEndpoint writes a new token and addr into dir's EndpointFile and returns the
// endpoint and a function that removes the file.
func PublishEndpoint(dir, addr string) (Endpoint, func(), error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Endpoint{}, nil, err
	}
	ep := Endpoint{Addr: addr, Token: hex.EncodeToString(b)}
	data, err := json.Marshal(ep)
	if err != nil {
		return Endpoint{}, nil, err
	}
	path := filepath.Join(dir, EndpointFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return Endpoint{}, nil, fmt.Errorf("write local API endpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return Endpoint{}, nil, fmt.Errorf("write local API endpoint: %w", err)
	}
	return ep, func() { _ = os.Remove(path) }, nil
}

// ReadEndpoint reads the endpoint a running `pantau run` wrote into dir.
func ReadEndpoint(dir string) (Endpoint, error) {
	data, err := os.ReadFile(filepath.Join(dir, EndpointFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Endpoint{}, fmt.Errorf("the process holding %s serves no local API (it runs with http.listen off, or is not pantau run)", dir)
		}
		return Endpoint{}, err
	}
	var ep Endpoint
	if err := json.Unmarshal(data, &ep); err != nil || ep.Addr == "" || ep.Token == "" {
		return Endpoint{}, fmt.Errorf("%s: not a local API endpoint", filepath.Join(dir, EndpointFile))
	}
	return ep, nil
}

// LocalAPIOptions configures LocalAPI.
type LocalAPIOptions struct {
	// Store is the store the API reads; user SQL reaches it only through storage.QueryUser.
	Store storage.Store
	// Sources are the configured sources /api/sources reports on.
	Sources []config.Source
	// Token must be presented by every request.
	Token string
	// Timeout bounds one request's queries (config.LocalAPITimeout).
	Timeout time.Duration
	// Logger receives failures.
	Logger *slog.Logger
}

// LocalAPI returns the handlers of the local API, keyed by pattern, for NewMux:
//
//   - POST /api/sql?format=tsv|json&header=1: the body is one read-only query, run through
//     storage.QueryUser; the answer is what `pantau sql` prints. 400 for a refused query.
//   - GET /api/sources?window=DURATION: the configured sources' status as a JSON array of
//     storage.SourceStatus.
//
// Both answer 403 to a request that does not come from a loopback address and 401 to one
// without the token.
func LocalAPI(opts LocalAPIOptions) (map[string]http.Handler, error) {
	if opts.Timeout <= 0 || opts.Logger == nil {
		return nil, fmt.Errorf("web: local API needs a positive timeout (config.LocalAPITimeout) and a logger; got timeout %s", opts.Timeout)
	}
	guard := func(h http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !fromLoopback(r) {
				http.Error(w, "the local API answers loopback clients only", http.StatusForbidden)
				return
			}
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(opts.Token)) != 1 || opts.Token == "" {
				http.Error(w, "missing or wrong token (see "+EndpointFile+" in the data folder)", http.StatusUnauthorized)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), opts.Timeout)
			defer cancel()
			w.Header().Set("Cache-Control", "no-store")
			h(w, r.WithContext(ctx))
		})
	}
	sql := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSQLBytes))
		if err != nil {
			http.Error(w, fmt.Sprintf("query: longer than %d bytes or unreadable: %v", maxSQLBytes, err), http.StatusBadRequest)
			return
		}
		format := r.URL.Query().Get("format")
		if format != "" && format != "tsv" && format != "json" {
			http.Error(w, fmt.Sprintf("format %q: want tsv or json", format), http.StatusBadRequest)
			return
		}
		res, err := storage.QueryUser(r.Context(), opts.Store, string(body))
		if err != nil {
			// The analyst's own mistake (refused or failing SQL) goes back to them, not to the log.
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if format == "json" {
			w.Header().Set("Content-Type", "application/x-ndjson")
			err = res.WriteJSONLines(w)
		} else {
			w.Header().Set("Content-Type", "text/tab-separated-values; charset=utf-8")
			err = res.WriteTSV(w, r.URL.Query().Get("header") == "1")
		}
		if err != nil {
			opts.Logger.Warn("local API: answer not written", "path", r.URL.Path, "err", err)
		}
	}
	sources := func(w http.ResponseWriter, r *http.Request) {
		window := 24 * time.Hour
		if s := r.URL.Query().Get("window"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				http.Error(w, fmt.Sprintf("window %q: want a positive duration such as 24h", s), http.StatusBadRequest)
				return
			}
			window = d
		}
		st, err := storage.SourceStatuses(r.Context(), opts.Store, opts.Sources, time.Now().Add(-window))
		if err != nil {
			opts.Logger.Error("local API: sources", "err", err)
			http.Error(w, "sources unavailable: the store did not answer", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	}
	return map[string]http.Handler{"POST /api/sql": guard(sql), "GET /api/sources": guard(sources)}, nil
}

// fromLoopback reports whether r came from a loopback address.
func fromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// dialAddr is where a client on this machine reaches a server listening on addr: a
// wildcard host (":9464", "0.0.0.0:9464", "[::]:9464") is reached on 127.0.0.1.
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
