package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadGood(t *testing.T) {
	cfg, err := Load("testdata/server.good.yml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.Storage.BatchSize, 5000; got != want {
		t.Errorf("batch_size = %d, want %d", got, want)
	}
	if got, want := cfg.Storage.FlushInterval.D(), time.Second; got != want {
		t.Errorf("flush_interval = %s, want %s", got, want)
	}
	if got, want := cfg.Storage.SpoolDir, "/var/lib/pantau/spool"; got != want {
		t.Errorf("spool_dir = %q, want %q", got, want)
	}
	if got, want := cfg.Storage.SpoolMaxBytes, int64(256<<20); got != want {
		t.Errorf("spool_max_bytes = %d, want %d", got, want)
	}
	// Keys left out keep their defaults.
	if got, want := cfg.Crawler.Timeout, Default().Crawler.Timeout; got != want {
		t.Errorf("crawler.timeout = %s, want default %s", got, want)
	}
	if got, want := cfg.Taxonomy, filepath.Join("testdata", "taxonomy.yaml"); got != want {
		t.Errorf("taxonomy = %q, want %q (relative to the config file)", got, want)
	}
	if len(cfg.Sources) != 2 || cfg.Sources[1].URLs[0] != "http://127.0.0.1:8080/kota/" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if got := cfg.Sources[0].TimeZone; got != "Asia/Makassar" {
		t.Errorf("sources[0].time_zone = %q, want Asia/Makassar", got)
	}
}

func TestLoadCluster(t *testing.T) {
	cfg, err := Load("testdata/cluster.good.yml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.Storage.Cluster, "pantau"; got != want {
		t.Errorf("storage.cluster = %q, want %q", got, want)
	}
	if d := Default(); d.Storage.Cluster != "" {
		t.Errorf("built-in default storage.cluster = %q, want empty (a single server)", d.Storage.Cluster)
	}
}

func TestDefaultIsValid(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatalf("built-in default: %v", err)
	}
	if len(cfg.Sources) < 10 {
		t.Errorf("built-in default has %d sources, want at least 10", len(cfg.Sources))
	}
	if cfg.Storage.DSN != "" || cfg.Storage.DataDir == "" {
		t.Errorf("built-in default must use the embedded store, got dsn=%q data_dir=%q", cfg.Storage.DSN, cfg.Storage.DataDir)
	}
	if cfg.Storage.SpoolDir == "" || cfg.Storage.SpoolMaxBytes <= 0 {
		t.Errorf("built-in default must spool, got spool_dir=%q spool_max_bytes=%d", cfg.Storage.SpoolDir, cfg.Storage.SpoolMaxBytes)
	}
}

