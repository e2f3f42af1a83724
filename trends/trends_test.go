package trends

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/trendtest"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// rulesFile is the alerting rule file the trend gauges feed.
const rulesFile = "../dashboards/prometheus/rules/pantau.rules.yml"

// gauges returns the values of a gauge family by "programme/window".
func gauges(t *testing.T, g prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if l["unit"] != trendtest.Units[l["programme"]] || l["unit_id"] != taxonomy.Default().UnitID(l["programme"], "") || l["unit_id"] == "" {
				t.Errorf("%s{programme=%q}: unit %q, unit_id %q", name, l["programme"], l["unit"], l["unit_id"])
			}
			out[l["programme"]+"/"+l["window"]] = m.GetGauge().GetValue()
		}
	}
	return out
}

// trendingRule is the alert rule the trend gauges feed.
type trendingRule struct {
	Alert         string            `yaml:"alert"`
	Expr          string            `yaml:"expr"`
	For           string            `yaml:"for"`
	KeepFiringFor string            `yaml:"keep_firing_for"`
	Labels        map[string]string `yaml:"labels"`
	Annotations   map[string]string `yaml:"annotations"`
}

func loadTrendingRule(t *testing.T) trendingRule {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []trendingRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert == "PantauCriticismTrending" {
				return r
			}
		}
	}
	t.Fatal("rule PantauCriticismTrending not found")
	return trendingRule{}
}

// TestTrendRuleMatchesJob keeps the alert rule's threshold and cool-down equal to the job's.
func TestTrendRuleMatchesJob(t *testing.T) {
	r := loadTrendingRule(t)
	m := regexp.MustCompile(`^pantau_trend_criticism_score\s*>=\s*([0-9.]+)$`).FindStringSubmatch(strings.TrimSpace(r.Expr))
	if m == nil {
		t.Fatalf("expr %q: want pantau_trend_criticism_score >= N", r.Expr)
	}
	if th, _ := strconv.ParseFloat(m[1], 64); th != config.TrendThreshold {
		t.Errorf("rule threshold %v, config.TrendThreshold %v", th, config.TrendThreshold)
	}
	if d, err := time.ParseDuration(r.KeepFiringFor); err != nil || d != config.TrendCoolDown {
		t.Errorf("keep_firing_for %q, config.TrendCoolDown %v", r.KeepFiringFor, config.TrendCoolDown)
	}
}

// TestTrendBurstFiresAlert is the end-to-end check of trend detection: a quiet baseline,
// then a burst of critical stories about one programme. Exactly that programme's score
// crosses the threshold, and promtool, fed the exported gauges, fires the alert for it
// with its unit; a burst of three stories crosses nothing and fires nothing.
func TestTrendBurstFiresAlert(t *testing.T) {
	tests := []struct {
		name      string
		burst     int
		wantAlert bool
	}{
		{"burst of 8", 8, true},
		{"burst of 3", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storagetest.Embedded(t)
			trendtest.Store(t, s, append(trendtest.QuietHistory(trendtest.Now), trendtest.Burst("ektp", tt.burst, trendtest.Now)...))
			reg := prometheus.NewRegistry()
			job := newJob(t, s, reg, JobOptions{
				Trend:     programmeTrends("ektp", "bansos", "sampah_tps", "pju"),
				Now:       func() time.Time { return trendtest.Now },
				UnitID:    taxonomy.Default().UnitID,
				ReportURL: "https://pantau.example.go.id/report", GrafanaURL: "https://grafana.example.go.id",
			})
			if err := job.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			scores := gauges(t, reg, "pantau_trend_criticism_score")
			critical := gauges(t, reg, "pantau_trend_critical_mentions")
			t.Logf("scores %v, critical %v", scores, critical)
			if len(scores) != 6 {
				t.Fatalf("%d score series, want 3 programmes × 2 windows", len(scores))
			}
			if critical["ektp/1h"] != float64(tt.burst) {
				t.Errorf("ektp/1h critical = %v, want %d (copies count once)", critical["ektp/1h"], tt.burst)
			}
			// Only ektp may cross (the burst lifts its day window too), and its hour window must.
			for k, v := range scores {
				crosses := v >= config.TrendThreshold
				if crosses && (!tt.wantAlert || !strings.HasPrefix(k, "ektp/")) {
					t.Errorf("%s score %.2f crosses the threshold", k, v)
				}
			}
			if crosses := scores["ektp/1h"] >= config.TrendThreshold; crosses != tt.wantAlert {
				t.Errorf("ektp/1h score %.2f: crosses %v, want %v", scores["ektp/1h"], crosses, tt.wantAlert)
			}
			checkUnitIDs(t, reg)
			runPromtool(t, scores, linkLabels(t, reg), tt.wantAlert)
		})
	}
}

