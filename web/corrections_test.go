package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/storage"
)

// TestCorrectionFromReport posts the report page's correction form to a real server on
// loopback and checks that the report counts the story as corrected.
func TestCorrectionFromReport(t *testing.T) {
	s := reportFixture(t)
	tax := taxonomy.Default()
	mux := http.NewServeMux()
	report := must(t)(ReportHandler(s, reportOptions()))
	mux.Handle("GET /report", report)
	mux.Handle("GET /api/report", report)
	mux.Handle("POST /api/corrections", CorrectionHandler(s, tax, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ektp := func() storage.ReportItem {
		t.Helper()
		res, err := http.Get(srv.URL + "/api/report")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var rep storage.Report
		if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		for _, it := range rep.Items {
			if it.Programme == "ektp" {
				return it
			}
		}
		t.Fatal("no ektp in the report")
		return storage.ReportItem{}
	}
	before := ektp()
	target := before.Articles[0].URL

	res, err := http.Get(srv.URL + "/report")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), `action="api/corrections"`) || !strings.Contains(string(page), `value="`+target+`"`) {
		t.Fatal("the report has no correction form for its articles")
	}

	post := func(form url.Values, header map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/corrections", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	form := func(kv ...string) url.Values {
		v := url.Values{"url": {target}, "programme": {"ektp"}, "analyst": {"Rina (Humas)"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	bad := []struct {
		name   string
		form   url.Values
		header map[string]string
		status int
	}{
		{"cross-site browser request", form("label", "neutral"), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin", form("label", "neutral"), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"bad label", form("label", "angry"), nil, http.StatusBadRequest},
		{"no analyst", form("label", "neutral", "analyst", " "), nil, http.StatusBadRequest},
		{"unknown programme", form("kind", "programme", "new_programme", "nonsense"), nil, http.StatusBadRequest},
		{"neither label nor kind", form(), nil, http.StatusBadRequest},
		{"no such mention", form("label", "neutral", "programme", "bansos"), nil, http.StatusNotFound},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if res, body := post(tt.form, tt.header); res.StatusCode != tt.status {
				t.Errorf("status %d (%s), want %d", res.StatusCode, strings.TrimSpace(body), tt.status)
			}
		})
	}
	if after := ektp(); after.CriticalStories != before.CriticalStories {
		t.Fatalf("refused corrections changed the report: %d critical stories, was %d", after.CriticalStories, before.CriticalStories)
	}

	// The report's own form, refused: a page in the form's language says why, with a way back.
	sameOrigin := map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}
	refusals := []struct {
		name   string
		form   url.Values
		status int
		id, en string
	}{
		{"no analyst", form("label", "neutral", "analyst", " "), http.StatusBadRequest,
			"Isi nama analis: setiap koreksi dicatat dengan siapa yang membuatnya.", "Give the analyst&#39;s name: every correction is logged with who made it."},
		{"no such mention", form("label", "neutral", "programme", "bansos"), http.StatusNotFound,
			"Penyebutan ini tidak ada lagi di data; muat ulang laporan.", "This mention is no longer stored; reload the report."},
		{"bad label", form("label", "angry"), http.StatusBadRequest, "Formulir koreksi tidak valid.", "The correction form is not valid."},
	}
	for _, tt := range refusals {
		t.Run("form refused: "+tt.name, func(t *testing.T) {
			for lang, want := range map[string]string{"id": tt.id, "en": tt.en, "": tt.id} {
				f := url.Values{}
				for k, v := range tt.form {
					f[k] = v
				}
				f.Set("return", "report")
				f.Set("window", "168h")
				if lang != "" {
					f.Set("lang", lang)
				}
				res, body := post(f, sameOrigin)
				pageLang, back, heading := lang, "../report?lang="+lang+"&amp;window=168h", map[string]string{"id": "Koreksi tidak disimpan", "en": "Correction not stored"}[lang]
				if lang == "" {
					pageLang, back, heading = "id", "../report?window=168h", "Koreksi tidak disimpan"
				}
				for _, w := range []string{`<html lang="` + pageLang + `">`, "<h1>" + heading + "</h1>", `<p id="correction-error" role="alert">` + want + "</p>", `<a href="` + back + `">`} {
					if res.StatusCode != tt.status || !strings.Contains(body, w) {
						t.Errorf("lang %q: status %d, want %d and a page with %q:\n%s", lang, res.StatusCode, tt.status, w, body)
					}
				}
				if hasDetail := strings.Contains(body, `<code lang="en">correction: label &#34;angry&#34;`); hasDetail != (tt.name == "bad label") {
					t.Errorf("lang %q: detail shown %v:\n%s", lang, hasDetail, body)
				}
			}
		})
	}

	// The report's own form: same origin, answered with a redirect to the report, in the
	// form's language and window, which confirms the correction.
	f := form("label", "neutral", "return", "report", "lang", "en", "window", "24h")
	res, body := post(f, sameOrigin)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc != "/report?corrected=1&lang=en&window=24h" {
		t.Fatalf("status %d, location %q: %s", res.StatusCode, loc, body)
	}
	for path, want := range map[string]string{loc: "Correction stored and counted in this report.", "/report?corrected=1": "Koreksi disimpan dan sudah dihitung dalam laporan ini."} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), `<p class="notice" id="corrected" role="status">`+want+"</p>") {
			t.Errorf("%s does not confirm the correction with %q", path, want)
		}
	}
	if after := ektp(); after.CriticalStories != before.CriticalStories-1 {
		t.Errorf("after the correction: %d critical stories, want %d", after.CriticalStories, before.CriticalStories-1)
	}
	// A script on this machine gets the stored correction as JSON.
	res, body = post(form("kind", "programme", "url", ektp().Articles[0].URL), nil)
	var got map[string]any
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got["kind"] != "programme" || got["analyst"] != "Rina (Humas)" {
		t.Errorf("status %d, body %s", res.StatusCode, body)
	}
	if after := ektp(); after.CriticalStories != before.CriticalStories-2 {
		t.Errorf("after the programme correction: %d critical stories, want %d", after.CriticalStories, before.CriticalStories-2)
	}
}

func TestCorrectionsRefuseOtherMachines(t *testing.T) {
	h := CorrectionHandler(nil, taxonomy.Default(), nil)
	req := httptest.NewRequest(http.MethodPost, "/api/corrections", strings.NewReader("url=x&programme=ektp&label=neutral&analyst=a"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "203.0.113.5:40000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("status %d, want 403", rec.Code)
	}
}
