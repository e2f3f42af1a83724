package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

func TestHelp(t *testing.T) {
	code, stdout, _ := run(t, "", "help")
	if code != 0 || !strings.Contains(stdout, "check-config") || !strings.Contains(stdout, "backfill") {
		t.Errorf("pantau help: exit %d, output:\n%s", code, stdout)
	}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			// Help goes to standard output, so that pantau help run | less shows it.
			for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}} {
				code, stdout, stderr := run(t, "", args...)
				if code != 0 || !strings.Contains(stdout, "Usage: pantau "+c.name) || stderr != "" {
					t.Errorf("pantau %v: exit %d, stdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
				}
			}
		})
	}
	if code, _, stderr := run(t, "", "nonsense"); code != 2 || !strings.Contains(stderr, `unknown command "nonsense"`) {
		t.Errorf("unknown command: exit %d, %s", code, stderr)
	}
}

// TestCommandLineConventions checks the parser every command shares: flags may follow the
// arguments, an unexpected argument is refused in one line with exit status 2 (never silently
// ignored with the flags after it), and check-config takes its file as an argument.
func TestCommandLineConventions(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(good, []byte("log:\n  level: warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring; "" checks nothing
		stderr string // substring; "" checks nothing
	}{
		{"positional file refused by run", []string{"run", "pantau.yaml"}, 2, "", `pantau run: unexpected argument "pantau.yaml"`},
		{"flags after a refused argument", []string{"report", "x", "--config", "f.yaml"}, 2, "", `unexpected argument "x"`},
		{"unknown flag", []string{"sources", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{"check-config FILE", []string{"check-config", good}, 0, "good.yaml: ok", ""},
		{"check-config FILE and --config", []string{"check-config", "a.yml", "--config", "b.yml"}, 2, "", "give the file once"},
		{"check-config bad FILE", []string{"check-config", "../../config/testdata/three-mistakes.bad.yml"}, 1, "", "3 problem(s)"},
		{"sql with two queries", []string{"sql", "SELECT 1", "SELECT 2"}, 2, "", `unexpected argument "SELECT 2"`},
		{"version", []string{"version"}, 0, "pantau ", ""},
		{"report with a bad region", []string{"report", "--region", "Sumatera Atlantis"}, 2, "", `pantau report: --region: region "Sumatera Atlantis" is not an Indonesian province, regency or city`},
		{"report with an unknown region code", []string{"report", "--region", "13.99"}, 2, "", `pantau report: --region: region "13.99": no Indonesian province, regency or city has this code`},
		{"report with an ambiguous region", []string{"report", "--region", "Bogor"}, 2, "", `region "Bogor" is ambiguous`},
		{"search with a bad region", []string{"search", "sampah", "--region", "x' OR 1"}, 2, "", `pantau search: --region: region "x' OR 1" is not an Indonesian province`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("pantau %v: exit %d (want %d)\nstdout: %s\nstderr: %s", tt.args, code, tt.code, stdout, stderr)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("a usage mistake takes more than two lines:\n%s", stderr)
			}
		})
	}
}

// TestCheckConfigPrintHidesSecrets checks that --print shows no password, neither the
// storage.password key nor one written inside storage.dsn.
func TestCheckConfigPrintHidesSecrets(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pantau.yaml")
	if err := os.WriteFile(f, []byte("storage:\n  dsn: clickhouse://pantau:s3cret-dsn@127.0.0.1:9000/pantau\n  password: s3cret-key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "check-config", "--print", f)
	if code != 0 || strings.Contains(stdout+stderr, "s3cret") || !strings.Contains(stdout, "dsn:") {
		t.Errorf("exit %d, output shows a secret or no dsn:\n%s%s", code, stdout, stderr)
	}
}

func TestCheckConfigReportsEveryProblem(t *testing.T) {
	code, _, stderr := run(t, "", "check-config", "--config", "../../config/testdata/three-mistakes.bad.yml")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"three-mistakes.bad.yml:2: cannot use str value `many` as int",
		`three-mistakes.bad.yml:5: unknown key "timout" in crawler`,
		`three-mistakes.bad.yml:8: sources[0].kind: want feed, portal or sitemap, got "rss"`,
		"3 problem(s)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, stderr)
		}
	}
	if code, stdout, stderr := run(t, "", "check-config"); code != 0 || !strings.Contains(stdout, "ok") {
		t.Errorf("built-in config: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestCheckConfigBadTaxonomy(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tax.yaml"), []byte("programmes:\n  - id: x\n    name: X\n    unit: U\n    query: (a AND\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "pantau.yaml"), []byte("taxonomy: tax.yaml\n"), 0o644)
	code, _, stderr := run(t, "", "check-config", "--config", filepath.Join(dir, "pantau.yaml"))
	if code != 1 || !strings.Contains(stderr, `programme "x"`) {
		t.Errorf("exit %d, want 1 and the programme named:\n%s", code, stderr)
	}
}

func TestSQL(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
			if err := os.WriteFile(cfgFile, []byte(storageYAML(t, b)+"log:\n  level: warn\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 {
				t.Fatalf("migrate: exit %d: %s", code, stderr)
			}
			code, stdout, stderr := run(t, "", "migrate", "--config", cfgFile)
			if code != 0 || !strings.Contains(stdout, "schema up to date") {
				t.Errorf("second migrate: exit %d: %s%s", code, stdout, stderr)
			}
			code, stdout, stderr = run(t, "", "sql", "--config", cfgFile, "SELECT count() FROM articles")
			if code != 0 || stdout != "0\n" {
				t.Errorf("count: exit %d, stdout %q, stderr %s", code, stdout, stderr)
			}
			code, stdout, _ = run(t, "", "sql", "--json", "--config", cfgFile, "SELECT 'a\tb' AS s, [1, 2] AS xs")
			if code != 0 || strings.TrimSpace(stdout) != `{"s":"a\tb","xs":[1,2]}` {
				t.Errorf("json: exit %d, %q", code, stdout)
			}
			code, stdout, _ = run(t, "", "sql", "--header", "--config", cfgFile, "SELECT 'a\tb' AS s, ['x', 'y'] AS xs")
			if code != 0 || stdout != "s\txs\na\\tb\t['x','y']\n" {
				t.Errorf("tsv: exit %d, %q", code, stdout)
			}
			for _, q := range []string{"DROP TABLE articles", "INSERT INTO articles (url) VALUES ('x')", "SELECT 1; DROP TABLE articles"} {
				code, _, stderr := run(t, "", "sql", "--config", cfgFile, q)
				if code != 1 || !strings.Contains(stderr, "not a read-only query") {
					t.Errorf("%q: exit %d, stderr %s", q, code, stderr)
				}
			}
			if code, stdout, _ := run(t, "", "sql", "--config", cfgFile, "SELECT count() FROM articles"); stdout != "0\n" {
				t.Errorf("articles table changed after refused writes: exit %d, %q", code, stdout)
			}
		})
	}
}

// TestMigrateUpgradesVersion1 runs `pantau migrate` twice over a store that a release
// before migration 0002 left at version 1 with crawler state in it.
func TestMigrateUpgradesVersion1(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := b.Config(t)
			st, err := storage.Open(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := storage.Migrate(ctx, st, storage.MigrateOptions{UpTo: 1}); err != nil {
				t.Fatal(err)
			}
			t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			old := storage.SourceState{Source: "antara", ETag: `"v1"`, Interval: time.Hour, NextPoll: t0, UpdatedAt: t0}
			if err := storage.InsertRows(ctx, st, old); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			same := storagetest.Backend{Name: b.Name, Config: func(testing.TB) config.Storage { return cfg }}
			cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
			if err := os.WriteFile(cfgFile, []byte(storageYAML(t, same)+"log:\n  level: warn\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			// Every migration after 1 is applied, in order, from 0002, 0003 and 0004 on.
			migs, err := storage.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			for _, m := range migs[1:] {
				fmt.Fprintf(&want, "applied %04d_%s\n", m.Version, m.Name)
			}
			if code, stdout, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 || stdout != want.String() ||
				!strings.HasPrefix(stdout, "applied 0002_source_state_feeds\napplied 0003_rollup_counts_articles_once\napplied 0004_region\n") {
				t.Fatalf("first migrate: exit %d: %s%s", code, stdout, stderr)
			}
			if code, stdout, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 || !strings.Contains(stdout, "schema up to date") {
				t.Fatalf("second migrate: exit %d: %s%s", code, stdout, stderr)
			}

			st, err = storage.Open(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			got, err := storage.LoadSourceStates(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]storage.SourceStateRow{"antara": {SourceState: old}}; !reflect.DeepEqual(got, want) {
				t.Errorf("source states after migrating:\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestReadCommandsCreateNothing runs the read commands against a store that does not exist yet:
// each fails with a message that says to run pantau migrate, and the store is still absent
// afterwards (the server's database not created, the embedded folder not made).
func TestReadCommandsCreateNothing(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			cfg := b.Config(t)
			if cfg.DSN == "" {
				cfg.DataDir = filepath.Join(cfg.DataDir, "absent")
			}
			cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
			yaml := fmt.Sprintf("storage:\n  dsn: %q\n  data_dir: %q\n  chdb_library: %q\nlog:\n  level: warn\n", cfg.DSN, cfg.DataDir, cfg.ChDBLibrary)
			if err := os.WriteFile(cfgFile, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"sql", "--config", cfgFile, "SELECT 1"}, {"report", "--config", cfgFile}, {"sources", "--config", cfgFile}} {
				code, _, stderr := run(t, "", args...)
				if code == 0 || !strings.Contains(stderr, "run pantau migrate") {
					t.Errorf("%v: exit %d, stderr %s", args, code, stderr)
				}
			}
			if _, err := storage.OpenExisting(context.Background(), cfg, nil); !errors.Is(err, storage.ErrNotMigrated) {
				t.Errorf("after the read commands, OpenExisting = %v, want ErrNotMigrated (the store was created)", err)
			}
			if cfg.DSN == "" {
				if _, err := os.Stat(cfg.DataDir); err == nil {
					t.Errorf("embedded folder %s created by a read command", cfg.DataDir)
				}
			}
		})
	}
}
