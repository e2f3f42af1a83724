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

	"github.com/pantau-id/pantau/crawler"
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
	clickhouse, prometheus := InputRef(ClickHouseType, ClickHouseInput), InputRef(PrometheusType, PrometheusInput)
	for _, d := range ds {
		t.Run(d.File, func(t *testing.T) {
			checkInputs(t, d)
			vars := map[string]bool{}
			for _, v := range d.Templating.List {
				vars[v.Name] = true
			}
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
				for _, m := range variableUse.FindAllStringSubmatch(q.RawSQL+" "+q.Expr, -1) {
					if name := m[1] + m[2]; !vars[name] && !strings.HasPrefix(name, "__") {
						t.Errorf("%s: uses $%s, which the dashboard does not define", where, name)
					}
				}
				switch *q.Datasource {
				case clickhouse:
					ch++
					if strings.TrimSpace(q.RawSQL) == "" || q.EditorType != "sql" || q.Format == nil {
						t.Errorf("%s: ClickHouse target needs rawSql, editorType sql and format", where)
					}
				case prometheus:
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
					t.Errorf("%s: datasource %+v is not one of the dashboard's inputs %v, %v", where, *q.Datasource, clickhouse, prometheus)
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

// variableUse finds the template variables a query uses: $name and ${name} (with a format).
var variableUse = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|([A-Za-z_][A-Za-z0-9_]*))`)

// checkInputs checks that the dashboard declares the data source inputs Grafana's import asks
// for, and datasource variables of the same names that resolve them when the dashboard is
// provisioned, defaulting to the provisioned data sources.
func checkInputs(t *testing.T, d Dashboard) {
	t.Helper()
	for _, in := range []struct{ name, plugin, uid string }{
		{ClickHouseInput, ClickHouseType, ClickHouseUID},
		{PrometheusInput, PrometheusType, PrometheusUID},
	} {
		if !slices.Contains(d.Inputs, Input{Name: in.name, Type: "datasource", PluginID: in.plugin}) {
			t.Errorf("__inputs lacks the datasource input %s of plugin %s: %+v", in.name, in.plugin, d.Inputs)
		}
		i := slices.IndexFunc(d.Templating.List, func(v Variable) bool { return v.Name == in.name })
		if i < 0 {
			t.Errorf("no datasource variable %s", in.name)
			continue
		}
		v := d.Templating.List[i]
		if v.Type != "datasource" || string(v.Query) != strconv.Quote(in.plugin) || v.Current.Value != in.uid {
			t.Errorf("variable %s: type %s, query %s, current %v; want a datasource variable of %s defaulting to %s",
				in.name, v.Type, v.Query, v.Current.Value, in.plugin, in.uid)
		}
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
			expr := strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$programme", "ektp",
				"$unit", ".*", "$source", ".*").Replace(q.Expr)
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

// allValue is the value Grafana gives a variable set to All.
const allValue = "$__all"

// expand replaces the template variables and the ClickHouse plugin's macros as Grafana and the
// grafana-clickhouse-datasource plugin (4.x) do: $__conditionalAll(condition, $var) becomes 1=1
// when var is All or empty, else the condition; a multi-value variable (named in multi),
// whose value Grafana always passes as a list, becomes 'a','b' (the plugin's format), a
// single-value one the value itself; the time macros expand as the plugin's backend does.
func expand(sql string, r timeRange, vars map[string][]string, multi map[string]bool) (string, error) {
	out, err := conditionalAll(sql, vars)
	if err != nil {
		return "", err
	}
	sec := func(t time.Time) string { return fmt.Sprintf("toDateTime(%d)", t.Unix()) }
	out = grafanaMacro.ReplaceAllStringFunc(out, func(m string) string {
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
	out = variableUse.ReplaceAllStringFunc(out, func(m string) string {
		g := variableUse.FindStringSubmatch(m)
		name := g[1] + g[2]
		v, ok := vars[name]
		switch {
		case !ok:
			return m
		case multi[name]:
			return "'" + strings.Join(v, "','") + "'"
		default:
			return strings.Join(v, ",")
		}
	})
	if i := strings.Index(out, "$"); i >= 0 {
		return "", fmt.Errorf("unexpanded macro or variable at %q", out[i:min(len(out), i+30)])
	}
	return out, nil
}

// conditionalAll expands the plugin's $__conditionalAll(condition, $var) macros, last first.
func conditionalAll(sql string, vars map[string][]string) (string, error) {
	const macro = "$__conditionalAll("
	for i := strings.LastIndex(sql, macro); i >= 0; i = strings.LastIndex(sql, macro) {
		depth, comma, end := 0, -1, -1
		for j := i + len(macro) - 1; j < len(sql) && end < 0; j++ {
			switch sql[j] {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					end = j
				}
			case ',':
				if depth == 1 {
					comma = j
				}
			}
		}
		if comma < 0 || end < 0 {
			return "", fmt.Errorf("%s...: want two arguments", sql[i:min(len(sql), i+40)])
		}
		cond, name := sql[i+len(macro):comma], strings.TrimPrefix(strings.TrimSpace(sql[comma+1:end]), "$")
		v, ok := vars[name]
		if !ok {
			return "", fmt.Errorf("$__conditionalAll on unknown variable %q", name)
		}
		if len(v) == 0 || slices.Equal(v, []string{allValue}) {
			cond = "1=1"
		}
		sql = sql[:i] + cond + sql[end+1:]
	}
	return sql, nil
}

func TestExpand(t *testing.T) {
	r := timeRange{from: time.Unix(1000, 0), to: time.Unix(2000, 0), interval: 5 * time.Minute}
	vars := map[string][]string{"programme": {"ektp"}, "region": {allValue}, "source": {"antara", "langgam"}, "unit": {"Dinas Sosial"}}
	multi := map[string]bool{"region": true, "source": true, "unit": true}
	tests := []struct {
		name, in, want string
	}{
		{"timeFilter", "WHERE $__timeFilter(published_at)", "WHERE published_at >= toDateTime(1000) AND published_at <= toDateTime(2000)"},
		{"timeInterval", "SELECT $__timeInterval(time) AS t", "SELECT toStartOfInterval(toDateTime(time), INTERVAL 300 second) AS t"},
		{"from and to", "$__fromTime, $__toTime, $__interval_s", "toDateTime(1000), toDateTime(2000), 300"},
		{"variables", "programme = '${programme}' OR programme = '$programme'", "programme = 'ektp' OR programme = 'ektp'"},
		{"several values", "source IN (${source})", "source IN ('antara','langgam')"},
		{"one value of a multi-value variable", "unit IN (${unit})", "unit IN ('Dinas Sosial')"},
		{"conditionalAll with values", "WHERE $__conditionalAll(source IN (${source}), $source) AND x", "WHERE source IN ('antara','langgam') AND x"},
		{"conditionalAll on All", "WHERE $__conditionalAll(source IN (SELECT source FROM a WHERE region IN (${region})), $region) AND x", "WHERE 1=1 AND x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expand(tt.in, r, vars, multi)
			if err != nil || got != tt.want {
				t.Fatalf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"SELECT $__unknown", "$__conditionalAll(x, $nothing)", "$__conditionalAll(x)"} {
		if _, err := expand(bad, r, vars, multi); err == nil {
			t.Errorf("expand(%q) gave no error", bad)
		}
	}
}

// checkPicked checks that a panel's source or unit column holds only the picked values, when
// some are.
func checkPicked(t *testing.T, res *storage.Result, vars map[string][]string) {
	t.Helper()
	for j, c := range res.Columns {
		picked := vars[strings.TrimPrefix(c.Name, "responsible_")]
		if len(picked) == 0 || slices.Contains(picked, allValue) || (c.Name != "source" && c.Name != "responsible_unit") {
			continue
		}
		for _, r := range res.Rows {
			if v := fmt.Sprint(r[j]); !slices.Contains(picked, v) {
				t.Errorf("column %s holds %q, which is not picked (%v)", c.Name, v, picked)
			}
		}
	}
}

// multiValue returns the names of the dashboard's multi-value variables.
func (d Dashboard) multiValue() map[string]bool {
	out := map[string]bool{}
	for _, v := range d.Templating.List {
		out[v.Name] = v.Multi
	}
	return out
}

// panelVariables are the variable settings the panel tests run every query with: every filter
// on All, and a region named in the text, an outlet region, two sources and a unit picked.
var panelVariables = []struct {
	name string
	vars map[string][]string
}{
	{"all", map[string][]string{"programme": {"ektp"}, "region": {allValue}, "outlet_region": {allValue}, "source": {allValue}, "unit": {allValue}}},
	{"picked", map[string][]string{"programme": {"ektp"}, "region": {regionPicked}, "outlet_region": {"sumbar"}, "source": {"langgam", "padangkita"},
		"unit": {"Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)"}}},
}

// TestClickHousePanelQueries runs every ClickHouse panel and variable query of every
// dashboard, macros and variables expanded as the plugin does, on every ClickHouse the README
// supports: the embedded engine (chDB 26.7) and the server (Debian's 18.16 in CI), each loaded
// with the fixture. Every query must succeed and return rows, with every filter on All and
// with filters picked.
func TestClickHousePanelQueries(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			v, err := s.ServerVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			loadFixture(t, s, now)
			n := 0
			for _, pv := range panelVariables {
				for _, d := range ds {
					for _, q := range d.Queries() {
						if q.RawSQL == "" {
							continue
						}
						n++
						t.Run(pv.name+"/"+d.UID+"/"+q.Panel+"/"+q.RefID, func(t *testing.T) {
							sql, err := expand(q.RawSQL, r, pv.vars, d.multiValue())
							if err != nil {
								t.Fatal(err)
							}
							if err := storage.CheckReadOnly(sql); err != nil {
								t.Fatalf("not read-only: %v", err)
							}
							res, err := s.Query(ctx, sql)
							if err != nil {
								t.Fatalf("query failed on ClickHouse %v: %v\n%s", v, err, sql)
							}
							if len(res.Rows) == 0 {
								t.Fatalf("no rows\n%s", sql)
							}
							if q.Format != nil && *q.Format == 0 && res.Columns[0].Name != "time" {
								t.Errorf("time series query's first column is %q, want time", res.Columns[0].Name)
							}
							if !strings.HasPrefix(q.Panel, "variable ") { // a variable lists the values to pick from
								checkPicked(t, res, pv.vars)
							}
						})
					}
				}
			}
			t.Logf("%d ClickHouse panel and variable queries ran on ClickHouse %v", n, v)
		})
	}
}

// fixtureRegions are the regions the fixture's texts name (Kemendagri codes), by story number
// modulo 5: Padang and its province, Agam (a regency without its province), Jakarta Pusat and
// its province, Kabupaten Bogor and its province, none.
var fixtureRegions = [][]string{{"13.71", "13"}, {"13.06"}, {"31.71", "31"}, {"32.01", "32"}, nil}

// loadFixture stores a week of articles, mentions and fetches ending at now: three
// programmes, four sources, syndicated copies, every stance label and a few failed fetches.
func loadFixture(t *testing.T, s storage.Store, now time.Time) {
	t.Helper()
	loadFixtureWhere(t, s, now, nil)
}

// loadFixtureWhere stores the fixture's fetches, and its articles and mentions whose regions
// keep accepts (all of them when keep is nil).
func loadFixtureWhere(t *testing.T, s storage.Store, now time.Time, keep func(regions []string) bool) {
	t.Helper()
	programmes := []struct{ id, unit string }{
		{"ektp", "Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)"},
		{"bansos", "Dinas Sosial"},
		{"sampah_tps", "Dinas Lingkungan Hidup (DLH)"},
	}
	sources := []string{"antara", "tempo-nasional", "langgam", "padangkita"}
	regions := map[string]string{"antara": "national", "tempo-nasional": "national", "langgam": "sumbar", "padangkita": "sumbar"}
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
		if keep != nil && !keep(fixtureRegions[i%len(fixtureRegions)]) {
			continue
		}
		articles = append(articles, storage.Article{
			URL: canonical, CanonicalURL: canonical, Source: src, SourceKind: "feed",
			Title: fmt.Sprintf("Berita %d tentang layanan publik", i), Text: "Isi berita.", Lang: "id",
			PublishedAt: published, DiscoveredAt: published.Add(10 * time.Minute), FetchedAt: published.Add(12 * time.Minute),
			DuplicateOf: dup, Sentiment: label, AnalyzerVersion: "test-1", Region: regions[src], Regions: fixtureRegions[i%len(fixtureRegions)],
		})
		p := programmes[i%len(programmes)]
		if i%4 == 0 {
			p = programmes[0] // ektp gets the most coverage
		}
		mentions = append(mentions, storage.Mention{
			URLHash: hash, Programme: p.id, Unit: p.unit, Terms: []string{"e-KTP"},
			Score: map[string]float32{"negative": -0.7, "neutral": 0, "positive": 0.6}[label],
			Label: label, Criticism: label == "negative", Snippet: "Warga mengeluhkan layanan.",
			PublishedAt: published, Source: src, DuplicateOf: dup, AnalyzerVersion: "test-1", Region: regions[src],
			Regions: fixtureRegions[i%len(fixtureRegions)],
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
		kind := crawler.FetchArticle
		if i%3 == 0 {
			kind = crawler.FetchFeed
		}
		fetches = append(fetches, storage.Fetch{
			Time: now.Add(-time.Duration(i) * 25 * time.Minute), Source: sources[i%len(sources)],
			Host: sources[i%len(sources)] + ".example.id", Kind: kind, Status: status, StatusClass: crawler.StatusClass(int(status)), Bytes: uint64(1000 + i),
			Duration: time.Duration(100+i) * time.Millisecond, ErrorClass: errClass,
		})
	}
	ctx := context.Background()
	for _, recs := range [][]storage.Record{articles, mentions, fetches} {
		if err := storage.InsertRows(ctx, s, recs...); err != nil {
			t.Fatalf("load fixture: %v", err)
		}
	}
}

// TestPanelsCountEachArticleOnce runs every panel over articles, mentions and the hourly
// rollup on the fixture, then loads the fixture again (as a replayed spool file or an article
// fetched again after a crash would insert it) and checks that no panel changed: each article,
// and each (article, programme), counts once whatever was inserted twice. Panels over fetches,
// an event log, are left out, and so are panels showing when rows were stored (inserted_at),
// which a second insert changes by design. It runs on both backends, with the filters on All
// and picked.
func TestPanelsCountEachArticleOnce(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	type panel struct{ name, sql string }
	var panels []panel
	for _, pv := range panelVariables {
		for _, d := range ds {
			for _, q := range d.Queries() {
				if q.RawSQL == "" || strings.Contains(q.RawSQL, "fetches") || strings.Contains(q.RawSQL, "inserted_at") {
					continue
				}
				sql, err := expand(q.RawSQL, r, pv.vars, d.multiValue())
				if err != nil {
					t.Fatal(err)
				}
				panels = append(panels, panel{pv.name + "/" + d.UID + "/" + q.Panel + "/" + q.RefID, sql})
			}
		}
	}
	if len(panels) < 20 {
		t.Fatalf("%d panels, want the article and mention panels twice (at least 20)", len(panels))
	}
	ctx := context.Background()
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			loadFixture(t, s, now)
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
		})
	}
}
