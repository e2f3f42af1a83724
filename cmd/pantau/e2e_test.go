package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/internal/fixturesite"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// expectedArticle is one entry of testdata/site/expected.json: what a careful analyst
// finds in each fixture article.
type expectedArticle struct {
	Path     string `json:"path"`
	Title    string `json:"title"`
	Lang     string `json:"lang"`
	Mentions []struct {
		Programme string `json:"programme"`
		Label     string `json:"label"`
		Criticism bool   `json:"criticism"`
	} `json:"mentions"`
}

// storageYAML returns the storage section of a configuration for a fresh store of one
// backend, flushing often so that tests see their rows quickly.
func storageYAML(t *testing.T, b storagetest.Backend) string {
	cfg := b.Config(t)
	if cfg.DSN != "" {
		return fmt.Sprintf("storage:\n  dsn: %s\n  flush_interval: 100ms\n", cfg.DSN)
	}
	return fmt.Sprintf("storage:\n  data_dir: %s\n  chdb_library: %s\n  flush_interval: 100ms\n", cfg.DataDir, cfg.ChDBLibrary)
}

// run runs pantau in-process and returns its exit status, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

// TestRunOnceFixtureSite serves the fixture news site on loopback, runs `pantau run --once`
// against it twice, and checks the exact articles and mentions that landed.
func TestRunOnceFixtureSite(t *testing.T) {
	var want []expectedArticle
	data, err := os.ReadFile("../../testdata/site/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()

	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
			cfg := storageYAML(t, b) + fmt.Sprintf(`http:
  listen: ""
log:
  level: warn
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  max_article_age: 0s
sources:
  - {name: fx-rss, kind: feed, url: "%[1]s/rss.xml", region: sumbar}
  - {name: fx-atom, kind: feed, url: "%[1]s/atom.xml", region: sumbar}
  - {name: fx-kota, kind: portal, url: "%[1]s/kota/", link_pattern: "/berita/", region: padang}
`, site.URL)
			if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			for pass := 1; pass <= 2; pass++ {
				if code, _, stderr := run(t, "", "run", "--once", "--config", cfgFile); code != 0 {
					t.Fatalf("pass %d: pantau run --once exited %d:\n%s", pass, code, stderr)
				}
			}
			checkArticles(t, cfgFile, site.URL, want)
			checkMentions(t, cfgFile, site.URL, want)
			checkRegionReport(t, cfgFile)
			checkTextRegionReport(t, cfgFile)
			checkReanalyze(t, cfgFile)
		})
	}
}

// sqlRows runs `pantau sql --json` and returns its rows.
func sqlRows(t *testing.T, cfgFile, query string) []map[string]any {
	t.Helper()
	code, stdout, stderr := run(t, "", "sql", "--json", "--config", cfgFile, query)
	if code != 0 {
		t.Fatalf("pantau sql %q exited %d: %s", query, code, stderr)
	}
	var rows []map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var r map[string]any
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("decode sql output: %v", err)
		}
		rows = append(rows, r)
	}
	return rows
}

func checkArticles(t *testing.T, cfgFile, origin string, want []expectedArticle) {
	// No FINAL: two passes over the same site must not have written any article twice.
	rows := sqlRows(t, cfgFile, "SELECT canonical_url, title, lang, count() AS n FROM articles GROUP BY canonical_url, title, lang ORDER BY canonical_url")
	got := map[string]map[string]any{}
	for _, r := range rows {
		got[strings.TrimPrefix(r["canonical_url"].(string), origin)] = r
	}
	if len(rows) != len(want) {
		t.Errorf("stored %d articles, want %d", len(rows), len(want))
	}
	for _, w := range want {
		r, ok := got[w.Path]
		if !ok {
			t.Errorf("article %s not stored", w.Path)
			continue
		}
		if r["title"] != w.Title {
			t.Errorf("%s: title %q, want %q", w.Path, r["title"], w.Title)
		}
		if r["lang"] != w.Lang {
			t.Errorf("%s: lang %q, want %q", w.Path, r["lang"], w.Lang)
		}
		if n := r["n"].(float64); n != 1 {
			t.Errorf("%s: stored %v times, want once", w.Path, n)
		}
	}
}

func checkMentions(t *testing.T, cfgFile, origin string, want []expectedArticle) {
	rows := sqlRows(t, cfgFile, `SELECT a.canonical_url AS url, programme, label, criticism
		FROM mentions AS m FINAL
		ANY LEFT JOIN (SELECT url_hash, canonical_url FROM articles FINAL) AS a USING url_hash`)
	got := map[string][]string{}
	for _, r := range rows {
		path := strings.TrimPrefix(r["url"].(string), origin)
		got[path] = append(got[path], fmt.Sprintf("%s/%s/criticism=%v", r["programme"], r["label"], r["criticism"] == float64(1)))
	}
	for _, w := range want {
		var exp []string
		for _, m := range w.Mentions {
			exp = append(exp, fmt.Sprintf("%s/%s/criticism=%v", m.Programme, m.Label, m.Criticism))
		}
		sort.Strings(exp)
		g := got[w.Path]
		sort.Strings(g)
		if strings.Join(g, " ") != strings.Join(exp, " ") {
			t.Errorf("%s:\n got mentions  %v\n want mentions %v", w.Path, g, exp)
		}
	}
}

