package dashboards

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/storage/storagetest"
	"go.yaml.in/yaml/v3"
)

// amRoute is an Alertmanager route with the fields the routing check reads.
type amRoute struct {
	Receiver string    `yaml:"receiver"`
	Matchers []string  `yaml:"matchers"`
	GroupBy  []string  `yaml:"group_by"`
	Continue bool      `yaml:"continue"`
	Routes   []amRoute `yaml:"routes"`
}

// readYAML decodes file into v, failing the test on error.
func readYAML(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

var amMatcher = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$`)

// matches reports whether labels satisfy every matcher, with Alertmanager's semantics
// (regular expressions are anchored).
func matches(t *testing.T, matchers []string, labels map[string]string) bool {
	t.Helper()
	for _, m := range matchers {
		g := amMatcher.FindStringSubmatch(m)
		if g == nil {
			t.Fatalf("matcher %q: not name op \"value\"", m)
		}
		v := labels[g[1]]
		var ok bool
		switch g[2] {
		case "=":
			ok = v == g[3]
		case "!=":
			ok = v != g[3]
		default:
			re, err := regexp.Compile("^(?:" + g[3] + ")$")
			if err != nil {
				t.Fatalf("matcher %q: %v", m, err)
			}
			ok = re.MatchString(v) == (g[2] == "=~")
		}
		if !ok {
			return false
		}
	}
	return true
}

// route returns the receiver Alertmanager picks for labels (first matching child, no continue).
func route(t *testing.T, r amRoute, labels map[string]string) string {
	for _, c := range r.Routes {
		if matches(t, c.Matchers, labels) {
			return route(t, c, labels)
		}
	}
	return r.Receiver
}

// TestAlertmanagerRoutesByUnit checks that criticism alerts for every programme of the default
// taxonomy reach a unit's receiver (not the fallback) by its unit_id, whatever the unit's
// description says, and operational alerts reach operations.
func TestAlertmanagerRoutesByUnit(t *testing.T) {
	var cfg struct {
		Route     amRoute `yaml:"route"`
		Receivers []struct {
			Name string `yaml:"name"`
		} `yaml:"receivers"`
	}
	readYAML(t, "alertmanager/alertmanager.yml", &cfg)
	defined := map[string]bool{}
	for _, r := range cfg.Receivers {
		defined[r.Name] = true
	}
	var walk func(r amRoute)
	walk = func(r amRoute) {
		if !defined[r.Receiver] && r.Receiver != "" {
			t.Errorf("route to undefined receiver %q", r.Receiver)
		}
		for _, c := range r.Routes {
			walk(c)
		}
	}
	walk(cfg.Route)
	if !slices.Contains(cfg.Route.GroupBy, "unit_id") {
		t.Errorf("top route group_by %v lacks unit_id", cfg.Route.GroupBy)
	}
	for _, p := range taxonomy.Default().Programmes() {
		t.Run(p.ID, func(t *testing.T) {
			labels := map[string]string{"alertname": "PantauCriticismTrending", "programme": p.ID, "unit": "reworded " + p.Unit,
				"unit_id": p.UnitID, "window": "1h", "severity": "warning"}
			got := route(t, cfg.Route, labels)
			if got == cfg.Route.Receiver || got == "operations" {
				t.Errorf("unit_id %q routes to %s, want a unit receiver", p.UnitID, got)
			}
			t.Logf("%s -> %s", p.ID, got)
		})
	}
	ops := map[string]string{"alertname": "PantauPipelineStalled", "unit": "operations", "severity": "critical"}
	if got := route(t, cfg.Route, ops); got != "operations" {
		t.Errorf("operational alert routes to %s, want operations", got)
	}
}

// amtool returns the path of amtool, or skips.
func amtool(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("amtool")
	if err != nil {
		storagetest.Unavailable(tb, "amtool not installed (apt-get install prometheus-alertmanager): %v", err)
	}
	return p
}

// TestAlertmanagerConfigWithAmtool checks the example configuration with Alertmanager's own
// amtool, and asks amtool's router where an alert goes: the criticism alerts of every unit id
// of the default taxonomy reach a unit receiver, never the fallback, whatever the unit's
// description says, and each unit's alerts for every one of its programmes go to the same
// receiver; operational alerts go to operations; an alert without unit_id to the fallback.
func TestAlertmanagerConfigWithAmtool(t *testing.T) {
	bin := amtool(t)
	const file = "alertmanager/alertmanager.yml"
	if out, err := exec.Command(bin, "check-config", file).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	routeOf := func(t *testing.T, labels ...string) string {
		t.Helper()
		var stderr strings.Builder
		cmd := exec.Command(bin, append([]string{"config", "routes", "test", "--config.file=" + file}, labels...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("amtool config routes test %v: %v\n%s%s", labels, err, out, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	byUnit := map[string]string{}
	for _, p := range taxonomy.Default().Programmes() {
		t.Run(p.ID, func(t *testing.T) {
			got := routeOf(t, "alertname=PantauCriticismTrending", "programme="+p.ID, "unit_id="+p.UnitID, "unit=reworded "+p.Unit, "window=1h")
			if got == "humas-fallback" || got == "operations" || strings.Contains(got, ",") {
				t.Errorf("unit_id %q routes to %q, want one unit receiver", p.UnitID, got)
			}
			if first, ok := byUnit[p.UnitID]; ok && first != got {
				t.Errorf("unit_id %q routes to %q here and to %q for another programme", p.UnitID, got, first)
			}
			byUnit[p.UnitID] = got
		})
	}
	t.Logf("unit ids to receivers: %v", byUnit)
	if got := routeOf(t, "alertname=PantauUnitCriticismTrending", "unit_id=disdukcapil", "unit=Disdukcapil", "window=1d"); got != byUnit["disdukcapil"] {
		t.Errorf("unit alert of disdukcapil routes to %q, want %q", got, byUnit["disdukcapil"])
	}
	if got := routeOf(t, "alertname=PantauPipelineStalled", "unit=operations"); got != "operations" {
		t.Errorf("operational alert routes to %q, want operations", got)
	}
	if got := routeOf(t, "alertname=PantauCriticismTrending", "programme=custom", "unit=Dinas Sosial"); got != "humas-fallback" {
		t.Errorf("alert without unit_id routes to %q, want the fallback (no route on the description)", got)
	}
}
