package dashboards

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
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
// taxonomy reach a unit's receiver (not the fallback) and operational alerts reach operations.
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
	if !strings.Contains(strings.Join(cfg.Route.GroupBy, ","), "unit") {
		t.Errorf("top route group_by %v lacks unit", cfg.Route.GroupBy)
	}
	for _, p := range taxonomy.Default().Programmes() {
		t.Run(p.ID, func(t *testing.T) {
			labels := map[string]string{"alertname": "PantauCriticismTrending", "programme": p.ID, "unit": p.Unit, "window": "1h", "severity": "warning"}
			got := route(t, cfg.Route, labels)
			if got == cfg.Route.Receiver || got == "operations" {
				t.Errorf("unit %q routes to %s, want a unit receiver", p.Unit, got)
			}
			t.Logf("%s -> %s", p.ID, got)
		})
	}
	ops := map[string]string{"alertname": "PantauPipelineStalled", "unit": "operations", "severity": "critical"}
	if got := route(t, cfg.Route, ops); got != "operations" {
		t.Errorf("operational alert routes to %s, want operations", got)
	}
}
