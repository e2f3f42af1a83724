package dashboards

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// promtool returns the path of promtool, or skips.
func promtool(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		storagetest.Unavailable(tb, "promtool not installed (apt-get install prometheus): %v", err)
	}
	return p
}

var metricName = regexp.MustCompile(`\bpantau_[a-z_]+`)

func TestDashboardsWellFormed(t *testing.T) {
	known := exportedMetrics(t)
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	wantUIDs := []string{"pantau-overview", "pantau-pipeline", "pantau-programme", "pantau-sources"}
	var uids []string
	for _, d := range ds {
		uids = append(uids, d.UID)
	}
	slices.Sort(uids)
	if !slices.Equal(uids, wantUIDs) {
		t.Fatalf("dashboard uids %v, want %v", uids, wantUIDs)
	}
	for _, d := range ds {
		t.Run(d.File, func(t *testing.T) {
			qs := d.Queries()
			if len(qs) == 0 {
				t.Fatal("no queries")
			}
			var ch, prom int
			for _, q := range qs {
				where := q.Panel + "/" + q.RefID
				if q.Datasource == nil {
					t.Errorf("%s: no datasource", where)
					continue
				}
				switch *q.Datasource {
				case Datasource{Type: ClickHouseType, UID: ClickHouseUID}:
					ch++
					if strings.TrimSpace(q.RawSQL) == "" || q.EditorType != "sql" || q.Format == nil {
						t.Errorf("%s: ClickHouse target needs rawSql, editorType sql and format", where)
					}
				case Datasource{Type: PrometheusType, UID: PrometheusUID}:
					prom++
					if strings.TrimSpace(q.Expr) == "" {
						t.Errorf("%s: Prometheus target without expr", where)
					}
					for _, m := range metricName.FindAllString(q.Expr, -1) {
						if !known[m] {
							t.Errorf("%s: unknown metric %s", where, m)
						}
					}
				default:
					t.Errorf("%s: datasource %+v is not one the provisioning file defines", where, *q.Datasource)
				}
			}
			if ch == 0 && d.UID != "pantau-pipeline" {
				t.Errorf("no ClickHouse panel")
			}
			if prom == 0 {
				t.Errorf("no Prometheus panel")
			}
		})
	}
}

// TestPrometheusPanelQueries parses every Prometheus panel expression with promtool, as
// recording rules, after expanding Grafana's variables.
func TestPrometheusPanelQueries(t *testing.T) {
	bin := promtool(t)
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("groups:\n  - name: panels\n    rules:\n")
	n := 0
	for _, d := range ds {
		for _, q := range d.Queries() {
			if q.Expr == "" {
				continue
			}
			expr := strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$programme", "ektp").Replace(q.Expr)
			if strings.Contains(expr, "$") {
				t.Errorf("%s / %s: unexpanded variable in %q", d.UID, q.Panel, expr)
			}
			n++
			fmt.Fprintf(&b, "      - record: panel:%d\n        expr: %s\n", n, strconv.Quote(expr))
		}
	}
	f := filepath.Join(t.TempDir(), "panels.yml")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "check", "rules", f).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules on %d panel queries: %v\n%s", n, err, out)
	}
	t.Logf("%d Prometheus panel queries parse", n)
}

// timeRange is the dashboard time range the panel SQL is expanded with.
type timeRange struct {
	from, to time.Time
	interval time.Duration
}

var grafanaMacro = regexp.MustCompile(`\$__(timeFilter|timeInterval|fromTime|toTime|interval_s)\b(\(([^()]*)\))?`)

