package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// migrationNames returns the names of the embedded migrations after version after, in order.
func migrationNames(t *testing.T, after int) []string {
	t.Helper()
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range migs {
		if m.Version > after {
			out = append(out, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	return out
}

func TestMigrateTwice(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		applied, err := Migrate(ctx, s, MigrateOptions{})
		if err != nil {
			t.Fatalf("first migrate: %v", err)
		}
		if want := migrationNames(t, 0); !slices.Equal(applied, want) || !slices.Equal(applied[:4], []string{"0001_initial", "0002_source_state_feeds", "0003_rollup_counts_articles_once", "0004_region"}) {
			t.Fatalf("first migrate applied %v, want %v", applied, want)
		}
		applied, err = Migrate(ctx, s, MigrateOptions{})
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
		for _, table := range []string{"articles", "mentions", "fetches", "mentions_hourly", "mentions_hourly_mv", "source_state", "schema_migrations", "digest_deliveries", "corrections"} {
			if n := count(t, s, "SELECT toUInt64(count()) FROM system.tables WHERE database = currentDatabase() AND name = "+quoteString(table)); n != 1 {
				t.Errorf("table %s: found %d", table, n)
			}
		}
		migs, err := Migrations()
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "SELECT count() FROM schema_migrations"); n != uint64(len(migs)) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(migs))
		}
	})
}

func TestRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		v, err := s.ServerVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ttl := func() string {
			res, err := s.Query(ctx, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'mentions'")
			if err != nil {
				t.Fatal(err)
			}
			return res.Rows[0][0].(string)
		}
		steps := []struct {
			retention time.Duration
			want      string // substring of engine_full; "" means no TTL
		}{
			{30 * 24 * time.Hour, "toIntervalSecond(2592000)"},
			{60 * 24 * time.Hour, "toIntervalSecond(5184000)"},
			{0, ""},
		}
		for _, st := range steps {
			if _, err := Migrate(ctx, s, MigrateOptions{Retention: st.retention}); err != nil {
				t.Fatalf("migrate with retention %v: %v", st.retention, err)
			}
			got := ttl()
			switch {
			case !v.AtLeast(minTTL.Major, minTTL.Minor) || st.want == "":
				if strings.Contains(got, " TTL ") {
					t.Errorf("version %s, retention %v: unexpected TTL in %q", v, st.retention, got)
				}
			case !strings.Contains(got, st.want):
				t.Errorf("retention %v: engine %q lacks %q", st.retention, got, st.want)
			}
		}
	})
}

func TestServerVersionAndKind(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		v, err := s.ServerVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v.Major < 18 {
			t.Errorf("version %v", v)
		}
		if k := s.Kind(); k != KindServer && k != KindEmbedded {
			t.Errorf("kind %q", k)
		}
		t.Logf("%s: ClickHouse %s", s.Kind(), v)
	})
}

func TestCityHashMatchesClickHouse(t *testing.T) {
	inputs := []string{
		"",
		"a",
		"https://example.id/",
		"https://www.kompas.com/read/2024/01/02/berita-e-ktp", // 17..64 bytes
		"https://news.detik.com/berita/d-7000000/pemerintah-bangun-penerangan-jalan-umum-di-desa-terpencil?page=2",
		"https://example.id/berita/tempat-pembuangan-sampah-akhir-ditutup-warga-protes-bau-" + strings.Repeat("x", 300),
		"https://contoh.id/ünïcödé/berita",
	}
	forEachBackend(t, func(t *testing.T, s Store) {
		for _, in := range inputs {
			res, err := s.Query(context.Background(), "SELECT cityHash64("+quoteString(in)+")")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := URLHash(in), res.Rows[0][0].(uint64); got != want {
				t.Errorf("URLHash(%q) = %d, ClickHouse says %d", in, got, want)
			}
		}
	})
}

