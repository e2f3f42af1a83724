package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/internal/fixturesite"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// TestBackfillFixtureSite backfills the fixture site by its sitemap over a date range and
// by a URL list, each twice, and checks what landed: the second runs store nothing new.
func TestBackfillFixtureSite(t *testing.T) {
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			dir := t.TempDir()
			cfgFile := filepath.Join(dir, "pantau.yaml")
			cfg := storageYAML(t, b) + fmt.Sprintf(`http:
  listen: ""
log:
  level: warn
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
sources:
  - {name: fx-sitemap, kind: sitemap, url: "%[1]s/sitemap.xml", lang: id}
  - {name: fx-rss, kind: feed, url: "%[1]s/rss.xml", lang: id}
`, site.URL)
			if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			count := func(where string) string {
				rows := sqlRows(t, cfgFile, "SELECT count() AS n FROM articles FINAL WHERE "+where)
				return fmt.Sprint(rows[0]["n"])
			}
			// 2026-11-15 .. 2026-11-18 (WIB): five sitemap entries.
			for pass, want := range []string{"5 stored, 0 skipped", "0 stored, 5 skipped"} {
				code, stdout, stderr := run(t, "", "backfill", "--quiet", "--config", cfgFile, "--source", "fx-sitemap", "--from", "2026-11-15", "--to", "2026-11-18")
				if code != 0 || !strings.Contains(stdout, want) {
					t.Fatalf("sitemap pass %d: exit %d, stdout %q (want %q), stderr:\n%s", pass+1, code, stdout, want, stderr)
				}
			}
			if n := count("source = 'fx-sitemap'"); n != "5" {
				t.Fatalf("sitemap backfill stored %s articles, want 5", n)
			}
			if n := count("published_at < toDateTime('2026-11-14 17:00:00') OR published_at >= toDateTime('2026-11-18 17:00:00')"); n != "0" {
				t.Errorf("%s articles outside the range", n)
			}

			list := filepath.Join(dir, "urls.txt")
			lines := strings.Join([]string{
				"# two new, one stored, one bad",
				site.URL + "/berita/2026/11/20/antrean-ektp-mengular.html",
				"not a url",
				site.URL + "/berita/2026/11/21/jalan-berlubang-lubuk-begalung.html?utm_source=wa",
				site.URL + "/berita/2026/11/15/puskesmas-andalas-buka-24-jam.html",
			}, "\n")
			if err := os.WriteFile(list, []byte(lines), 0o644); err != nil {
				t.Fatal(err)
			}
			for pass, want := range []string{"2 stored, 1 skipped", "0 stored, 3 skipped"} {
				code, stdout, stderr := run(t, "", "backfill", "--quiet", "--config", cfgFile, "--urls", list)
				if code != 0 || !strings.Contains(stdout, want) {
					t.Fatalf("urls pass %d: exit %d, stdout %q (want %q), stderr:\n%s", pass+1, code, stdout, want, stderr)
				}
				if !strings.Contains(stderr, "urls.txt:3: not an absolute http(s) URL") {
					t.Errorf("urls pass %d: bad line not reported with its number:\n%s", pass+1, stderr)
				}
			}
			if n := count("source = 'backfill'"); n != "2" {
				t.Errorf("URL backfill stored %s articles under 'backfill', want 2", n)
			}
			if code, _, stderr := run(t, "", "backfill", "--config", cfgFile, "--from", "2026-11-15"); code == 0 {
				t.Errorf("missing --to accepted: %s", stderr)
			}
		})
	}
}
