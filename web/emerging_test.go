package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/trendtest"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// emergingFixture adds to the report fixture a burst of critical articles no programme
// matched, all about one new service, from two outlets.
func emergingFixture(t *testing.T) storage.Store {
	t.Helper()
	s := reportFixture(t)
	var arts []storage.Article
	for i := range 6 {
		u := fmt.Sprintf("https://%s.example.id/sipadu/%d", []string{"langgam", "antara"}[i%2], i)
		pub := trendtest.Now.Add(-time.Duration(10+i*5) * time.Minute)
		arts = append(arts, storage.Article{URL: u, CanonicalURL: u, Source: []string{"langgam", "antara"}[i%2], SourceKind: "feed",
			Lang: "id", Title: fmt.Sprintf("Aplikasi SiPadu lumpuh lagi (%d)", i), Text: "Pendaftaran gagal.",
			PublishedAt: pub, FetchedAt: pub, Sentiment: "negative"})
	}
	if err := storage.InsertRows(context.Background(), s, arts...); err != nil {
		t.Fatal(err)
	}
	return s
}

func emergingReportOptions() ReportHandlerOptions {
	o := reportOptions()
	e := storage.EmergingOptionsFrom(config.Default().Trends)
	o.Emerging = &e
	return o
}

func TestReportEmerging(t *testing.T) {
	h := must(t)(ReportHandler(emergingFixture(t), emergingReportOptions()))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/report", nil))
	var page struct {
		Items    []storage.ReportItem    `json:"items"`
		Emerging []storage.EmergingIssue `json:"emerging"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) == 0 || len(page.Emerging) != 1 || page.Emerging[0].Phrase != "aplikasi sipadu lumpuh" ||
		page.Emerging[0].Critical != 6 || len(page.Emerging[0].Articles) != 3 {
		t.Fatalf("report %+v", page)
	}
	var b bytes.Buffer
	if err := WriteEmergingText(&b, page.Emerging); err != nil || !strings.Contains(b.String(), `1. "aplikasi sipadu lumpuh"`) ||
		!strings.Contains(b.String(), "https://langgam.example.id/sipadu/0") {
		t.Errorf("text %q, %v", b.String(), err)
	}
}

// chromiumDOM loads u in headless Chromium and returns the DOM it built.
func chromiumDOM(t *testing.T, u string) string {
	t.Helper()
	bin := os.Getenv("PANTAU_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		p, lerr := exec.LookPath("chromium")
		if lerr != nil {
			storagetest.Unavailable(t, "chromium not installed (apt-get install chromium): %v", err)
		}
		bin = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--dump-dom", u)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", u, err, stderr.String())
	}
	return string(out)
}

// TestSearchAndEmergingInChromium renders /search and /report with emerging issues in
// headless Chromium and checks the DOM the browser built.
func TestSearchAndEmergingInChromium(t *testing.T) {
	srv := searchServer(t, emergingFixture(t))
	dom := chromiumDOM(t, srv.URL+"/search?"+url.Values{"q": {`ktp OR "jalan berlubang"`}}.Encode())
	for _, want := range []string{`<ol class="results" id="results">`, `<mark>KTPnya</mark>`, `<mark>jalan berlubang</mark>`, `id="csv"`,
		`<html lang="id">`, "<h1>Cari artikel tersimpan</h1>", "2 artikel terbit", ">Unduh CSV</a>", `<button type="submit">Cari</button>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("search DOM lacks %q:\n%s", want, dom)
		}
	}
	if n := strings.Count(dom, `<li class="result">`); n != 2 {
		t.Errorf("search DOM has %d results, want 2", n)
	}
	dom = chromiumDOM(t, srv.URL+"/search?q="+url.QueryEscape("jalan AND (rusak"))
	if !strings.Contains(dom, `id="search-error"`) || !strings.Contains(dom, "column 17") || !strings.Contains(dom, "Kueri tidak dapat dibaca") {
		t.Errorf("search DOM lacks the query error:\n%s", dom)
	}
	dom = chromiumDOM(t, srv.URL+"/search?lang=en&q="+url.QueryEscape("ktp"))
	for _, want := range []string{`<html lang="en">`, "<h1>Search stored articles</h1>", "1 article published", ">Download CSV</a>", `<mark>KTPnya</mark>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("English search DOM lacks %q:\n%s", want, dom)
		}
	}

	dom = chromiumDOM(t, srv.URL+"/report")
	if !strings.Contains(dom, `<section class="emerging" id="emerging">`) || !strings.Contains(dom, `data-phrase="aplikasi sipadu lumpuh"`) ||
		!strings.Contains(dom, "Aplikasi SiPadu lumpuh lagi (0)") || !strings.Contains(dom, `id="programme-ektp"`) {
		t.Errorf("report DOM lacks the emerging issue or the ranking:\n%s", dom)
	}
	for _, tt := range []struct {
		path, lang string
		want       []string
	}{
		{"/report", "id", []string{"<h2>Isu baru di luar taksonomi</h2>", "<dt>Perkiraan</dt>", "<summary>Salah? Koreksi</summary>", ">Bukan kritik</button>"}},
		{"/report?lang=en", "en", []string{"<h2>Emerging issues outside the taxonomy</h2>", "<dt>Expected</dt>", "<summary>Wrong? Correct it</summary>", ">Not criticism</button>"}},
	} {
		dom := chromiumDOM(t, srv.URL+tt.path)
		for _, w := range append(tt.want, `<html lang="`+tt.lang+`">`) {
			if !strings.Contains(dom, w) {
				t.Errorf("%s report DOM lacks %q:\n%s", tt.lang, w, dom)
			}
		}
	}
}

// TestReportPageLanguages renders /report with emerging issues in both languages and checks
// that the emerging issues, the correction form and a refused window are in the page's
// language only.
func TestReportPageLanguages(t *testing.T) {
	h := must(t)(ReportHandler(emergingFixture(t), emergingReportOptions()))
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	indonesian := []string{`<html lang="id">`, "<h2>Isu baru di luar taksonomi</h2>",
		"Frasa yang naik dalam pemberitaan kritis dan tidak cocok dengan program mana pun",
		`<span class="badge">skor `, "<dt>Perkiraan</dt>", "<dt>Media</dt>",
		"<summary>Salah? Koreksi</summary>", "<label>Nama analis <input name=\"analyst\"", `value="neutral">Bukan kritik</button>`,
		`value="positive">Positif</button>`, `value="programme">Bukan tentang program ini</button>`,
		`<input type="hidden" name="lang" value="id">`, `<a href="search?lang=id">Cari artikel tersimpan</a>`}
	english := []string{`<html lang="en">`, "<h2>Emerging issues outside the taxonomy</h2>",
		"Phrases rising in critical coverage that no programme matched",
		`<span class="badge">score `, "<dt>Expected</dt>", "<dt>Outlets</dt>",
		"<summary>Wrong? Correct it</summary>", "<label>Analyst <input name=\"analyst\"", `value="neutral">Not criticism</button>`,
		`value="positive">Positive</button>`, `value="programme">Not about this programme</button>`,
		`<input type="hidden" name="lang" value="en">`, `<a href="search?lang=en">Search stored articles</a>`}
	for _, tt := range []struct {
		name, path     string
		want, unwanted []string
	}{
		{"bahasa indonesia by default", "/report", indonesian, english},
		{"english", "/report?lang=en", english, indonesian},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(tt.path)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, unwanted := range tt.unwanted {
				if strings.Contains(body, unwanted) {
					t.Errorf("page shows %q", unwanted)
				}
			}
			if strings.Contains(body, `id="corrected"`) {
				t.Error("page confirms a correction nobody posted")
			}
		})
	}
	t.Run("refusals", func(t *testing.T) {
		for path, want := range map[string]string{
			"/report?window=5m":                   `Rentang "5m" tidak valid: isi durasi dari 1h sampai 8760h`,
			"/report?window=5m&lang=en":           `window "5m": want a duration from 1h to 8760h`,
			"/api/report?window=5m":               `window "5m": want a duration from 1h to 8760h`,
			"/report?region=Atlantis":             `Wilayah tidak dikenal: region "Atlantis"`,
			"/report?region=Atlantis&lang=en":     `Unknown region: region "Atlantis"`,
			"/report?region=Atlantis&format=json": `region "Atlantis"`,
		} {
			code, body := get(path)
			if code != http.StatusBadRequest || !strings.HasPrefix(body, want) {
				t.Errorf("%s: status %d, %q; want 400 starting %q", path, code, body, want)
			}
		}
	})
}
