package storage

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// reLocalView matches a view that writes a local table and reads one.
var reLocalView = regexp.MustCompile(`(?s)\sTO\s+` + "`db`.`[a-z_]+_local`" + `\s+AS\s.*\sFROM\s+` + "`db`.`[a-z_]+_local`")

// TestClusterRender renders every migration for a cluster, for 18.16 and a current server:
// each table becomes a replicated local table ON CLUSTER with a Distributed table in front,
// views read and write local tables, and every name is qualified with the database.
func TestClusterRender(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []Version{{Major: 18, Minor: 16, Raw: "18.16.1"}, {Major: 26, Minor: 7, Raw: "26.7.2.1"}} {
		t.Run(v.Raw, func(t *testing.T) {
			for _, m := range migs {
				stmts, err := m.render(v, MigrateOptions{}, Columns{}, "pantau", "db")
				if err != nil {
					t.Fatalf("%04d_%s: %v", m.Version, m.Name, err)
				}
				for _, st := range stmts {
					switch {
					case strings.HasPrefix(st, "CREATE TABLE"):
						if !strings.Contains(st, " ON CLUSTER `pantau`") {
							t.Errorf("%04d: not ON CLUSTER: %s", m.Version, st)
						}
						if !strings.Contains(st, "ENGINE = Replicated") && !strings.Contains(st, "ENGINE = Distributed(`pantau`, `db`, ") {
							t.Errorf("%04d: neither replicated nor distributed: %s", m.Version, st)
						}
						if strings.Contains(st, "ENGINE = Replicated") && !strings.Contains(st, "'/clickhouse/tables/{shard}/db/") {
							t.Errorf("%04d: replicated table without its shard's ZooKeeper path: %s", m.Version, st)
						}
					case strings.HasPrefix(st, "CREATE MATERIALIZED VIEW"):
						if !reLocalView.MatchString(st) {
							t.Errorf("%04d: view not on the local tables: %s", m.Version, st)
						}
					case strings.HasPrefix(st, "DROP TABLE"):
						if !strings.Contains(st, " ON CLUSTER ") {
							t.Errorf("%04d: drop not ON CLUSTER: %s", m.Version, st)
						}
					case strings.HasPrefix(st, "ALTER TABLE"):
						// Never ON CLUSTER (see clusteralter.go): execStatement sends it to
						// one replica of every shard.
						if strings.Contains(st, "ON CLUSTER") {
							t.Errorf("%04d: alter of a replicated table ON CLUSTER: %s", m.Version, st)
						}
						if a := reLocalAlter.FindStringSubmatch(strings.TrimPrefix(st, "ALTER TABLE `db`.")); a == nil || !strings.HasPrefix(a[2], "ADD COLUMN ") {
							t.Errorf("%04d: alter not of a local table: %s", m.Version, st)
						}
					case strings.HasPrefix(st, "INSERT INTO"):
					default:
						t.Errorf("%04d: unexpected statement: %s", m.Version, st)
					}
				}
			}
		})
	}
}

func TestClusterRenderRefuses(t *testing.T) {
	r := clusterRender{cluster: "pantau", db: "db", have: Columns{}}
	for _, st := range []string{
		"CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = Log",
		"CREATE TABLE IF NOT EXISTS new_table (a UInt8) ENGINE = MergeTree ORDER BY a",
		"RENAME TABLE a TO b",
		"CREATE TABLE IF NOT EXISTS articles (a UInt8 ENGINE = MergeTree",
	} {
		if got, err := r.statements(st); err == nil {
			t.Errorf("%q rendered as %q, want an error", st, got)
		}
	}
}

func TestClusterAddColumn(t *testing.T) {
	tests := []struct {
		have Columns
		want int // statements
	}{
		{Columns{}, 3}, // alter the local tables, drop and create the Distributed one
		// The connected server's local table has it, another shard's may not: each shard
		// skips the ALTER where the column is.
		{Columns{"source_state_local.feeds": true}, 3},
		{Columns{"source_state_local.feeds": true, "source_state.feeds": true}, 0},
	}
	for _, tt := range tests {
		r := clusterRender{cluster: "pantau", db: "db", have: tt.have}
		got, err := r.statements("ALTER TABLE `source_state` ADD COLUMN feeds String DEFAULT ''")
		if err != nil || len(got) != tt.want {
			t.Errorf("have %v: %q, %v; want %d statements", tt.have, got, err, tt.want)
		}
	}
}

func TestServerUnavailable(t *testing.T) {
	for code, want := range map[int32]bool{279: true, 210: true, 242: true, 60: false, 62: false} {
		err := fmt.Errorf("insert: %w", &clickhouse.Exception{Code: code})
		if got := unreachable(err); got != want {
			t.Errorf("code %d: unreachable %v, want %v", code, got, want)
		}
	}
	if unreachable(errors.New("syntax error")) {
		t.Error("a plain error counted as an outage")
	}
}

// TestDDLInBackground tells a cluster statement that runs on in the background from other errors.
func TestDDLInBackground(t *testing.T) {
	late := &clickhouse.Exception{Code: 159, Message: "Watching task /clickhouse/task_queue/ddl/query-0000000013 is executing longer than distributed_ddl_task_timeout (=150) seconds. There are 1 unfinished hosts (1 of them are currently active), they are going to execute the query in background"}
	if !ddlInBackground(fmt.Errorf("exec: %w", late)) {
		t.Error("a DDL timeout with the query going on in the background not recognised")
	}
	for _, err := range []error{
		&clickhouse.Exception{Code: 159, Message: "Timeout exceeded: elapsed 10 seconds"},
		&clickhouse.Exception{Code: 44, Message: "Cannot add column"},
		errors.New("in background"),
	} {
		if ddlInBackground(err) {
			t.Errorf("%v taken for a DDL going on in the background", err)
		}
	}
}
