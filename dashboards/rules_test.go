package dashboards

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// ruleFile is the part of a Prometheus rule file that the checks below read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert  string            `yaml:"alert"`
			Expr   string            `yaml:"expr"`
			Labels map[string]string `yaml:"labels"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestAlertRules checks the rule files and runs their unit tests with promtool.
func TestAlertRules(t *testing.T) {
	bin := promtool(t)
	rules, _ := filepath.Glob("prometheus/rules/*.yml")
	tests, _ := filepath.Glob("prometheus/tests/*.test.yml")
	if len(rules) == 0 || len(tests) == 0 {
		t.Fatalf("rules %v, tests %v: want both", rules, tests)
	}
	t.Run("check", func(t *testing.T) {
		out, err := exec.Command(bin, append([]string{"check", "rules"}, rules...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("promtool check rules: %v\n%s", err, out)
		}
	})
	for _, f := range tests {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := exec.Command(bin, "test", "rules", f).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool test rules %s: %v\n%s", f, err, out)
			}
			t.Logf("%s", out)
		})
	}
	t.Run("config", func(t *testing.T) {
		out, err := exec.Command(bin, "check", "config", "prometheus/prometheus.yml").CombinedOutput()
		if err != nil {
			t.Fatalf("promtool check config: %v\n%s", err, out)
		}
	})
}

// TestEveryAlertIsTested requires each alert to appear in a promtool test with an alert expected.
func TestEveryAlertIsTested(t *testing.T) {
	known := exportedMetrics(t)
	var rf ruleFile
	readYAML(t, "prometheus/rules/pantau.rules.yml", &rf)
	var tf struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	readYAML(t, "prometheus/tests/pantau.rules.test.yml", &tf)
	fired := map[string]bool{}
	for _, tc := range tf.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fired[a.Alertname] = true
			}
		}
	}
	metric := regexp.MustCompile(`\bpantau_[a-z_]+`)
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if !fired[r.Alert] {
				t.Errorf("alert %s has no promtool test in which it fires", r.Alert)
			}
			if r.Labels["severity"] == "" {
				t.Errorf("alert %s has no severity label", r.Alert)
			}
			for _, m := range metric.FindAllString(r.Expr, -1) {
				if !known[m] {
					t.Errorf("alert %s uses unknown metric %s", r.Alert, m)
				}
			}
		}
	}
}
