package web

import (
	"context"
	"encoding/csv"
	"fmt"
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
	mux.Handle("GET /search", must(t)(SearchHandler(s, SearchHandlerOptions{Programmes: []string{"ektp", "jalan"}, Lang: LangIndonesian, Now: func() time.Time { return searchNow },
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
		res, body := get(url.Values{"q": {`ktp OR "jalan berlubang"`}, "lang": {"en"}})
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
		_, body := get(url.Values{"q": {`ktp OR jalan`}, "programme": {"ektp"}, "label": {"critical"}, "from": {"2026-05-04"}, "to": {"2026-05-04"}, "lang": {"en"}})
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
	t.Run("languages", func(t *testing.T) {
		q := url.Values{"q": {`ktp OR "jalan berlubang"`}, "label": {"negative"}}
		indonesian := []string{`<html lang="id">`, "<title>Pantau — pencarian: ktp OR", "<h1>Cari artikel tersimpan</h1>",
			`<label class="q" for="search-q">Kueri (AND, OR, NOT, NEAR/n, &#34;frasa&#34;, awalan*, title:, body:)`,
			`<label for="search-from">Dari <input id="search-from"`, `<label for="search-to">Sampai <input id="search-to"`,
			`<label for="search-programme">Program <select id="search-programme"`, `<option value="">semua</option>`,
			`<label for="search-region">Wilayah <input id="search-region"`, `<label for="search-label">Sikap <select id="search-label"`,
			`<option value="negative" selected>negatif</option>`, `<option value="critical">kritik</option>`,
			`<label for="search-limit">Batas <input id="search-limit"`, `<button type="submit">Cari</button>`,
			`<input type="hidden" name="lang" value="id">`, `hreflang="en">English</a>`,
			"1 artikel terbit 04 Apr 2026 09:30 UTC sampai 04 Mei 2026 09:30 UTC.", `id="csv">Unduh CSV</a>`, "04 Mei 2026 08:30 UTC",
			"Hanya mencari berita yang sudah terbit; hasilnya artikel, tidak pernah orang.", `<a href="report?lang=id">Perlu tanggapan</a>`}
		english := []string{`<html lang="en">`, "<title>Pantau — search: ktp OR", "<h1>Search stored articles</h1>",
			`<label class="q" for="search-q">Query (AND, OR, NOT, NEAR/n, &#34;phrase&#34;, prefix*, title:, body:)`,
			`<label for="search-from">From <input id="search-from"`, `<label for="search-to">To <input id="search-to"`,
			`<label for="search-programme">Programme <select id="search-programme"`, `<option value="">any</option>`,
			`<label for="search-region">Region <input id="search-region"`, `<label for="search-label">Label <select id="search-label"`,
			`<option value="negative" selected>negative</option>`, `<option value="critical">criticism</option>`,
			`<label for="search-limit">Limit <input id="search-limit"`, `<button type="submit">Search</button>`,
			`<input type="hidden" name="lang" value="en">`, `hreflang="id">Bahasa Indonesia</a>`,
			"1 article published 04 Apr 2026 09:30 UTC to 04 May 2026 09:30 UTC.", `id="csv">Download CSV</a>`, "04 May 2026 08:30 UTC",
			"Searches published articles only; results are articles, never people.", `<a href="report?lang=en">Needs a response</a>`}
		for _, tt := range []struct {
			lang           string
			want, unwanted []string
		}{{"", indonesian, english}, {"en", english, indonesian}, {"id", indonesian, english}} {
			p := url.Values{}
			for k, v := range q {
				p[k] = v
			}
			if tt.lang != "" {
				p.Set("lang", tt.lang)
			}
			res, body := get(p)
			if res.StatusCode != 200 {
				t.Fatalf("lang %q: status %d: %s", tt.lang, res.StatusCode, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("lang %q: page lacks %q", tt.lang, want)
				}
			}
			for _, unwanted := range tt.unwanted {
				if strings.Contains(body, unwanted) {
					t.Errorf("lang %q: page shows %q", tt.lang, unwanted)
				}
			}
		}
		if res, body := get(url.Values{"lang": {"fr"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `lang "fr": want id or en`) {
			t.Errorf("lang fr: status %d, %s", res.StatusCode, body)
		}
	})
	t.Run("refusals in the page's language", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			params url.Values
			id, en string
			detail string // the parser's or the search's own words, shown with either language
		}{
			{"query", url.Values{"q": {`jalan AND (rusak`}}, "<p>Kueri tidak dapat dibaca</p>", "<p>The query does not parse</p>",
				`<code lang="en">query &#34;jalan AND (rusak&#34;: column 17: expected ) to close (`},
			{"date", url.Values{"q": {"ktp"}, "from": {"kemarin"}}, `<p>Dari &#34;kemarin&#34;: isi tanggal seperti 2026-11-01</p>`,
				`<p>From &#34;kemarin&#34;: want a date such as 2026-11-01</p>`, ""},
			{"to date", url.Values{"q": {"ktp"}, "to": {"besok"}}, `<p>Sampai &#34;besok&#34;: isi tanggal seperti 2026-11-01</p>`,
				`<p>To &#34;besok&#34;: want a date such as 2026-11-01</p>`, ""},
			{"limit", url.Values{"q": {"ktp"}, "limit": {"100000"}}, `<p>Batas &#34;100000&#34;: isi 1 sampai 1000</p>`,
				`<p>limit &#34;100000&#34;: want 1 to 1000</p>`, ""},
			{"format", url.Values{"q": {"ktp"}, "format": {"xml"}}, `<p>Format &#34;xml&#34;: pilih csv atau json</p>`,
				`<p>format &#34;xml&#34;: want csv or json</p>`, ""},
			{"label", url.Values{"q": {"ktp"}, "label": {"marah"}}, "<p>Filter pencarian tidak valid</p>", "<p>The search filters are not valid</p>",
				`<code lang="en">search: bad options: label &#34;marah&#34;`},
			{"range", url.Values{"q": {"ktp"}, "from": {"2020-01-01"}, "to": {"2026-01-01"}}, "<p>Filter pencarian tidak valid</p>",
				"<p>The search filters are not valid</p>", "is longer than 366 days"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				for lang, want := range map[string]string{"id": tt.id, "en": tt.en} {
					p := url.Values{"lang": {lang}}
					for k, v := range tt.params {
						p[k] = v
					}
					res, body := get(p)
					if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `<div class="error" id="search-error" role="alert">`+want) ||
						!strings.Contains(body, tt.detail) {
						t.Errorf("%s: status %d, want 400 saying %q and %q:\n%s", lang, res.StatusCode, want, tt.detail, body)
					}
				}
			})
		}
		// An export's refusal stays English, whatever the language.
		res, body := get(url.Values{"q": {"ktp"}, "from": {"kemarin"}, "format": {"csv"}, "lang": {"id"}})
		if res.StatusCode != http.StatusBadRequest || strings.TrimSpace(body) != `From "kemarin": want a date such as 2026-11-01` {
			t.Errorf("csv: status %d, %q", res.StatusCode, body)
		}
	})
}

func TestSearchHandlerNeedsALanguage(t *testing.T) {
	for _, lang := range []string{"", "fr"} {
		_, err := SearchHandler(nil, SearchHandlerOptions{Lang: lang, Now: time.Now, Timeout: config.RequestTimeout, Logger: slog.New(slog.DiscardHandler)})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("language %q", lang)) {
			t.Errorf("lang %q: %v, want an error naming it", lang, err)
		}
	}
}