// checkUnitIDs checks that every unit trend series carries its unit's id from the taxonomy.
func checkUnitIDs(t *testing.T, g prometheus.Gatherer) {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		if mf.GetName() != "pantau_trend_unit_criticism_score" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if n++; l["unit_id"] == "" || l["unit_id"] != taxonomy.Default().UnitID("", l["unit"]) {
				t.Errorf("unit trend of %q: unit_id %q", l["unit"], l["unit_id"])
			}
		}
	}
	if n == 0 {
		t.Error("no unit trend series")
	}
}

// linkLabels returns the labels of the job's pantau_trend_links_info series.
func linkLabels(t *testing.T, g prometheus.Gatherer) map[string]string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "pantau_trend_links_info" && len(mf.GetMetric()) == 1 {
			l := map[string]string{}
			for _, lp := range mf.GetMetric()[0].GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			return l
		}
	}
	t.Fatal("no single pantau_trend_links_info series")
	return nil
}

// runPromtool writes a promtool unit test whose input series are the exported scores (held
// for 20 minutes after 30 quiet minutes) and the links series, and expects an alert for each
// series at or above the threshold, with the programme's unit and unit id and absolute links,
// and none at all unless wantAlert.
func runPromtool(t *testing.T, scores map[string]float64, links map[string]string, wantAlert bool) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		storagetest.Unavailable(t, "promtool not installed (apt-get install prometheus): %v", err)
	}
	rule := loadTrendingRule(t)
	abs, _ := filepath.Abs(rulesFile)
	type series struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	type alert struct {
		ExpLabels      map[string]string `yaml:"exp_labels"`
		ExpAnnotations map[string]string `yaml:"exp_annotations"`
	}
	input := []series{{
		Series: fmt.Sprintf(`pantau_trend_links_info{job="pantau",instance="pantau:9464",report_url=%q,grafana_url=%q}`, links["report_url"], links["grafana_url"]),
		Values: "1x50",
	}}
	var exp []alert
	for k, v := range scores {
		programme, window, _ := strings.Cut(k, "/")
		unitID := taxonomy.Default().UnitID(programme, "")
		labels := map[string]string{"job": "pantau", "instance": "pantau:9464", "programme": programme, "unit": trendtest.Units[programme], "unit_id": unitID, "window": window}
		input = append(input, series{
			Series: fmt.Sprintf(`pantau_trend_criticism_score{job="pantau",instance="pantau:9464",programme=%q,unit=%q,unit_id=%q,window=%q}`, programme, trendtest.Units[programme], unitID, window),
			Values: fmt.Sprintf("0x30 %sx20", strconv.FormatFloat(v, 'g', -1, 64)),
		})
		if v < config.TrendThreshold {
			continue
		}
		a := alert{ExpLabels: map[string]string{}, ExpAnnotations: map[string]string{}}
		for k, v := range labels {
			a.ExpLabels[k] = v
		}
		for k, v := range rule.Labels {
			a.ExpLabels[k] = v
		}
		for k, tmpl := range rule.Annotations {
			a.ExpAnnotations[k] = expandAnnotation(t, tmpl, labels, v, links)
		}
		exp = append(exp, a)
	}
	if wantAlert != (len(exp) > 0) {
		t.Fatalf("%d alerts expected from the scores, want alerts: %v", len(exp), wantAlert)
	}
	test := map[string]any{
		"rule_files":          []string{abs},
		"evaluation_interval": "1m",
		"tests": []any{map[string]any{
			"interval":     "1m",
			"input_series": input,
			"alert_rule_test": []any{
				map[string]any{"eval_time": "29m", "alertname": rule.Alert, "exp_alerts": []alert{}},
				map[string]any{"eval_time": "45m", "alertname": rule.Alert, "exp_alerts": append([]alert{}, exp...)},
			},
		}},
	}
	b, err := yaml.Marshal(test)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "trend.test.yml")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "test", "rules", f).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s\n--- test file:\n%s", err, out, b)
	}
	t.Logf("promtool: %s", strings.TrimSpace(string(out)))
}

