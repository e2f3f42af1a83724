package web

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

var searchNow = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// storeSearchDocs stores three articles, one mentioning e-KTP critically.
func storeSearchDocs(t *testing.T, s storage.Store) {
	t.Helper()
	var arts []storage.Article
	for i, d := range []struct{ title, text string }{
		{"Blangko e-KTP kosong <script>", "Antrean panjang di Disdukcapil & warga kecewa. KTPnya belum jadi."},
		{"Jalan rusak di Koto Tangah", "Warga mengeluhkan jalan berlubang."},
		{"TPS pemilu siap", "Petugas menyiapkan TPS."},
	} {
		u := "https://langgam.example.id/berita/" + string(rune('a'+i))
		arts = append(arts, storage.Article{URL: u, CanonicalURL: u, Source: "langgam", SourceKind: "feed", Lang: "id",
			Title: d.title, Text: d.text, PublishedAt: searchNow.Add(-time.Duration(i+1) * time.Hour)})
	}
	ctx := context.Background()
	if err := storage.InsertRows(ctx, s, arts...); err != nil {
		t.Fatal(err)
	}
	m := storage.Mention{URLHash: storage.URLHash("https://langgam.example.id/berita/a"), Programme: "ektp", Unit: "Disdukcapil",
		Label: "negative", Criticism: true, PublishedAt: searchNow.Add(-time.Hour), Source: "langgam"}
	if err := storage.InsertRows(ctx, s, m); err != nil {
		t.Fatal(err)
	}
}

// searchServer serves /search over real HTTP on loopback, from a fresh store when s is nil.
func searchServer(t *testing.T, s storage.Store) *httptest.Server {
	if s == nil {
		s = storagetest.Embedded(t)
	}
	storeSearchDocs(t, s)
	mux := http.NewServeMux()
	mux.Handle("GET /report", must(t)(ReportHandler(s, emergingReportOptions())))
	mux.Handle("GET /search", must(t)(SearchHandler(s, SearchHandlerOptions{Programmes: []string{"ektp", "jalan"}, Now: func() time.Time { return searchNow },
		Timeout: config.RequestTimeout, Logger: slog.New(slog.DiscardHandler)})))
	srv := httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

func TestSearchPage(t *testing.T) {
	srv := searchServer(t, nil)
	get := func(params url.Values) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + "/search?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	t.Run("form", func(t *testing.T) {
		res, body := get(nil)
		if res.StatusCode != 200 || !strings.Contains(body, `<form method="get"`) || strings.Contains(body, `id="results"`) {
			t.Errorf("status %d, body %s", res.StatusCode, body)
		}
	})
	t.Run("results", func(t *testing.T) {
		res, body := get(url.Values{"q": {`ktp OR "jalan berlubang"`}})
		if res.StatusCode != 200 {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		for _, want := range []string{
			`Blangko e-<mark>KTP</mark> kosong &lt;script&gt;`,
			`Disdukcapil &amp; warga kecewa. <mark>KTPnya</mark> belum jadi.`,
			`Warga mengeluhkan <mark>jalan berlubang</mark>.`,
			`2 articles published`, `ektp`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "TPS pemilu") || strings.Contains(body, "<script>") {
			t.Errorf("page shows what it must not:\n%s", body)
		}
	})
	t.Run("filters", func(t *testing.T) {
		_, body := get(url.Values{"q": {`ktp OR jalan`}, "programme": {"ektp"}, "label": {"critical"}, "from": {"2026-05-04"}, "to": {"2026-05-04"}})
		if !strings.Contains(body, "1 article published") || strings.Contains(body, "Koto Tangah") {
			t.Errorf("filtered page:\n%s", body)
		}
	})
	t.Run("csv", func(t *testing.T) {
		res, body := get(url.Values{"q": {`ktp`}, "format": {"csv"}})
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("status %d, type %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][2] != "Blangko e-**KTP** kosong <script>" || rows[1][3] != "https://langgam.example.id/berita/a" {
			t.Errorf("csv %q, %v", rows, err)
		}
	})
	t.Run("bad query", func(t *testing.T) {
		res, body := get(url.Values{"q": {`jalan AND (rusak`}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `query &#34;jalan AND (rusak&#34;: column 17: expected ) to close (`) {
			t.Errorf("status %d, body %s", res.StatusCode, body)
		}
		res, body = get(url.Values{"q": {`"jalan`}, "format": {"csv"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `column 1: unterminated quoted phrase`) {
			t.Errorf("csv: status %d, body %s", res.StatusCode, body)
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for _, p := range []url.Values{
			{"q": {"ktp"}, "from": {"kemarin"}},
			{"q": {"ktp"}, "label": {"marah"}},
			{"q": {"ktp"}, "limit": {"100000"}},
			{"q": {"ktp"}, "from": {"2020-01-01"}, "to": {"2026-01-01"}},
			{"q": {"ktp"}, "format": {"xml"}},
		} {
			if res, body := get(p); res.StatusCode != http.StatusBadRequest {
				t.Errorf("%v: status %d, want 400: %s", p, res.StatusCode, body)
			}
		}
	})
}