func TestLoadDigest(t *testing.T) {
	cfg, err := Load("testdata/digest.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Digest
	if d.At() != 6*time.Hour+30*time.Minute || d.Critical != 10 || len(d.Webhooks) != 2 {
		t.Errorf("digest %+v", d)
	}
	if got := d.SMTP.RecipientsOf("disdukcapil"); len(got) != 2 || got[0] != "humas@example.go.id" {
		t.Errorf("recipients %v", got)
	}
	if got := fmt.Sprint(d.Webhooks[0].URL); strings.Contains(got, "abc") {
		t.Errorf("webhook URL printed: %s", got)
	}
}

func TestLoadBad(t *testing.T) {
	tests := []struct {
		file string
		want []string // each must appear in its own problem line
	}{
		{"three-mistakes.bad.yml", []string{
			`three-mistakes.bad.yml:2: cannot use str value ` + "`many`" + ` as int`,
			`three-mistakes.bad.yml:5: unknown key "timout" in crawler`,
			`three-mistakes.bad.yml:8: sources[0].kind: want feed, portal or sitemap, got "rss"`,
		}},
		{"many.bad.yml", []string{
			`many.bad.yml:3: invalid duration "soon"`,
			`many.bad.yml:2: storage.dsn: want clickhouse://`,
			`many.bad.yml:5: log.level: want debug, info, warn or error, got "loud"`,
			`many.bad.yml:7: crawler.allow_private[0]: not a CIDR network`,
			`many.bad.yml:8: crawler.shard: want i/n`,
			`many.bad.yml:10: sources[0].name: want 1-64 characters`,
			`many.bad.yml:12: sources[0].url: want an absolute http(s) URL, got "ftp://example.org/feed"`,
			`many.bad.yml:13: sources[1].link_pattern: a portal needs a link_pattern`,
			`many.bad.yml:16: sources[2].name: duplicate source name "dup" (also sources[1])`,
			`many.bad.yml:19: sources[2].link_pattern: invalid regular expression`,
			`many.bad.yml:20: sources[2].lang: want id, en or empty, got "fr"`,
		}},
		{"allow-private.bad.yml", []string{
			`allow-private.bad.yml:4: crawler.allow_private[1]: 0.0.0.0/0 reaches public addresses`,
			`allow-private.bad.yml:5: crawler.allow_private[2]: ::/0 reaches public addresses`,
			`allow-private.bad.yml:6: crawler.allow_private[3]: 8.8.8.0/24 reaches public addresses`,
		}},
		{"spool.bad.yml", []string{
			`spool.bad.yml:3: storage.spool_max_bytes: must not be negative, got -1`,
		}},
		{"memory-limit.bad.yml", []string{
			`memory-limit.bad.yml:3: pipeline.memory_limit_bytes: must not be negative (0 sets no limit), got -1`,
		}},
		{"digest.bad.yml", []string{
			`digest.bad.yml:3: digest.time: want HH:MM (WIB), got "7 pagi"`,
			`digest.bad.yml:5: digest.smtp.addr: want host:port, got "mail.example.go.id"`,
			`digest.bad.yml:6: digest.smtp.from: want an e-mail address, got "not an address"`,
			`digest.bad.yml:8: digest.smtp.recipients.*[1]: want an e-mail address, got "bukan-alamat"`,
			`digest.bad.yml:11: digest.webhooks[0].url: want an absolute http(s) URL`,
			`digest.bad.yml:10: digest.webhooks[0].chat_id: a telegram webhook needs the chat_id`,
			`digest.bad.yml:13: digest.webhooks[1].name: want a unique name, got "tg"`,
			`digest.bad.yml:15: digest.webhooks[1].format: want json, telegram or slack, got "teams"`,
		}},
		{"display.bad.yml", []string{
			`display.bad.yml:2: display.time_zone: want WIB, WITA, WIT or an IANA zone name such as Asia/Makassar, got "Asia/Jakart"`,
			`display.bad.yml:3: display.language: want id or en, got "jv"`,
		}},
		{"cluster.bad.yml", []string{
			`cluster.bad.yml:3: storage.cluster: want a cluster name of letters, digits, '_' and '-' as in the servers' remote_servers, got "pantau ON CLUSTER x"`,
		}},
		{"cluster-embedded.bad.yml", []string{
			`cluster-embedded.bad.yml:3: storage.cluster: needs storage.dsn`,
		}},
		{"time-zone.bad.yml", []string{
			`time-zone.bad.yml:5: sources[0].time_zone: want WIB, WITA, WIT or an IANA zone name such as Asia/Makassar, got "Asia/Makasar"`,
			`time-zone.bad.yml:9: sources[1].time_zone: want WIB, WITA, WIT or an IANA zone name such as Asia/Makassar, got "Local"`,
			`time-zone.bad.yml:13: sources[2].time_zone: want WIB, WITA, WIT or an IANA zone name such as Asia/Makassar, got "+08:00"`,
		}},
		{"links.bad.yml", []string{
			`links.bad.yml:3: http.external_url: want an absolute http(s) URL without query or fragment, got "pantau.example.go.id"`,
			`links.bad.yml:4: http.grafana_url: want an absolute http(s) URL without query or fragment, got "https://grafana.example.go.id/?orgId=1"`,
		}},
		{"region.bad.yml", []string{
			`region.bad.yml:5: sources[0].region: want 1-64 characters of a-z, 0-9, _ and -, got "Sumatera Barat"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", tt.file))
			var p Problems
			if !errors.As(err, &p) {
				t.Fatalf("Load: got %v, want Problems", err)
			}
			if len(p) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(p), len(tt.want), err)
			}
			for _, w := range tt.want {
				found := false
				for _, line := range p {
					if strings.Contains(line, "testdata/"+w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem contains %q; got:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseSyntaxError(t *testing.T) {
	_, err := Parse([]byte("storage:\n  dsn: [unclosed\n"), "broken.yml")
	if err == nil || !strings.Contains(err.Error(), "broken.yml") {
		t.Fatalf("got %v, want an error naming broken.yml", err)
	}
}

func TestPasswordFromEnvironmentNeverPrinted(t *testing.T) {
	t.Setenv(PasswordEnv, "s3cret")
	cfg, err := Parse([]byte("storage:\n  dsn: clickhouse://u@127.0.0.1:9000/db\n"), "env.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Password.Reveal() != "s3cret" {
		t.Fatalf("password not taken from %s", PasswordEnv)
	}
	for _, s := range []string{
		cfg.Storage.Password.String(),
		strings.Join(strings.Fields(fmtAll(cfg.Storage)), " "),
	} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("secret leaked: %s", s)
		}
	}
}

func TestSourceLocation(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 45, 0, 0, time.UTC)
	tests := []struct {
		zone    string
		offset  int // seconds east of UTC at 2026-11-24; ignored when nil or wantErr
		isNil   bool
		wantErr bool
	}{
		{zone: "", isNil: true},
		{zone: "WIB", offset: 7 * 3600},
		{zone: "WITA", offset: 8 * 3600},
		{zone: "WIT", offset: 9 * 3600},
		{zone: "wita", offset: 8 * 3600},
		{zone: "Asia/Jakarta", offset: 7 * 3600},
		{zone: "Asia/Makassar", offset: 8 * 3600},
		{zone: "Asia/Jayapura", offset: 9 * 3600},
		{zone: "UTC", offset: 0},
		{zone: "Local", wantErr: true},
		{zone: "Asia/Makasar", wantErr: true},
		{zone: "+07:00", wantErr: true},
		{zone: "/etc/localtime", wantErr: true},
		{zone: "../../etc/passwd", wantErr: true},
	}
	for _, tt := range tests {
		name := tt.zone
		if name == "" {
			name = "empty"
		}
		t.Run(name, func(t *testing.T) {
			loc, err := Source{TimeZone: tt.zone}.Location()
			switch {
			case tt.wantErr:
				if err == nil || !strings.Contains(err.Error(), "want WIB, WITA, WIT or an IANA zone name") {
					t.Fatalf("Location() = %v, %v; want the time_zone error", loc, err)
				}
			case err != nil:
				t.Fatalf("Location(): %v", err)
			case tt.isNil:
				if loc != nil {
					t.Fatalf("Location() = %v, want nil", loc)
				}
			default:
				if _, off := at.In(loc).Zone(); off != tt.offset {
					t.Errorf("offset = %ds, want %ds", off, tt.offset)
				}
			}
		})
	}
}

func TestSourceDefaults(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 45, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		src  Source
		wib  bool
	}{
		{"lang id", Source{Lang: "id", URL: "https://example.com/rss"}, true},
		{"id host", Source{URL: "https://berita.example.go.id/rss"}, true},
		{"English elsewhere", Source{Lang: "en", URL: "https://example.com/rss"}, false},
		{"unknown language elsewhere", Source{URL: "https://example.com/rss"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := tt.src.Location()
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wib {
				if loc != nil {
					t.Fatalf("Location() = %v, want nil (each page decides)", loc)
				}
				return
			}
			if loc == nil {
				t.Fatal("Location() = nil, want WIB")
			}
			if _, off := at.In(loc).Zone(); off != 7*3600 {
				t.Errorf("offset = %ds, want WIB's", off)
			}
		})
	}
	// A set zone wins over the Indonesian default.
	if loc, err := (Source{Lang: "id", TimeZone: "WITA"}).Location(); err != nil || loc.String() != "WITA" {
		t.Errorf("Location() with time_zone WITA = %v, %v", loc, err)
	}
	if got := (Source{}).StartInterval(); got != 15*time.Minute {
		t.Errorf("StartInterval() without interval = %v, want 15m", got)
	}
	if got := (Source{Interval: Duration(time.Minute)}).StartInterval(); got != time.Minute {
		t.Errorf("StartInterval() with interval 1m = %v", got)
	}
}

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in      string
		i, n    int
		wantErr bool
	}{
		{"0/1", 0, 1, false}, {"2/3", 2, 3, false}, {"3/3", 0, 0, true}, {"-1/2", 0, 0, true}, {"1", 0, 0, true}, {"a/b", 0, 0, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			i, n, err := ParseShard(tt.in)
			if (err != nil) != tt.wantErr || i != tt.i || n != tt.n {
				t.Errorf("ParseShard(%q) = %d, %d, %v", tt.in, i, n, err)
			}
		})
	}
}

func TestMain(m *testing.M) {
	os.Unsetenv(PasswordEnv)
	os.Exit(m.Run())
}

// TestFileKeepsDefaults checks that a configuration file changes only what it names: the
// built-in sources stay when it lists none, its own list replaces them, include_default_sources
// adds them, and every other default is the same with or without a file.
func TestFileKeepsDefaults(t *testing.T) {
	builtin, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	load := func(yaml string) *Config {
		t.Helper()
		f := filepath.Join(dir, "pantau.yaml")
		if err := os.WriteFile(f, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	own := "sources:\n  - {name: dinas, kind: feed, url: \"https://dinas.example.id/rss\"}\n"
	tests := []struct {
		name  string
		yaml  string
		names func(n int) bool
	}{
		{"no sources key: the built-in list", "log:\n  level: warn\n", func(n int) bool { return n == len(builtin.Sources) }},
		{"own list replaces it", own, func(n int) bool { return n == 1 }},
		{"include_default_sources adds it", own + "include_default_sources: true\n", func(n int) bool { return n == 1+len(builtin.Sources) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if cfg := load(tt.yaml); !tt.names(len(cfg.Sources)) {
				t.Errorf("%d sources (built-in list has %d)", len(cfg.Sources), len(builtin.Sources))
			}
		})
	}
	cfg := load("log:\n  level: warn\n")
	cfg.Log, cfg.File = builtin.Log, builtin.File
	if !reflect.DeepEqual(cfg, builtin) {
		t.Errorf("a file naming only log.level changes other settings:\nfile     %+v\nbuilt-in %+v", cfg.Crawler, builtin.Crawler)
	}
}

// TestDisplayZone checks the display zone: WIB (Asia/Jakarta, from the zone database the
// binary carries) by default, and a file's choice.
func TestDisplayZone(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := cfg.Display.Location()
	if err != nil || cfg.Display.Language != "id" {
		t.Fatalf("default display: %v, language %q", err, cfg.Display.Language)
	}
	if got := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC).In(loc).Format("15:04 MST"); got != "08:00 WIB" {
		t.Errorf("01:00 UTC in the default zone = %s, want 08:00 WIB", got)
	}
	cfg, err = Load("testdata/display.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if loc, err := cfg.Display.Location(); err != nil || loc.String() != "UTC" || cfg.Display.Language != "en" {
		t.Errorf("display.good.yml: %v %v %q", loc, err, cfg.Display.Language)
	}
}

func TestSpoolMaxBytesZeroTakesTheDefault(t *testing.T) {
	cfg, err := Parse([]byte("storage:\n  spool_max_bytes: 0\n"), "zero.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Storage.SpoolMaxBytes, Default().Storage.SpoolMaxBytes; got != want {
		t.Errorf("spool_max_bytes = %d, want the default %d", got, want)
	}
}