// expand replaces the ClickHouse plugin's macros and the template variables as Grafana and
// the grafana-clickhouse-datasource plugin do.
func expand(sql string, r timeRange, vars map[string]string) (string, error) {
	var err error
	sec := func(t time.Time) string { return fmt.Sprintf("toDateTime(%d)", t.Unix()) }
	out := grafanaMacro.ReplaceAllStringFunc(sql, func(m string) string {
		g := grafanaMacro.FindStringSubmatch(m)
		name, arg := g[1], strings.TrimSpace(g[3])
		needArg := name == "timeFilter" || name == "timeInterval"
		if needArg != (g[2] != "") {
			err = fmt.Errorf("macro %s: wrong arguments", m)
			return m
		}
		switch name {
		case "timeFilter":
			return fmt.Sprintf("%s >= %s AND %s <= %s", arg, sec(r.from), arg, sec(r.to))
		case "timeInterval":
			return fmt.Sprintf("toStartOfInterval(toDateTime(%s), INTERVAL %d second)", arg, int(max(r.interval.Seconds(), 1)))
		case "fromTime":
			return sec(r.from)
		case "toTime":
			return sec(r.to)
		default: // interval_s
			return strconv.Itoa(int(max(r.interval.Seconds(), 1)))
		}
	})
	if err != nil {
		return "", err
	}
	for name, v := range vars {
		out = strings.ReplaceAll(out, "${"+name+"}", v)
		out = regexp.MustCompile(`\$`+name+`\b`).ReplaceAllString(out, v)
	}
	if i := strings.Index(out, "$"); i >= 0 {
		return "", fmt.Errorf("unexpanded macro or variable at %q", out[i:min(len(out), i+30)])
	}
	return out, nil
}