// expandAnnotation expands a rule annotation as Prometheus does for $labels and $value; its
// one query, for the links series of the alert's instance, returns the series with links.
func expandAnnotation(t *testing.T, text string, labels map[string]string, value float64, links map[string]string) string {
	t.Helper()
	type sample struct{ Labels map[string]string }
	query := func(q string) ([]sample, error) {
		if want := fmt.Sprintf("pantau_trend_links_info{instance=%q}", labels["instance"]); q != want {
			return nil, fmt.Errorf("annotation queries %s, want %s", q, want)
		}
		return []sample{{links}}, nil
	}
	tmpl, err := template.New("a").Option("missingkey=zero").Funcs(template.FuncMap{"query": query}).
		Parse("{{$labels := .Labels}}{{$value := .Value}}" + text)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, struct {
		Labels map[string]string
		Value  float64
	}{labels, value}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestTrendCoolDown checks that a programme stays trending for the cool-down after its
// score fell, and that the gauges of a programme without mentions are removed.
func TestTrendCoolDown(t *testing.T) {
	s := storagetest.Embedded(t)
	trendtest.Store(t, s, append(trendtest.QuietHistory(trendtest.Now), trendtest.Burst("ektp", 8, trendtest.Now)...))
	reg := prometheus.NewRegistry()
	now := trendtest.Now
	job := newJob(t, s, reg, JobOptions{Trend: programmeTrends(), Now: func() time.Time { return now }, UnitID: taxonomy.Default().UnitID})
	steps := []struct {
		after        time.Duration
		wantScore    bool // ektp/1h score at or above the threshold
		wantTrending float64
	}{
		{0, true, 1},
		{90 * time.Minute, false, 1}, // burst left the 1h window; cooling down
		{3 * time.Hour, false, 0},    // cool-down over
	}
	for _, st := range steps {
		now = trendtest.Now.Add(st.after)
		if err := job.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		score := gauges(t, reg, "pantau_trend_criticism_score")["ektp/1h"]
		trending := gauges(t, reg, "pantau_trend_trending")["ektp/1h"]
		if (score >= config.TrendThreshold) != st.wantScore || trending != st.wantTrending {
			t.Errorf("+%v: score %.2f trending %v, want above=%v trending %v", st.after, score, trending, st.wantScore, st.wantTrending)
		}
	}
	if got := job.Trending(); len(got["1h"]) != 0 {
		t.Errorf("Trending() = %v: the 1h window still trending after the cool-down", got)
	}
	// A month later nothing is in any baseline: every label set is gone.
	now = trendtest.Now.Add(40 * 24 * time.Hour)
	if err := job.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := gauges(t, reg, "pantau_trend_criticism_score"); len(g) != 0 {
		t.Errorf("stale series left: %v", g)
	}
}

// programmeTrends are the trend options of the default configuration for programmes.
func programmeTrends(programmes ...string) storage.TrendOptions {
	o := storage.TrendOptionsFrom(config.Default().Trends)
	o.Programmes = programmes
	return o
}

// newJob returns NewJob's job with the default threshold and cool-down and a logger that
// discards.
func newJob(t testing.TB, q storage.Querier, reg prometheus.Registerer, opts JobOptions) *Job {
	t.Helper()
	opts.Threshold, opts.CoolDown, opts.Logger = config.TrendThreshold, config.TrendCoolDown, slog.New(slog.DiscardHandler)
	j, err := NewJob(q, reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return j
}
