package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// TestLocalAPI serves the local API on loopback over a real embedded store and checks its
// rules (loopback clients with the token only; user SQL through storage.QueryUser) and
// that the Client reads through it what the store holds.
func TestLocalAPI(t *testing.T) {
	s := reportFixture(t)
	dir := t.TempDir()
	srv := httptest.NewUnstartedServer(nil) // listens on 127.0.0.1
	ep, unpublish, err := PublishEndpoint(dir, srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sources := []config.Source{{Name: "antara", Kind: config.KindFeed}, {Name: "off", Kind: config.KindFeed, Disabled: true}}
	report := must(t)(ReportHandler(s, reportOptions()))
	handlers, err := LocalAPI(LocalAPIOptions{Store: s, Sources: sources, Token: ep.Token, Timeout: config.LocalAPITimeout, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	handlers["GET /api/report"] = report
	srv.Config.Handler = NewMux(nil, nil, handlers)
	srv.Start()
	defer srv.Close()

	got, err := ReadEndpoint(dir)
	if err != nil || got != ep {
		t.Fatalf("ReadEndpoint = %+v, %v; want %+v", got, err, ep)
	}
	if fi, err := os.Stat(filepath.Join(dir, EndpointFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("endpoint file: %v, %v; want mode 0600", fi, err)
	}
	c, err := NewClient(ep)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("sql", func(t *testing.T) {
		var b strings.Builder
		if err := c.SQL(ctx, "SELECT programme, count() AS n FROM mentions FINAL WHERE programme = 'ektp' GROUP BY programme", false, true, &b); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.String(), "programme\tn\nektp\t") {
			t.Errorf("tsv: %q", b.String())
		}
		b.Reset()
		if err := c.SQL(ctx, "SELECT 1 AS one", true, false, &b); err != nil || b.String() != "{\"one\":1}\n" {
			t.Errorf("json: %q, %v", b.String(), err)
		}
		for _, q := range []string{"DROP TABLE mentions", "SELECT * FROM file('/etc/passwd', 'LineAsString')", "SELECT * FROM url('http://127.0.0.1:1/', 'CSV')", "INSERT INTO mentions (programme) VALUES ('x')"} {
			if err := c.SQL(ctx, q, false, false, &b); err == nil || !strings.Contains(err.Error(), "not a read-only query") {
				t.Errorf("%q: err = %v, want refused", q, err)
			}
		}
	})
	t.Run("sources", func(t *testing.T) {
		st, err := c.Sources(ctx, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 2 || st[0].Name != "antara" || st[1].State != storage.SourceDisabled {
			t.Errorf("sources: %+v", st)
		}
	})
	t.Run("report", func(t *testing.T) {
		rep, err := c.Report(ctx, 2*time.Hour, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Window != 2*time.Hour || len(rep.Items) != 2 || rep.Items[0].Programme != "ektp" {
			t.Errorf("report: window %s, items %+v", rep.Window, rep.Items)
		}
	})
	t.Run("token", func(t *testing.T) {
		for _, tt := range []struct {
			name, method, path, auth string
			want                     int
		}{
			{"no token", http.MethodPost, "/api/sql", "", http.StatusUnauthorized},
			{"wrong token", http.MethodPost, "/api/sql", "Bearer " + strings.Repeat("0", 64), http.StatusUnauthorized},
			{"token without Bearer", http.MethodPost, "/api/sql", ep.Token, http.StatusUnauthorized},
			{"sources without token", http.MethodGet, "/api/sources", "", http.StatusUnauthorized},
			{"sql by GET", http.MethodGet, "/api/sql", "Bearer " + ep.Token, http.StatusMethodNotAllowed},
			{"good", http.MethodPost, "/api/sql", "Bearer " + ep.Token, http.StatusOK},
		} {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader("SELECT 1"))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Errorf("%s: status %d, want %d", tt.name, res.StatusCode, tt.want)
			}
		}
	})
	t.Run("not loopback", func(t *testing.T) {
		// A request that arrived from another machine is refused even with the token.
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/sql", strings.NewReader("SELECT 1"))
		req.RemoteAddr = "192.0.2.10:40000"
		req.Header.Set("Authorization", "Bearer "+ep.Token)
		handlers["POST /api/sql"].ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("status %d, want 403", rec.Code)
		}
		if _, err := NewClient(Endpoint{Addr: "192.0.2.10:9464", Token: "x"}); err == nil {
			t.Errorf("client accepted an endpoint off loopback")
		}
		if c, err := NewClient(Endpoint{Addr: "0.0.0.0:9464", Token: "x"}); err != nil || c.base != "http://127.0.0.1:9464" {
			t.Errorf("wildcard listen address: %v", err)
		}
	})
	unpublish()
	if _, err := ReadEndpoint(dir); err == nil || !strings.Contains(err.Error(), "serves no local API") {
		t.Errorf("after unpublish: %v", err)
	}
}