func TestExpand(t *testing.T) {
	r := timeRange{from: time.Unix(1000, 0), to: time.Unix(2000, 0), interval: 5 * time.Minute}
	tests := []struct {
		name, in, want string
	}{
		{"timeFilter", "WHERE $__timeFilter(published_at)", "WHERE published_at >= toDateTime(1000) AND published_at <= toDateTime(2000)"},
		{"timeInterval", "SELECT $__timeInterval(time) AS t", "SELECT toStartOfInterval(toDateTime(time), INTERVAL 300 second) AS t"},
		{"from and to", "$__fromTime, $__toTime, $__interval_s", "toDateTime(1000), toDateTime(2000), 300"},
		{"variables", "programme = '${programme}' OR programme = '$programme'", "programme = 'ektp' OR programme = 'ektp'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expand(tt.in, r, map[string]string{"programme": "ektp"})
			if err != nil || got != tt.want {
				t.Fatalf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := expand("SELECT $__unknown", r, nil); err == nil {
		t.Error("unknown macro expanded without error")
	}
}

// TestClickHousePanelQueries runs every ClickHouse panel and variable query of every
// dashboard, macros expanded, against the embedded engine loaded with fixture data. Every
// query must succeed and return rows.
func TestClickHousePanelQueries(t *testing.T) {
	s := storagetest.Embedded(t)
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	loadFixture(t, s, now)
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	vars := map[string]string{"programme": "ektp"}
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := 0
	for _, d := range ds {
		for _, q := range d.Queries() {
			if q.RawSQL == "" {
				continue
			}
			n++
			t.Run(d.UID+"/"+q.Panel+"/"+q.RefID, func(t *testing.T) {
				sql, err := expand(q.RawSQL, r, vars)
				if err != nil {
					t.Fatal(err)
				}
				if err := storage.CheckReadOnly(sql); err != nil {
					t.Fatalf("not read-only: %v", err)
				}
				res, err := s.Query(ctx, sql)
				if err != nil {
					t.Fatalf("query failed: %v\n%s", err, sql)
				}
				if len(res.Rows) == 0 {
					t.Fatalf("no rows\n%s", sql)
				}
				if q.Format != nil && *q.Format == 0 && res.Columns[0].Name != "time" {
					t.Errorf("time series query's first column is %q, want time", res.Columns[0].Name)
				}
			})
		}
	}
	t.Logf("%d ClickHouse panel queries ran", n)
}

// loadFixture stores a week of articles, mentions and fetches ending at now: three
// programmes, four sources, syndicated copies, every stance label and a few failed fetches.
func loadFixture(t *testing.T, s storage.Store, now time.Time) {
	t.Helper()
	programmes := []struct{ id, unit string }{
		{"ektp", "Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)"},
		{"bansos", "Dinas Sosial"},
		{"sampah_tps", "Dinas Lingkungan Hidup (DLH)"},
	}
	sources := []string{"antara", "tempo-nasional", "langgam", "padangkita"}
	labels := []string{"negative", "neutral", "positive"}
	var articles, mentions, fetches []storage.Record
	for i := range 120 {
		published := now.Add(-time.Duration(i) * 83 * time.Minute)
		src := sources[i%len(sources)]
		canonical := fmt.Sprintf("https://%s.example.id/berita/%d", src, i)
		hash := storage.URLHash(canonical)
		var dup uint64
		if i%10 == 9 { // a syndicated copy of the previous story
			dup = storage.URLHash(fmt.Sprintf("https://%s.example.id/berita/%d", sources[(i-1)%len(sources)], i-1))
		}
		label := labels[i%len(labels)]
		articles = append(articles, storage.Article{
			URL: canonical, CanonicalURL: canonical, Source: src, SourceKind: "feed",
			Title: fmt.Sprintf("Berita %d tentang layanan publik", i), Text: "Isi berita.", Lang: "id",
			PublishedAt: published, DiscoveredAt: published.Add(10 * time.Minute), FetchedAt: published.Add(12 * time.Minute),
			DuplicateOf: dup, Sentiment: label, AnalyzerVersion: "test-1",
		})
		p := programmes[i%len(programmes)]
		if i%4 == 0 {
			p = programmes[0] // ektp gets the most coverage
		}
		mentions = append(mentions, storage.Mention{
			URLHash: hash, Programme: p.id, Unit: p.unit, Terms: []string{"e-KTP"},
			Score: map[string]float32{"negative": -0.7, "neutral": 0, "positive": 0.6}[label],
			Label: label, Criticism: label == "negative", Snippet: "Warga mengeluhkan layanan.",
			PublishedAt: published, Source: src, DuplicateOf: dup, AnalyzerVersion: "test-1",
		})
	}
	for i := range 400 {
		status := uint16(200)
		errClass := ""
		switch {
		case i%17 == 0:
			status, errClass = 0, "timeout"
		case i%23 == 0:
			status, errClass = 503, "http_5xx"
		case i%11 == 0:
			status = 304
		}
		kind := storage.FetchArticle
		if i%3 == 0 {
			kind = storage.FetchFeed
		}
		fetches = append(fetches, storage.Fetch{
			Time: now.Add(-time.Duration(i) * 25 * time.Minute), Source: sources[i%len(sources)],
			Host: sources[i%len(sources)] + ".example.id", Kind: kind, Status: status, Bytes: uint64(1000 + i),
			Duration: time.Duration(100+i) * time.Millisecond, ErrorClass: errClass,
		})
	}
	ctx := context.Background()
	for _, recs := range [][]storage.Record{articles, mentions, fetches} {
		rows := make([][]any, len(recs))
		for i, r := range recs {
			rows[i] = r.Row()
		}
		if err := s.Insert(ctx, recs[0].Table(), recs[0].Columns(), rows); err != nil {
			t.Fatalf("load fixture: %v", err)
		}
	}
}

// TestPanelsCountEachArticleOnce runs every panel over articles, mentions and the hourly
// rollup on the fixture, then loads the fixture again (as a replayed spool file or an article
// fetched again after a crash would insert it) and checks that no panel changed: each article,
// and each (article, programme), counts once whatever was inserted twice. Panels over fetches,
// an event log, are left out, and so are panels showing when rows were stored (inserted_at),
// which a second insert changes by design.
func TestPanelsCountEachArticleOnce(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	s := storagetest.Embedded(t)
	loadFixture(t, s, now)
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	vars := map[string]string{"programme": "ektp"}
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type panel struct{ name, sql string }
	var panels []panel
	for _, d := range ds {
		for _, q := range d.Queries() {
			if q.RawSQL == "" || strings.Contains(q.RawSQL, "fetches") || strings.Contains(q.RawSQL, "inserted_at") {
				continue
			}
			sql, err := expand(q.RawSQL, r, vars)
			if err != nil {
				t.Fatal(err)
			}
			panels = append(panels, panel{d.UID + "/" + q.Panel + "/" + q.RefID, sql})
		}
	}
	if len(panels) < 10 {
		t.Fatalf("%d panels, want the article and mention panels (at least 10)", len(panels))
	}
	run := func() [][][]any {
		out := make([][][]any, len(panels))
		for i, p := range panels {
			res, err := s.Query(ctx, p.sql)
			if err != nil {
				t.Fatalf("%s: %v\n%s", p.name, err, p.sql)
			}
			out[i] = res.Rows
		}
		return out
	}
	once := run()
	loadFixture(t, s, now)
	twice := run()
	for i, p := range panels {
		if !reflect.DeepEqual(once[i], twice[i]) {
			t.Errorf("%s: rows inserted twice change the panel:\nonce  %v\ntwice %v\n%s", p.name, once[i], twice[i], p.sql)
		}
	}
}