func TestQueryValues(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		res, err := s.Query(context.Background(), `SELECT
			toUInt8(7) AS u8, toUInt64(18446744073709551615) AS u64, toInt32(-5) AS i32,
			toFloat32(0.5) AS f32, toFloat64(2.25) AS f64, 'x\ty' AS s,
			toDateTime('2024-03-04 05:06:07', 'UTC') AS dt, toDate('2024-03-04') AS d,
			['a', 'b'] AS arr, CAST(NULL AS Nullable(String)) AS n, emptyArrayString() AS empty`)
		if err != nil {
			t.Fatal(err)
		}
		want := []any{
			uint64(7), uint64(18446744073709551615), int64(-5), float32(0.5), 2.25, "x\ty",
			time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC), time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC),
			[]any{"a", "b"}, nil, []any{},
		}
		if len(res.Rows) != 1 {
			t.Fatalf("rows %v", res.Rows)
		}
		for i, w := range want {
			got := res.Rows[0][i]
			if gt, ok := got.(time.Time); ok {
				if !gt.Equal(w.(time.Time)) {
					t.Errorf("%s = %v, want %v", res.Columns[i].Name, got, w)
				}
				continue
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s (%s) = %#v, want %#v", res.Columns[i].Name, res.Columns[i].Type, got, w)
			}
		}
	})
}

func TestArticleReingestDoesNotDoubleCount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		a := Article{URL: "https://example.id/a?utm=x", CanonicalURL: "https://example.id/a", Source: "example", Title: "first"}
		b := Article{URL: "https://example.id/b", CanonicalURL: "https://example.id/b", Source: "example", Title: "other"}
		for i, rows := range [][]Article{{a, b}, {a}, {a}} {
			if err := InsertRows(ctx, s, rows...); err != nil {
				t.Fatalf("insert %d: %v", i, err)
			}
		}
		if n := count(t, s, "SELECT count() FROM articles FINAL"); n != 2 {
			t.Errorf("articles FINAL = %d, want 2", n)
		}
		known, err := KnownURLs(ctx, s, []uint64{URLHash(a.CanonicalURL), URLHash("https://example.id/unknown"), URLHash(b.CanonicalURL)})
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint64]bool{URLHash(a.CanonicalURL): true, URLHash(b.CanonicalURL): true}
		if !reflect.DeepEqual(known, want) {
			t.Errorf("KnownURLs = %v, want %v", known, want)
		}
	})
}

func TestMigrateKeepsSourceStatesOfVersion1(t *testing.T) {
	for _, tt := range []struct {
		name        string
		columnAdded bool // a run stopped after adding the column, before recording 0002
	}{{"from version 1", false}, {"after an interrupted run", true}} {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, s Store) {
				ctx := context.Background()
				applied, err := Migrate(ctx, s, MigrateOptions{UpTo: 1})
				if want := []string{"0001_initial"}; err != nil || !slices.Equal(applied, want) {
					t.Fatalf("migrate up to 1: applied %v, %v; want %v", applied, err, want)
				}
				t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
				old := SourceState{Source: "antara", ETag: `"v1"`, LastModified: "Fri, 20 Nov 2026 08:00:00 GMT",
					NextPoll: t0.Add(time.Hour), Interval: time.Hour, Failures: 1, LastErrorAt: t0, LastError: "timeout", UpdatedAt: t0}
				if err := InsertRows(ctx, s, old); err != nil {
					t.Fatal(err)
				}
				if tt.columnAdded {
					if err := s.Exec(ctx, "ALTER TABLE source_state ADD COLUMN feeds String DEFAULT ''"); err != nil {
						t.Fatal(err)
					}
				}
				for i, want := range [][]string{migrationNames(t, 1), nil} {
					if i == 0 && !slices.Equal(want[:3], []string{"0002_source_state_feeds", "0003_rollup_counts_articles_once", "0004_region"}) {
						t.Fatalf("migrations after 1: %v", want)
					}
					applied, err := Migrate(ctx, s, MigrateOptions{})
					if err != nil {
						t.Fatalf("migrate %d: %v", i+1, err)
					}
					if !slices.Equal(applied, want) {
						t.Fatalf("migrate %d applied %v, want %v", i+1, applied, want)
					}
				}
				if n := count(t, s, "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = 'source_state' AND name = 'feeds'"); n != 1 {
					t.Errorf("source_state has %d feeds columns, want 1", n)
				}
				got, err := LoadSourceStates(ctx, s)
				if err != nil {
					t.Fatal(err)
				}
				if want := map[string]SourceStateRow{"antara": {SourceState: old}}; !reflect.DeepEqual(got, want) {
					t.Errorf("after migrating: LoadSourceStates =\n%+v\nwant\n%+v", got, want)
				}
			})
		})
	}
}

