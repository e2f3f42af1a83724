package main

import (
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/internal/fixturesite"
	"github.com/pantau-id/pantau/storage/storagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/NAME, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestGoldenHelp checks the help texts, on standard output with nothing on standard error
// (so that pantau help run | less shows them), against golden files.
func TestGoldenHelp(t *testing.T) {
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"help.txt", []string{"help"}},
		{"help-run.txt", []string{"help", "run"}},
		{"help-report.txt", []string{"report", "-h"}},
		{"help-sources.txt", []string{"sources", "--help"}},
		{"help-sql.txt", []string{"help", "sql"}},
		{"help-backfill.txt", []string{"backfill", "-h"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			code, stdout, stderr := run(t, "", tt.args...)
			if code != 0 || stderr != "" {
				t.Errorf("pantau %v: exit %d, stderr %q; want 0 and nothing", tt.args, code, stderr)
			}
			golden(t, tt.file, stdout)
		})
	}
}

// TestGoldenSourcesJSON checks `pantau sources --json` on a store where nothing was crawled
// yet: one JSON object per configured source, in the configuration's order.
func TestGoldenSourcesJSON(t *testing.T) {
	b := storagetest.Backends[0]
	cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
	cfg := storageYAML(t, b) + `log:
  level: warn
sources:
  - {name: antara, kind: feed, url: "https://www.antaranews.com/rss/terkini.xml"}
  - {name: padang-go-id, kind: portal, url: "https://padang.go.id/berita", link_pattern: "/berita/", disabled: true}
`
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	code, stdout, stderr := run(t, "", "sources", "--json", "--config", cfgFile)
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	golden(t, "sources.jsonl", stdout)
}

// TestExitCodes checks the documented exit statuses: 0 done, 1 failed or some items
// failed, 2 a command-line mistake.
func TestExitCodes(t *testing.T) {
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "pantau.yaml")
	cfg := storageYAML(t, storagetest.Backends[0]) + fmt.Sprintf(`http:
  listen: ""
log:
  level: info
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
sources:
  - {name: fx-rss, kind: feed, url: "%s/rss.xml", lang: id}
`, site.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	urls := filepath.Join(dir, "urls.txt")
	if err := os.WriteFile(urls, []byte(site.URL+"/berita/2026/11/20/antrean-ektp-mengular.html\n"+site.URL+"/berita/no-such-page.html\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stderr string // substring
	}{
		{"version", []string{"version"}, "", 0, ""},
		{"analyze all good", []string{"analyze"}, `{"id":"a","text":"Antrean e-KTP panjang."}` + "\n", 0, ""},
		{"analyze a bad line", []string{"analyze"}, `{"id":"a","text":"ok"}` + "\nnot json\n", 1, "1 of 2 lines failed"},
		{"backfill an item failed", []string{"backfill", "--urls", urls, "--config", cfgFile}, "", 1, "1 of 2 items failed"},
		{"backfill with a missing URL list", []string{"backfill", "--quiet", "--urls", urls + ".none", "--config", cfgFile}, "", 1, "--urls"},
		{"unknown command", []string{"nonsense"}, "", 2, "unknown command"},
		{"unknown flag", []string{"report", "--bogus"}, "", 2, "-bogus"},
		{"report window too long", []string{"report", "--window", "8761h"}, "", 2, "want a duration from 1h to 8760h"},
		{"report window too short", []string{"report", "--window", "30m"}, "", 2, "want a duration from 1h to 8760h"},
		{"sources window", []string{"sources", "--window", "-1h"}, "", 2, "want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("pantau %v: exit %d (want %d), stderr %q (want %q)\nstdout: %s", tt.args, code, tt.code, stderr, tt.stderr, stdout)
			}
			if tt.name == "backfill an item failed" {
				if !strings.Contains(stdout, "1 stored, 0 skipped (already stored or out of range), 1 failed") {
					t.Errorf("summary: %q", stdout)
				}
				// Not a terminal: progress as log lines, no bar drawn into the log.
				if strings.ContainsAny(stderr, "\r█") || !strings.Contains(stderr, "backfill progress") || !strings.Contains(stderr, "rate_per_second=") {
					t.Errorf("progress on a non-terminal:\n%q", stderr)
				}
			}
		})
	}
}
