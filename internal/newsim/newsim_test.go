package newsim

import (
	"html"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const trainCorpus = "../../analyzer/testdata/news/train.jsonl"

func loadCorpus(t *testing.T) *Corpus {
	t.Helper()
	c, err := LoadCorpus(trainCorpus)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startWeb(t *testing.T, o Options) *Web {
	t.Helper()
	if o.Corpus == nil {
		o.Corpus = loadCorpus(t)
	}
	w, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestLoadCorpus(t *testing.T) {
	c := loadCorpus(t)
	if len(c.Leads) < 3000 || len(c.Filler) < 200 {
		t.Errorf("train corpus: %d leads, %d filler; want the labelled passages split by whether they mention a programme", len(c.Leads), len(c.Filler))
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"broken.jsonl":   `{"text": "Warga mengeluh.", "mentions": []}` + "\n{not json\n",
		"empty.jsonl":    `{"text": "  ", "mentions": []}` + "\n",
		"onlylead.jsonl": `{"text": "Blangko e-KTP kosong.", "mentions": [{"programme": "ektp", "label": "negative"}]}` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			os.WriteFile(p, []byte(content), 0o644)
			_, err := LoadCorpus(p)
			if err == nil || !strings.Contains(err.Error(), p) {
				t.Errorf("LoadCorpus(%s) = %v, want an error naming the file", name, err)
			}
			if name != "onlylead.jsonl" && !strings.Contains(err.Error(), ":") {
				t.Errorf("error %v names no line", err)
			}
		})
	}
}

func TestScheduleFollowsRates(t *testing.T) {
	const feeds, horizon = 200, 10 * time.Hour
	w := startWeb(t, Options{Hosts: 20, FeedsPerHost: feeds / 20, MeanGap: 10 * time.Minute, Horizon: horizon, Seed: 1})
	// Each feed's mean gap is 10 min × 2^u, u uniform in [-1, 1]: its mean rate is
	// (1/10 min) × (3/4)/ln 2 per minute.
	want := float64(feeds) * horizon.Minutes() / 10 * 0.75 / math.Ln2
	got := float64(len(w.Articles()))
	if math.Abs(got-want)/want > 0.05 {
		t.Errorf("%v articles in %s over %d feeds, want about %.0f", got, horizon, feeds, want)
	}
	for i := 1; i < len(w.Articles()); i++ {
		if w.Articles()[i].Published.Before(w.Articles()[i-1].Published) {
			t.Fatalf("articles not in publication order at %d", i)
		}
	}
}

func TestDailyRhythm(t *testing.T) {
	for _, tc := range []struct {
		at   string
		want float64
	}{{"2026-11-30T10:00:00+07:00", 1.6}, {"2026-11-30T22:00:00+07:00", 0.4}, {"2026-11-30T16:00:00+07:00", 1}} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := DailyRate(at); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("DailyRate(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
	// Over whole days the thinned process keeps the mean rate.
	w := startWeb(t, Options{Hosts: 10, FeedsPerHost: 10, MeanGap: 30 * time.Minute, Horizon: 48 * time.Hour, Daily: true, Seed: 2})
	want := 100 * 48 * 2 * 0.75 / math.Ln2
	if got := float64(len(w.Articles())); math.Abs(got-want)/want > 0.05 {
		t.Errorf("%v articles in two days, want about %.0f", got, want)
	}
}

func TestFeedsPagesAndSyndication(t *testing.T) {
	w := startWeb(t, Options{Hosts: 3, FeedsPerHost: 2, SectionsPerHost: 1, Backlog: 5, MeanGap: time.Hour, Horizon: time.Hour, Syndication: 0.5, Seed: 3})
	src := w.Sources()
	if len(src) != 9 || src[0].Kind != "feed" || src[8].Kind != "portal" {
		t.Fatalf("sources %+v, want 6 feeds then 3 section pages", src)
	}
	resp, body := get(t, src[0].URL)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || strings.Count(body, "<item>") < 5 {
		t.Fatalf("feed: %d, etag %q, %d items", resp.StatusCode, etag, strings.Count(body, "<item>"))
	}
	if resp, _ := get(t, src[0].URL, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("feed with its ETag: %d, want 304", resp.StatusCode)
	}
	_, page := get(t, src[6].URL)
	if !strings.Contains(page, `href="/berita/`) || !strings.Contains(page, "<nav>") {
		t.Errorf("section page lists no article or has no navigation:\n%s", page)
	}
	now := time.Now()
	copies := 0
	for _, a := range w.Articles() {
		resp, body := get(t, a.URL)
		switch {
		case a.Published.After(now.Add(time.Second)):
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s published at %s served early: %d", a.URL, a.Published, resp.StatusCode)
			}
			continue
		case a.Published.After(now):
			continue
		case resp.StatusCode != 200:
			t.Fatalf("%s: %d", a.URL, resp.StatusCode)
		}
		lead := strings.SplitN(w.Text(a), "\n\n", 2)[0]
		if !strings.Contains(body, html.EscapeString(lead)) || len(a.Mentions) == 0 ||
			!strings.Contains(body, "ADVERTISEMENT") || !strings.Contains(body, `class="byline"`) || !strings.Contains(body, "Berita Terkait") {
			t.Errorf("%s lacks its lead, a byline, an advertisement or related links:\n%s", a.URL, body)
		}
		if a.CopyOf != "" {
			copies++
			for _, o := range w.Articles() {
				if o.URL == a.CopyOf && (o.Host == a.Host || w.Text(o) != w.Text(a)) {
					t.Errorf("%s copies %s: same host or other text", a.URL, o.URL)
				}
			}
		}
	}
	if copies == 0 {
		t.Error("no syndicated copies at syndication 0.5")
	}
	if s := w.Stats(); s.FeedPolls != 2 || s.NotModified != 1 || s.SectionPolls != 1 {
		t.Errorf("stats %+v, want 2 feed polls, one 304, one section poll", s)
	}
	if p := w.Polls(); len(p) != 9 || len(p[0].Polls) != 2 || p[0].Source != src[0].Name {
		t.Errorf("polls %+v", p)
	}
}

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults Faults
		status int
	}{
		{"server", Faults{Server: 1}, http.StatusServiceUnavailable},
		{"too many", Faults{TooMany: 1, RetryAfter: 45 * time.Second}, http.StatusTooManyRequests},
		{"malformed", Faults{Malformed: 1}, http.StatusOK},
		{"slow", Faults{Slow: 1, SlowDelay: 300 * time.Millisecond}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := startWeb(t, Options{Backlog: 3, Faults: tc.faults})
			start := time.Now()
			resp, body := get(t, w.Sources()[0].URL)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			a := w.Articles()[0]
			if get(t, a.URL); a.Faulted() != (tc.name != "slow") {
				t.Errorf("article answered with %s: Faulted() = %v", tc.name, a.Faulted())
			}
			switch tc.name {
			case "too many":
				if ra := resp.Header.Get("Retry-After"); ra != "45" {
					t.Errorf("Retry-After %q, want 45", ra)
				}
			case "malformed":
				if strings.Contains(body, "</rss>") || !strings.Contains(body, "\xff") {
					t.Errorf("malformed feed is whole:\n%s", body)
				}
			case "slow":
				if d := time.Since(start); d < 300*time.Millisecond {
					t.Errorf("slow answer took %s", d)
				}
			}
			if resp, _ := get(t, strings.Replace(w.Sources()[0].URL, "/feed/0.xml", "/robots.txt", 1)); resp.StatusCode != 200 {
				t.Errorf("robots.txt: %d; faults spare it", resp.StatusCode)
			}
		})
	}
}