func TestSourceStates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		t0 := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
		old := SourceStateRow{SourceState: SourceState{Source: "antara", ETag: `"v1"`, NextPoll: t0, Interval: time.Minute, UpdatedAt: t0}}
		newer := SourceStateRow{SourceState: SourceState{
			Source: "antara", ETag: `"v2"`, LastModified: "Mon, 06 May 2024 07:08:09 GMT", NextPoll: t0.Add(time.Hour),
			Interval: 5 * time.Minute, Failures: 2, LastSuccess: t0, LastErrorAt: t0.Add(time.Minute),
			LastError: "timeout", Dead: true, UpdatedAt: t0.Add(time.Second),
		}, Feeds: `[{"URL":"https://antara.example/rss"}]`}
		other := SourceStateRow{SourceState: SourceState{Source: "detik", UpdatedAt: t0}}
		// The newer row is written first: updated_at, not insertion order, decides.
		for _, batch := range [][]SourceStateRow{{newer, other}, {old}} {
			if err := SaveSourceStates(ctx, s, batch); err != nil {
				t.Fatal(err)
			}
		}
		got, err := LoadSourceStates(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]SourceStateRow{"antara": newer, "detik": other}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("LoadSourceStates =\n%+v\nwant\n%+v", got, want)
		}
	})
}

func TestQueryReadOnlyRefusedByBackend(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		// CheckReadOnly is bypassed on purpose: the backend's readonly setting must hold.
		for _, sql := range []string{
			"INSERT INTO fetches (source) VALUES ('x')",
			"CREATE TABLE evil (a UInt8) ENGINE = Memory",
			"DROP TABLE fetches",
		} {
			if _, err := s.QueryReadOnly(ctx, sql); err == nil {
				t.Errorf("QueryReadOnly(%q) succeeded", sql)
			}
		}
		if n := count(t, s, "SELECT toUInt64(count()) FROM system.tables WHERE database = currentDatabase() AND name IN ('fetches', 'evil')"); n != 1 {
			t.Errorf("tables after refused statements: %d, want fetches only", n)
		}
		res, err := QueryUser(ctx, s, "SELECT count() FROM fetches")
		if err != nil || len(res.Rows) != 1 {
			t.Fatalf("read-only select: %v %v", res, err)
		}
		// A query-level SETTINGS clause cannot lift readonly.
		if _, err := s.QueryReadOnly(ctx, "SELECT 1 SETTINGS readonly = 0"); err == nil {
			t.Errorf("SETTINGS readonly = 0 accepted")
		}
		// The read-write connection still writes after read-only use.
		if err := InsertRows(ctx, s, Fetch{Source: "x", Status: 200}); err != nil {
			t.Errorf("insert after read-only query: %v", err)
		}
	})
}