// checkRegionReport runs pantau report --region for each fixture region: every article of
// the report comes from a source of that region, and both regions have some.
func checkRegionReport(t *testing.T, cfgFile string) {
	t.Helper()
	regions := map[string]string{"fx-rss": "sumbar", "fx-atom": "sumbar", "fx-kota": "padang"}
	for _, region := range []string{"sumbar", "padang"} {
		code, stdout, stderr := run(t, "", "report", "--json", "--window", "8760h", "--region", region, "--config", cfgFile)
		if code != 0 {
			t.Fatalf("pantau report --region %s exited %d: %s", region, code, stderr)
		}
		var rep storage.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("report --region %s: %v\n%s", region, err, stdout)
		}
		n := 0
		for _, it := range rep.Items {
			for _, a := range it.Articles {
				n++
				if regions[a.Source] != region {
					t.Errorf("report --region %s: %s article from %s", region, it.Programme, a.Source)
				}
			}
		}
		if rep.Region != region || n == 0 {
			t.Errorf("report --region %s: region %q, %d articles; want some", region, rep.Region, n)
		}
	}
}

// textRegions returns the regions named in the text of the stored articles and mentions
// (Kemendagri codes), leaving out the pju mentions checkReanalyze removes, and checks that the West Sumatra fixture articles name Padang.
func textRegions(t *testing.T, cfgFile string) string {
	t.Helper()
	rows := sqlRows(t, cfgFile, `SELECT 'article' AS kind, canonical_url AS url, '' AS programme, regions FROM articles FINAL
		UNION ALL SELECT 'mention', a.canonical_url, programme, regions FROM mentions AS m FINAL
		ANY LEFT JOIN (SELECT url_hash, canonical_url FROM articles FINAL) AS a USING url_hash WHERE programme != 'pju'`)
	var lines []string
	padang := map[string]int{}
	for _, r := range rows {
		lines = append(lines, fmt.Sprint(r["kind"], " ", r["url"], " ", r["programme"], " ", r["regions"]))
		for _, c := range r["regions"].([]any) {
			if c == "13.71" {
				padang[r["kind"].(string)]++
			}
		}
	}
	if padang["article"] == 0 || padang["mention"] == 0 {
		t.Errorf("no article or mention about Kota Padang (13.71): %v", padang)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// checkTextRegionReport runs pantau report --region with a region's name: every article of the
// report has a mention whose text names the region (a province also through its regencies),
// and the report names the region by its code.
func checkTextRegionReport(t *testing.T, cfgFile string) {
	t.Helper()
	for _, tt := range []struct{ name, code, like string }{
		{"Kota Padang", "13.71", "13.71"}, {"Sumbar", "13", "13.%"}, {"Provinsi Sumatera Barat", "13", "13.%"},
	} {
		code, stdout, stderr := run(t, "", "report", "--json", "--window", "8760h", "--region", tt.name, "--config", cfgFile)
		if code != 0 {
			t.Fatalf("pantau report --region %q exited %d: %s", tt.name, code, stderr)
		}
		var rep storage.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("report --region %q: %v\n%s", tt.name, err, stdout)
		}
		about := map[string]bool{}
		for _, r := range sqlRows(t, cfgFile, `SELECT DISTINCT a.canonical_url AS url FROM mentions AS m FINAL
			ANY LEFT JOIN (SELECT url_hash, canonical_url FROM articles FINAL) AS a USING url_hash
			WHERE arrayExists(c -> c = '`+tt.code+`' OR c LIKE '`+tt.like+`', regions)`) {
			about[r["url"].(string)] = true
		}
		n := 0
		for _, it := range rep.Items {
			for _, a := range it.Articles {
				n++
				if !about[a.URL] {
					t.Errorf("report --region %q: %s article %s is not about %s", tt.name, it.Programme, a.URL, tt.code)
				}
			}
		}
		if rep.Region != tt.code || n == 0 || len(about) == 0 {
			t.Errorf("report --region %q: region %q, %d articles of %d about it; want region %s and some", tt.name, rep.Region, n, len(about), tt.code)
		}
	}
	code, _, stderr := run(t, "", "report", "--region", "Kota Atlantis", "--config", cfgFile)
	if code != 2 || !strings.Contains(stderr, `"Kota Atlantis"`) {
		t.Errorf("report --region \"Kota Atlantis\": exit %d, %s; want 2 naming it", code, stderr)
	}
}

// checkReanalyze drops the street-lighting programme from the taxonomy, re-analyses the
// stored articles and checks that its mentions left both the mentions table and the
// hourly rollup, while every other mention stayed.
func checkReanalyze(t *testing.T, cfgFile string) {
	t.Helper()
	count := func(q string) float64 {
		rows := sqlRows(t, cfgFile, q)
		return rows[0]["n"].(float64)
	}
	before := count("SELECT count() AS n FROM mentions FINAL WHERE programme != 'pju'")
	regionsBefore := textRegions(t, cfgFile)
	// Every row carries its source's region, and re-analysis keeps it.
	noRegion := `SELECT toUInt64(countIf(region NOT IN ('sumbar', 'padang'))) AS n FROM
		(SELECT region FROM articles FINAL UNION ALL SELECT region FROM mentions FINAL)`
	if n := count(noRegion); n != 0 {
		t.Errorf("%v articles and mentions without their source's region", n)
	}
	if count("SELECT count() AS n FROM mentions FINAL WHERE programme = 'pju'") == 0 {
		t.Fatal("fixture has no pju mention to remove")
	}
	tax := string(taxonomy.DefaultYAML())
	start := strings.Index(tax, "  - id: pju\n")
	end := start + 1 + strings.Index(tax[start+1:], "  - id: ")
	taxFile := filepath.Join(filepath.Dir(cfgFile), "taxonomy-without-pju.yaml")
	if err := os.WriteFile(taxFile, []byte(tax[:start]+tax[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgFile, append(cfg, []byte("taxonomy: "+taxFile+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "reanalyze", "--quiet", "--config", cfgFile)
	if code != 0 {
		t.Fatalf("pantau reanalyze exited %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "re-analysed 16 articles") {
		t.Errorf("reanalyze said %q, want 16 articles", stdout)
	}
	if n := count("SELECT count() AS n FROM mentions FINAL WHERE programme = 'pju'"); n != 0 {
		t.Errorf("%v pju mentions left after re-analysis without pju", n)
	}
	if n := count(noRegion); n != 0 {
		t.Errorf("%v articles and mentions without their source's region after re-analysis", n)
	}
	if after := textRegions(t, cfgFile); after != regionsBefore {
		t.Errorf("regions named in the text changed by re-analysis:\n before %s\n after  %s", regionsBefore, after)
	}
	if n := count("SELECT count() AS n FROM mentions FINAL WHERE programme != 'pju'"); n != before {
		t.Errorf("other mentions: %v after re-analysis, want %v", n, before)
	}
	if n := count("SELECT sum(n) AS n FROM (SELECT uniqExactMerge(mentions) AS n FROM mentions_hourly GROUP BY hour, programme, source, label)"); n != before {
		t.Errorf("hourly rollup holds %v mentions after re-analysis, want %v", n, before)
	}
}

// TestRunOnceReportsSpooledRows detaches the mentions table on the ClickHouse server while
// `pantau run --once` crawls the fixture site: the mentions cannot be stored, wait in the
// spool, and the run exits non-zero saying so. Once the table is back, the next run replays
// them and exits 0, and every article is stored with its mentions exactly once.
func TestRunOnceReportsSpooledRows(t *testing.T) {
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()
	b := storagetest.Backends[slices.IndexFunc(storagetest.Backends, func(b storagetest.Backend) bool { return b.Name == "server" })]
	scfg := b.Config(t)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "pantau.yaml")
	cfg := fmt.Sprintf(`storage:
  dsn: %s
  flush_interval: 100ms
  spool_dir: %s
http:
  listen: ""
log:
  level: warn
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  max_article_age: 0s
sources:
  - {name: fx-rss, kind: feed, url: "%s/rss.xml"}
`, scfg.DSN, filepath.Join(dir, "spool"), site.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Exec(ctx, "DETACH TABLE mentions"); err != nil {
		t.Fatal(err)
	}
	// runPipeline is what run --once runs, with a shorter wait for acknowledgements that
	// cannot come while the table is detached.
	loaded, tax, err := loadConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err = runPipeline(ctx, &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr}, loaded, tax, true, crawler.WithAckWait(2*time.Second))
	if err == nil || !strings.Contains(err.Error(), "did not take every row") || !strings.Contains(err.Error(), "mentions") {
		t.Fatalf("run --once with mentions detached: %v, want an error naming the spooled mentions\n%s", err, stderr.String())
	}
	if err := st.Exec(ctx, "ATTACH TABLE mentions"); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "", "run", "--once", "--config", cfgFile); code != 0 {
		t.Fatalf("run --once with the table back: exit %d:\n%s", code, stderr)
	}
	// Delivery is at least once (the articles were fetched again, their mentions inserted a
	// second time), counts are exact: read deduplicated, every article and mention counts once,
	// and every article has its mentions.
	articles := sqlRows(t, cfgFile, "SELECT count() AS n, uniqExact(url_hash) AS u FROM articles FINAL")
	mentions := sqlRows(t, cfgFile, "SELECT count() AS n, uniqExact(url_hash, programme) AS u, uniqExact(url_hash) AS a FROM mentions FINAL")
	if articles[0]["n"] != articles[0]["u"] || mentions[0]["n"] != mentions[0]["u"] || fmt.Sprint(mentions[0]["n"]) == "0" ||
		fmt.Sprint(mentions[0]["a"]) != fmt.Sprint(articles[0]["n"]) {
		t.Errorf("after the replay: articles %v, mentions %v; want every row once and every article with its mentions", articles, mentions)
	}
}
