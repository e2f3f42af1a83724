package crawler

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

func TestBackfill(t *testing.T) {
	s := newSite(t)
	s.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%[1]s/</loc></url>
<url><loc>%[1]s/b/1</loc><lastmod>2024-05-01T10:00:00</lastmod></url>
<url><loc>%[1]s/b/2</loc><lastmod>2024-05-02T10:00:00+07:00</lastmod></url>
<url><loc>%[1]s/b/3</loc><lastmod>2024-05-09T10:00:00+07:00</lastmod></url></urlset>`, s.URL)
	})
	for i := 1; i <= 5; i++ {
		s.handleHTML(fmt.Sprintf("/b/%d", i), articlePage(i, fmt.Sprintf("Arsip %d", i)))
	}
	var mu sync.Mutex
	stored := map[string]bool{}
	seen := seenFunc(func(urls []string) map[string]bool {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]bool{}
		for _, u := range urls {
			out[u] = stored[u]
		}
		return out
	})
	tc := newTestCrawler(t, testConfig(), []config.Source{{Name: "sm", Kind: config.KindSitemap, URL: s.URL + "/sitemap.xml", Lang: "id"}}, WithSeen(seen))
	backfill := func(req BackfillRequest) ([]Article, BackfillProgress) {
		out := make(chan Article)
		var got []Article
		done := make(chan struct{})
		go func() {
			for a := range out {
				mu.Lock()
				stored[a.CanonicalURL] = true
				mu.Unlock()
				got = append(got, a)
				a.Ack(nil)
			}
			close(done)
		}()
		var last BackfillProgress
		req.Progress = func(p BackfillProgress) { last = p }
		prog, err := tc.Backfill(context.Background(), req, out)
		close(out)
		<-done
		if err != nil {
			t.Fatalf("Backfill: %v", err)
		}
		if last != prog {
			t.Errorf("last progress %+v, final %+v", last, prog)
		}
		return got, prog
	}
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, config.WIB)
	to := time.Date(2024, 5, 4, 0, 0, 0, 0, config.WIB)
	got, prog := backfill(BackfillRequest{From: from, To: to})
	if len(got) != 2 || !hasSuffixIn(urlsOf(got), "/b/1") || !hasSuffixIn(urlsOf(got), "/b/2") {
		t.Fatalf("sitemap backfill: %v, want /b/1 and /b/2", urlsOf(got))
	}
	if prog != (BackfillProgress{Done: 2, Total: 2, Stored: 2}) {
		t.Errorf("progress %+v", prog)
	}
	got, prog = backfill(BackfillRequest{From: from, To: to})
	if len(got) != 0 || prog.Skipped != 2 || s.hitCount("/b/1") != 1 {
		t.Errorf("second backfill: %v, %+v; want everything skipped as stored", urlsOf(got), prog)
	}

	got, prog = backfill(BackfillRequest{URLs: []string{s.URL + "/b/4", s.URL + "/b/2", "ftp://nope", s.URL + "/b/404"}})
	if len(got) != 1 || got[0].Source != BackfillSource || !hasSuffixIn(urlsOf(got), "/b/4") {
		t.Fatalf("URL backfill: %+v", urlsOf(got))
	}
	if prog != (BackfillProgress{Done: 4, Total: 4, Stored: 1, Skipped: 1, Failed: 2}) {
		t.Errorf("URL backfill progress %+v", prog)
	}
	if _, err := tc.Backfill(context.Background(), BackfillRequest{Sources: []string{"nope"}}, make(chan Article)); err == nil {
		t.Error("unknown source accepted")
	}
}