// TestQueryUserStaysInsideTheDatabase runs an analyst's queries that try to read files, reach the
// network or run processes, in scalar and table form, through QueryUser on each backend: every
// one is refused, and ordinary queries still run. On the embedded store, and on any engine that
// explains queries, the engine's own parse is checked as well, which the second half tests on
// its own (bypassing the lexical check). Every address named is on loopback and nothing runs.
func TestQueryUserStaysInsideTheDatabase(t *testing.T) {
	outside := []string{
		"SELECT file('/proc/self/environ')",
		"SELECT file('/etc/hostname') AS x",
		"SELECT * FROM file('/etc/passwd', 'LineAsString')",
		"SELECT `file`('/etc/passwd')",
		"SELECT count() FROM articles WHERE title IN (SELECT * FROM file('/etc/passwd', 'LineAsString'))",
		"WITH (SELECT file('/etc/passwd')) AS p SELECT p",
		"SELECT * FROM url('http://127.0.0.1:1/x', 'CSV', 'a String')",
		"SELECT * FROM s3('http://127.0.0.1:1/bucket/x.csv', 'CSV', 'a String')",
		"SELECT * FROM remote('127.0.0.1:1', system.one)",
		"SELECT * FROM executable('cat', 'TSV', 'a String', (SELECT 'x'))",
		"SELECT * FROM input('a String')",
		"DESCRIBE TABLE file('/etc/passwd', 'LineAsString')",
		"SELECT getSetting('max_threads')",
	}
	inside := []string{
		"SELECT count() FROM articles",
		"SELECT concat('a', 'b')",
		"WITH 1 AS x SELECT x + 1",
		"SELECT count() FROM articles WHERE url_hash IN (SELECT url_hash FROM mentions)",
		"SHOW TABLES",
		"DESCRIBE TABLE articles",
	}
	// What newer engines allow too (18.16 refuses every table function under readonly).
	insideModern := []string{
		"SELECT sum(number) FROM numbers(10)",
		"SELECT format('{} {}', 'a', 'b')",
	}
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		for _, sql := range outside {
			if _, err := QueryUser(ctx, s, sql); !errors.Is(err, ErrNotReadOnly) {
				t.Errorf("QueryUser(%q) = %v, want ErrNotReadOnly", sql, err)
			}
		}
		for _, sql := range inside {
			if _, err := QueryUser(ctx, s, sql); err != nil {
				t.Errorf("QueryUser(%q): %v", sql, err)
			}
		}
		v, err := s.ServerVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !v.AtLeast(20, 6) {
			t.Logf("ClickHouse %s cannot explain queries: only the lexical check applies", v)
			return
		}
		for _, sql := range insideModern {
			if _, err := QueryUser(ctx, s, sql); err != nil {
				t.Errorf("QueryUser(%q): %v", sql, err)
			}
		}
		// The engine's parse alone, for what a lexical check cannot see: other table functions
		// and names in other cases.
		for _, sql := range append(outside, "SELECT * FROM loop(numbers(1)) LIMIT 1", "SELECT * FROM FILE('/etc/passwd', 'LineAsString')") {
			if err := checkEngineParse(ctx, s, sql); !errors.Is(err, ErrNotReadOnly) {
				t.Errorf("engine parse of %q: %v, want ErrNotReadOnly", sql, err)
			}
		}
		for _, sql := range append(inside, insideModern...) {
			if err := checkEngineParse(ctx, s, sql); err != nil {
				t.Errorf("engine parse of %q: %v", sql, err)
			}
		}
	})
}

