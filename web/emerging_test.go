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
	for _, want := range []string{`<ol class="results" id="results">`, `<mark>KTPnya</mark>`, `<mark>jalan berlubang</mark>`, `id="csv"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("search DOM lacks %q:\n%s", want, dom)
		}
	}
	if n := strings.Count(dom, `<li class="result">`); n != 2 {
		t.Errorf("search DOM has %d results, want 2", n)
	}
	dom = chromiumDOM(t, srv.URL+"/search?q="+url.QueryEscape("jalan AND (rusak"))
	if !strings.Contains(dom, `id="search-error"`) || !strings.Contains(dom, "column 17") {
		t.Errorf("search DOM lacks the query error:\n%s", dom)
	}

	dom = chromiumDOM(t, srv.URL+"/report")
	if !strings.Contains(dom, `<section class="emerging" id="emerging">`) || !strings.Contains(dom, `data-phrase="aplikasi sipadu lumpuh"`) ||
		!strings.Contains(dom, "Aplikasi SiPadu lumpuh lagi (0)") || !strings.Contains(dom, `id="programme-ektp"`) {
		t.Errorf("report DOM lacks the emerging issue or the ranking:\n%s", dom)
	}
}
