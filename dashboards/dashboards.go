// Package dashboards holds Pantau's operations artefacts: Grafana dashboards and their
// provisioning, Prometheus alerting rules and their promtool tests, an Alertmanager example
// that routes by unit, and the compose stack that runs them all (see README.md).
//
// The Go code only embeds and reads those files, so that tests can check every panel's
// query against a real ClickHouse engine and every rule with promtool.
package dashboards

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Files holds the dashboards, the alerting rules and the Alertmanager example.
//
//go:embed grafana/dashboards/*.json prometheus/rules/*.yml alertmanager/alertmanager.yml
var Files embed.FS

// Datasource types and the uids the provisioning file gives them.
const (
	ClickHouseType = "grafana-clickhouse-datasource"
	PrometheusType = "prometheus"
	ClickHouseUID  = "pantau-clickhouse"
	PrometheusUID  = "pantau-prometheus"
)

// The dashboards' data source inputs. Every panel names its data source by one of them:
// Grafana's import asks for a data source of each (as for a dashboard exported for sharing)
// and writes its uid in their place; a provisioned dashboard resolves them through the
// datasource variables of the same names, which default to the provisioned uids.
const (
	ClickHouseInput = "DS_CLICKHOUSE"
	PrometheusInput = "DS_PROMETHEUS"
)

// Datasource is a panel's or target's data source reference.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Target is one query of a panel: RawSQL for ClickHouse, Expr for Prometheus.
type Target struct {
	RefID      string      `json:"refId"`
	Datasource *Datasource `json:"datasource"`
	RawSQL     string      `json:"rawSql"`
	Expr       string      `json:"expr"`
	Format     *int        `json:"format"`
	QueryType  string      `json:"queryType"`
	EditorType string      `json:"editorType"`
}

// Panel is a dashboard panel; rows hold nested panels when collapsed.
type Panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *Datasource `json:"datasource"`
	Targets    []Target    `json:"targets"`
	Panels     []Panel     `json:"panels"`
}

// Variable is a dashboard template variable. Query holds a query variable's target, or a
// datasource variable's plugin id as a JSON string.
type Variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource *Datasource     `json:"datasource"`
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	Current    struct {
		Value any `json:"value"`
	} `json:"current"`
}

// Input is an entry of a dashboard's __inputs: what Grafana's import asks for.
type Input struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	PluginID string `json:"pluginId"`
}

// Dashboard is the part of a Grafana dashboard model that Pantau's checks read.
type Dashboard struct {
	File       string  `json:"-"`
	Inputs     []Input `json:"__inputs"`
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []Panel
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// InputRef returns the data source reference of a panel that uses the input name.
func InputRef(typ, name string) Datasource { return Datasource{Type: typ, UID: "${" + name + "}"} }

// Query is one query of a dashboard, with where it comes from.
type Query struct {
	Dashboard string // dashboard uid
	Panel     string // panel title, or "variable NAME"
	Target
}

// Load reads every embedded dashboard, sorted by file name.
func Load() ([]Dashboard, error) {
	files, err := fs.Glob(Files, "grafana/dashboards/*.json")
	if err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	sort.Strings(files)
	var out []Dashboard
	for _, f := range files {
		b, err := Files.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read dashboard %s: %w", f, err)
		}
		var d Dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("parse dashboard %s: %w", f, err)
		}
		d.File = path.Base(f)
		for _, v := range d.Templating.List {
			var t Target
			if err := json.Unmarshal(v.Query, &t); v.Type == "query" && err != nil {
				return nil, fmt.Errorf("parse dashboard %s: variable %s: %w", f, v.Name, err)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// Queries returns every query of the dashboard: panel targets (nested rows included) and
// template variable queries. A target without its own data source inherits its panel's.
// Load has checked that every query variable's query decodes.
func (d Dashboard) Queries() []Query {
	var out []Query
	var walk func(ps []Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				if t.Datasource == nil {
					t.Datasource = p.Datasource
				}
				out = append(out, Query{Dashboard: d.UID, Panel: p.Title, Target: t})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var t Target
		_ = json.Unmarshal(v.Query, &t)
		if t.Datasource == nil {
			t.Datasource = v.Datasource
		}
		out = append(out, Query{Dashboard: d.UID, Panel: "variable " + v.Name, Target: t})
	}
	return out
}
