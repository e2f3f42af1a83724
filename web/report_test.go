package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/trendtest"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// reportFixture stores the quiet history, an 8-story e-KTP burst and a smaller bansos one.
func reportFixture(t *testing.T) storage.Store {
	t.Helper()
	s := storagetest.Embedded(t)
	cs := append(trendtest.QuietHistory(trendtest.Now), trendtest.Burst("ektp", 8, trendtest.Now)...)
	cs = append(cs, trendtest.Burst("bansos", 2, trendtest.Now)...)
	trendtest.Store(t, s, cs)
	return s
}

func reportOptions() ReportHandlerOptions {
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	o := ReportHandlerOptions{
		Location: jakarta, Lang: LangIndonesian, Timeout: config.RequestTimeout, Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return trendtest.Now },
		Report: storage.ReportOptionsFrom(config.Default().Trends),
	}
	o.Report.Reach = map[string]float64{"tempo-nasional": 2.5, "antara": 3, "republika": 2, "langgam": 1}
	o.Report.Names = map[string]string{"ektp": "KTP elektronik (e-KTP)", "bansos": "Bantuan sosial"}
	return o
}

func TestReportHandler(t *testing.T) {
	s := reportFixture(t)
	h := must(t)(ReportHandler(s, reportOptions()))
	get := func(path string) (*http.Response, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Result(), rec.Body.String()
	}
	t.Run("json", func(t *testing.T) {
		res, body := get("/api/report")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("status %d, type %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		var rep storage.Report
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Items) < 2 || rep.Items[0].Programme != "ektp" || !rep.Items[0].Trending || rep.Items[0].Unit != trendtest.Units["ektp"] {
			t.Fatalf("items %+v: want trending ektp first", rep.Items)
		}
		if len(rep.Items[0].Articles) != 3 || rep.Items[0].Articles[0].URL == "" {
			t.Errorf("ektp articles %+v", rep.Items[0].Articles)
		}
	})
	t.Run("html", func(t *testing.T) {
		res, body := get("/report?lang=en")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("status %d, type %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		for _, want := range []string{"KTP elektronik (e-KTP)", "Trending", "Disdukcapil", "https://tempo-nasional.example.id/berita/ektp-", "antrean panjang",
			"<strong>Regions:</strong>", `data-code="13.71">Kota Padang</a> (`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("bad window", func(t *testing.T) {
		if res, _ := get("/report?window=5m"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", res.StatusCode)
		}
	})
	t.Run("region", func(t *testing.T) {
		// The bursts are national; the regional outlet carries only the quiet history, about
		// Kota Padang, which a region name or code selects as its source region does.
		for _, tt := range []struct {
			region, canonical, sources string // sources: the source region of every article
			want                       int
		}{
			{"national", "national", "national", 2}, {"sumbar", "sumbar", "sumbar", 3},
			{"13.71", "13.71", "sumbar", 3}, {"13", "13", "sumbar", 3}, {"Kota Padang", "13.71", "sumbar", 3}, {"32", "32", "", 0},
		} {
			region := tt.region
			res, body := get("/api/report?region=" + url.QueryEscape(region))
			var rep storage.Report
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatalf("%s: status %d: %v", region, res.StatusCode, err)
			}
			if rep.Region != tt.canonical || len(rep.Items) != tt.want {
				t.Errorf("region %q: report of region %q with %d items, want %q with %d", region, rep.Region, len(rep.Items), tt.canonical, tt.want)
			}
			for _, it := range rep.Items {
				for _, a := range it.Articles {
					if trendtest.Regions[a.Source] != tt.sources {
						t.Errorf("region %s: %s article from %s (region %s)", region, it.Programme, a.Source, trendtest.Regions[a.Source])
					}
				}
			}
		}
		if _, body := get("/report?region=sumbar&lang=en"); !strings.Contains(body, "region sumbar") {
			t.Error("page does not say it shows region sumbar")
		}
		if _, body := get("/report?region=sumbar"); !strings.Contains(body, "wilayah sumbar") || !strings.Contains(body, "region=sumbar") {
			t.Error("Indonesian page does not say it shows region sumbar, or its links lose the region")
		}
		if res, body := get("/report?region=" + url.QueryEscape("x' OR 1")); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `region "x' OR 1" is not an Indonesian province`) {
			t.Errorf("bad region: status %d, want 400 naming it: %s", res.StatusCode, body)
		}
		if res, body := get("/report?region=13.99"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"13.99"`) {
			t.Errorf("unknown region code: status %d, want 400 naming it: %s", res.StatusCode, body)
		}
	})
	t.Run("bahasa indonesia and WIB by default", func(t *testing.T) {
		// trendtest.Now is 09:30 UTC, 16:30 WIB.
		res, body := get("/report")
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{`<html lang="id">`, "Perlu tanggapan publik", "Unit penanggung jawab:", "Sedang tren · skor", "Berita kritis",
			`<time id="generated" datetime="2026-05-04T09:30:00Z">04 Mei 2026 16:30 WIB</time>`, "dibuat", "24 jam", "7 hari", "365 hari", `hreflang="en">English</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		for _, unwanted := range []string{"Needs a public response", "Responsible unit", " UTC"} {
			if strings.Contains(body, unwanted) {
				t.Errorf("Indonesian page shows %q", unwanted)
			}
		}
		if m := regexp.MustCompile(`<a href="([^"]*)" aria-current="page">24 jam</a>`).FindStringSubmatch(body); m == nil || m[1] != "?lang=id&amp;window=24h" {
			t.Errorf("window picker does not mark 24 jam as current: %v", m)
		}
	})
	t.Run("english", func(t *testing.T) {
		_, body := get("/report?lang=en&window=168h")
		for _, want := range []string{`<html lang="en">`, "Needs a public response", "04 May 2026 16:30 WIB", `aria-current="page">7 days</a>`, `hreflang="id">Bahasa Indonesia</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		english := reportOptions()
		english.Lang = LangEnglish
		rec := httptest.NewRecorder()
		must(t)(ReportHandler(s, english)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/report", nil))
		if !strings.Contains(rec.Body.String(), "Needs a public response") {
			t.Errorf("Lang: en does not make English the default")
		}
	})
	t.Run("window limits as pantau report", func(t *testing.T) {
		for path, want := range map[string]int{
			"/report?window=8760h": 200, "/api/report?window=8760h": 200, "/report?window=1h": 200,
			"/report?window=8761h": 400, "/api/report?window=8761h": 400, "/api/report?window=59m": 400, "/report?window=x": 400,
			"/report?lang=fr": 400,
		} {
			if res, body := get(path); res.StatusCode != want {
				t.Errorf("%s: status %d, want %d: %s", path, res.StatusCode, want, body)
			}
		}
		if err := storage.CheckReportWindow(8760 * time.Hour); err != nil {
			t.Errorf("CheckReportWindow(8760h) = %v", err)
		}
	})
	t.Run("window", func(t *testing.T) {
		// Over two hours only the bursts are critical.
		_, body := get("/api/report?window=2h")
		var rep storage.Report
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.WindowSeconds != 7200 || len(rep.Items) != 2 {
			t.Errorf("window %d s, %d items; want 7200 and 2", rep.WindowSeconds, len(rep.Items))
		}
	})
}

func TestReportText(t *testing.T) {
	s := reportFixture(t)
	rep, err := storage.ResponseReport(context.Background(), s, trendtest.Now, reportOptions().Report)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteReportText(&b, rep, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Logf("\n%s", out)
	for _, want := range []string{"last 24h", " 1. ektp — KTP elektronik (e-KTP)", "TRENDING", "Unit: Dinas Kependudukan", "Regions: Kota Padang (", "+2 copies", "https://tempo-nasional.example.id/"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	b.Reset()
	if err := WriteReportText(&b, &storage.Report{Window: 24 * time.Hour}, nil); err != nil || !strings.Contains(b.String(), "No critical coverage") {
		t.Errorf("empty report: %q, %v", b.String(), err)
	}
}

// TestReportPageInChromium renders /report in headless Chromium, checks the ranked list in
// the DOM the browser built and writes a screenshot whose path it logs.
func TestReportPageInChromium(t *testing.T) {
	bin := os.Getenv("PANTAU_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		if p, lerr := exec.LookPath("chromium"); lerr == nil {
			bin = p
		} else {
			storagetest.Unavailable(t, "chromium not installed (apt-get install chromium): %v", err)
		}
	}
	s := reportFixture(t)
	mux := http.NewServeMux()
	h := must(t)(ReportHandler(s, reportOptions()))
	mux.Handle("GET /report", h)
	mux.Handle("GET /api/report", h)
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	chrome := func(path string, extra ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := append([]string{
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
			"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(), "--window-size=1280,1700",
		}, extra...)
		args = append(args, srv.URL+path)
		cmd := exec.CommandContext(ctx, bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
		}
		return out
	}

	// The default page: Bahasa Indonesia, times in WIB.
	dom := string(chrome("/report", "--dump-dom"))
	ids := regexp.MustCompile(`<li class="item[^"]*" id="programme-([a-z_]+)"`).FindAllStringSubmatch(dom, -1)
	var order []string
	for _, m := range ids {
		order = append(order, m[1])
	}
	if len(order) < 2 || order[0] != "ektp" {
		t.Fatalf("ranked list %v: want ektp first\n%s", order, dom)
	}
	for _, want := range []string{`<html lang="id">`, "Perlu tanggapan publik", "Sedang tren · skor", "Unit penanggung jawab:", `<nav class="picker" id="window-picker">`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered Indonesian page lacks %q", want)
		}
	}
	// Every time shown is the UTC instant of its datetime attribute, in WIB (UTC+7).
	times := regexp.MustCompile(`<time[^>]* datetime="([^"]+)">([^<]+)</time>`).FindAllStringSubmatch(dom, -1)
	if len(times) < 4 {
		t.Errorf("%d times on the page, want the generation time and the articles'", len(times))
	}
	months := strings.NewReplacer("Mei", "May", "Agu", "Aug", "Okt", "Oct", "Des", "Dec")
	for _, m := range times {
		utc, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Fatalf("datetime %q: %v", m[1], err)
		}
		if want := utc.In(time.FixedZone("WIB", 7*3600)).Format("02 Jan 2006 15:04 MST"); months.Replace(m[2]) != want {
			t.Errorf("time %s shown as %q: want %q in Indonesian month names", m[1], m[2], want)
		}
	}

	// English, as it was.
	en := string(chrome("/report?lang=en", "--dump-dom"))
	if !strings.Contains(en, "Trending · score") || !strings.Contains(en, `<ol class="ranking" id="ranking">`) {
		t.Errorf("rendered page lacks the ranking or the trending badge")
	}

	dir := os.Getenv("PANTAU_SCREENSHOT_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	shot := filepath.Join(dir, "pantau-report.png")
	_ = os.Remove(shot)
	chrome("/report", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("screenshot not written: %v", err)
	}
	defer f.Close()
	head := make([]byte, 8)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot %s is not a PNG: %v", shot, err)
	}
	t.Logf("report ranked %v; screenshot: %s", order, shot)
}

// must returns a handler's constructor's handler, failing t if it refused its options.
func must(t testing.TB) func(http.Handler, error) http.Handler {
	return func(h http.Handler, err error) http.Handler {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
}