func TestCheckReadOnly(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		ok   bool
		msg  string // substring of the error
	}{
		{"select", "SELECT 1", true, ""},
		{"lowercase with semicolon", "select count() from mentions;", true, ""},
		{"leading comments", "-- top\n/* block\n comment */\n  SELECT 1", true, ""},
		{"hash comment", "# note\nSELECT 1", true, ""},
		{"with", "WITH 1 AS x SELECT x", true, ""},
		{"show", "SHOW TABLES", true, ""},
		{"describe", "DESCRIBE TABLE articles", true, ""},
		{"desc", "desc articles", true, ""},
		{"explain", "EXPLAIN SELECT 1", true, ""},
		{"exists", "EXISTS TABLE articles", true, ""},
		{"parenthesized", "(SELECT 1) UNION ALL (SELECT 2)", true, ""},
		{"semicolon in string", "SELECT 'a; DROP TABLE x'", true, ""},
		{"keyword in identifier", "SELECT `into outfile` FROM t", true, ""},
		{"insert", "INSERT INTO articles VALUES (1)", false, "INSERT statement"},
		{"drop after comment", "/* SELECT */ DROP TABLE articles", false, "DROP statement"},
		{"alter", "alter table articles delete where 1", false, "ALTER statement"},
		{"set", "SET readonly = 0", false, "SET statement"},
		{"optimize", "OPTIMIZE TABLE articles FINAL", false, "OPTIMIZE statement"},
		{"two statements", "SELECT 1; DROP TABLE articles", false, "multiple statements"},
		{"two selects", "SELECT 1; SELECT 2;", false, "multiple statements"},
		{"into outfile", "SELECT * FROM articles INTO OUTFILE '/tmp/x'", false, "INTO OUTFILE"},
		{"file function", "SELECT file('/etc/passwd')", false, "file(...) reaches outside"},
		{"url table function in a subquery", "SELECT 1 WHERE 1 IN (SELECT 1 FROM URL('http://127.0.0.1:1/', 'CSV', 'a UInt8'))", false, "URL(...) reaches outside"},
		{"quoted function name", "SELECT `file`('/etc/passwd')", false, "quoted name"},
		{"file as a word is fine", "SELECT count() FROM articles WHERE title LIKE '%file%' AND source != 'file'", true, ""},
		{"empty", "  -- nothing\n", false, "empty query"},
		{"only semicolon", ";", false, "empty query"},
		{"unterminated string", "SELECT 'abc", false, "unterminated"},
		{"unterminated comment", "/* SELECT 1", false, "unterminated comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckReadOnly(tt.sql)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckReadOnly(%q) = %v, want nil", tt.sql, err)
				}
				return
			}
			if !errors.Is(err, ErrNotReadOnly) {
				t.Fatalf("CheckReadOnly(%q) = %v, want ErrNotReadOnly", tt.sql, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("CheckReadOnly(%q) = %q, want it to mention %q", tt.sql, err, tt.msg)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{"18.16.1", Version{18, 16, 1, "18.16.1"}, false},
		{"26.7.2.1", Version{26, 7, 2, "26.7.2.1"}, false},
		{"23.8", Version{23, 8, 0, "23.8"}, false},
		{"x.y", Version{}, true},
		{"23", Version{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVersion(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	v := Version{Major: 18, Minor: 16}
	if v.AtLeast(20, 1) || !v.AtLeast(18, 16) || !v.AtLeast(1, 99) {
		t.Errorf("AtLeast wrong for %v", v)
	}
}

func TestMigrationStatements(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	old := Version{Major: 18, Minor: 16, Patch: 1}
	modern := Version{Major: 26, Minor: 7}
	for _, m := range migs {
		stOld, err := m.Statements(old, MigrateOptions{Retention: time.Hour}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(stOld) == 0 {
			t.Errorf("%s: no statements", m.Name)
		}
		for _, st := range stOld {
			if strings.Contains(st, "LowCardinality") || strings.Contains(st, "TTL") {
				t.Errorf("%s: 18.16 statement uses a newer feature:\n%s", m.Name, st)
			}
		}
		if m.Version != 1 {
			continue // only the initial schema has LowCardinality columns and TTL tables
		}
		stNew, err := m.Statements(modern, MigrateOptions{Retention: time.Hour}, nil)
		if err != nil {
			t.Fatal(err)
		}
		joined := strings.Join(stNew, "\n")
		if !strings.Contains(joined, "LowCardinality(String)") || !strings.Contains(joined, "TTL published_at + INTERVAL 3600 SECOND") {
			t.Errorf("%s: modern statements lack LowCardinality or TTL", m.Name)
		}
	}
}

func TestAddColumnSkipsExisting(t *testing.T) {
	m := Migration{Version: 9, Name: "x", sql: "{{addColumn \"t\" \"c String DEFAULT ''\"}};\nSELECT 1;\n"}
	v := Version{Major: 18, Minor: 16}
	for _, tt := range []struct {
		name string
		have Columns
		want []string
	}{
		{"absent", Columns{"t.b": true, "u.c": true}, []string{"ALTER TABLE `t` ADD COLUMN c String DEFAULT ''", "SELECT 1"}},
		{"present", Columns{"t.c": true}, []string{"SELECT 1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Statements(v, MigrateOptions{}, tt.have)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("statements = %q, want %q", got, tt.want)
			}
		})
	}
}
