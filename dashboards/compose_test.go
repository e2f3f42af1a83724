package dashboards

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/config"
)

// TestComposeStack checks that the compose file names the five services and that every file
// it mounts exists, and that pantau's configuration in it is valid.
func TestComposeStack(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Image   string   `yaml:"image"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	readYAML(t, "compose.yaml", &c)
	for _, s := range []string{"clickhouse", "pantau", "prometheus", "alertmanager", "grafana"} {
		if _, ok := c.Services[s]; !ok {
			t.Errorf("service %s missing", s)
		}
	}
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			host, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(host, ".") {
				continue // a named volume
			}
			if _, err := os.Stat(filepath.Clean(host)); err != nil {
				t.Errorf("service %s mounts %s: %v", name, host, err)
			}
		}
	}
	cfg, err := config.Load("pantau.yaml")
	if err != nil {
		t.Fatalf("pantau.yaml: %v", err)
	}
	if cfg.Storage.DSN == "" || !strings.HasPrefix(cfg.HTTP.Listen, "0.0.0.0:") {
		t.Errorf("pantau.yaml: dsn %q, listen %q: want a server DSN and a listen address other containers reach", cfg.Storage.DSN, cfg.HTTP.Listen)
	}
}

// TestDatasourceProvisioning checks that the provisioned data sources carry the uids the
// dashboards use.
func TestDatasourceProvisioning(t *testing.T) {
	var p struct {
		Datasources []Datasource `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/pantau.yml", &p)
	want := map[Datasource]bool{{Type: ClickHouseType, UID: ClickHouseUID}: true, {Type: PrometheusType, UID: PrometheusUID}: true}
	for _, d := range p.Datasources {
		delete(want, d)
	}
	if len(want) != 0 {
		t.Errorf("data sources not provisioned: %v", want)
	}
}
