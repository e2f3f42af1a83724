package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// benchMentions returns n mention rows like the pipeline writes.
func benchMentions(n int) []Mention {
	pub := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	programmes := []string{"ektp", "tpa", "pju", "bansos", "bpjs"}
	labels := []string{"negative", "neutral", "positive"}
	mentions := make([]Mention, n)
	for i := range mentions {
		mentions[i] = Mention{
			URLHash: uint64(i) * 0x9e3779b97f4a7c15, Programme: programmes[i%len(programmes)], Unit: "dinas",
			Terms: []string{"e-KTP", "blanko"}, Score: -0.4, Label: labels[i%len(labels)], Criticism: i%3 == 0,
			Snippet:     "Warga mengeluhkan blanko e-KTP yang kosong di kantor kecamatan sejak bulan lalu.",
			PublishedAt: pub.Add(time.Duration(i) * time.Second), Source: "antara", AnalyzerVersion: "bench",
		}
	}
	return mentions
}

// BenchmarkInsert inserts 50k mention rows per op with Store.Insert.
func BenchmarkInsert(b *testing.B) {
	const rowsPerOp = 50_000
	ms := benchMentions(rowsPerOp)
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = m.Row()
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := migrated(b, be.open(b))
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if err := s.Insert(ctx, MentionsTable, MentionColumns, rows); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rowsPerOp*b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkEncode encodes 50k mention rows per op, without inserting them.
func BenchmarkEncode(b *testing.B) {
	ms := benchMentions(50_000)
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = m.Row()
	}
	cols := make([]natColumn, len(MentionColumns))
	types := []string{"UInt64", "LowCardinality(String)", "LowCardinality(String)", "Array(String)", "Float32",
		"LowCardinality(String)", "UInt8", "String", "DateTime('UTC')", "LowCardinality(String)", "UInt64", "LowCardinality(String)"}
	for i, name := range MentionColumns {
		layout, typ, ok := parseNativeType(types[i])
		if !ok {
			b.Fatalf("type %s not covered", types[i])
		}
		cols[i] = natColumn{name: name, typ: typ, layout: layout}
	}
	b.Run("native", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for range b.N {
			var err error
			if buf, err = appendNativeBlock(buf[:0], cols, rows); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		keys := make([][]byte, len(MentionColumns))
		for i, c := range MentionColumns {
			keys[i] = append(appendJSONString(nil, c), ':')
		}
		var buf []byte
		for range b.N {
			buf = buf[:0]
			for _, r := range rows {
				var err error
				if buf, err = appendJSONRow(buf, keys, r); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.SetBytes(int64(len(buf)))
	})
}

// hostileStrings are strings that break naive text encodings.
var hostileStrings = []string{
	"", "plain", "tab\there", "new\nline", "cr\rlf\r\n", `back\slash`, `trailing\`, `\t literal`,
	"'single' \"double\" `back`", "['not', 'an', 'array']", "{\"json\": 1}", "nul\x00byte",
	"Jalan Sudirman — “kutip” ‘ganda’ 🚮", "日本語", "\u2028\u2029", "\xff\xfe invalid utf-8",
	"a,b;c|d", "\\N", "NULL", strings.Repeat("x", 70000),
}

// readBack returns hex(snippet), the hex of each term, and published_at of mention hash h.
func readBack(t *testing.T, s Store, h uint64) (string, []string, time.Time) {
	t.Helper()
	res, err := s.Query(context.Background(), fmt.Sprintf(
		"SELECT hex(snippet), arrayMap(x -> hex(x), terms), published_at FROM mentions WHERE url_hash = %d", h))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("url_hash %d: %d rows, want 1", h, len(res.Rows))
	}
	var terms []string
	for _, x := range res.Rows[0][1].([]any) {
		terms = append(terms, x.(string))
	}
	return res.Rows[0][0].(string), terms, res.Rows[0][2].(time.Time)
}

func hexUpper(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) }

func TestInsertHostileValuesRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		migrated(t, s)
		ctx := context.Background()
		pub := time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)
		termSets := [][]string{nil, {}, {""}, {"it's", `say "hi"`, `a\'b`, "x]y", "tab\t", "nl\n"}, hostileStrings}
		var rows [][]any
		var want []Mention
		for i, str := range hostileStrings {
			m := Mention{
				URLHash: uint64(i + 1), Programme: str, Unit: str, Terms: termSets[i%len(termSets)],
				Score: -0.25, Label: "negative", Criticism: i%2 == 0, Snippet: str,
				PublishedAt: pub.Add(time.Duration(i) * time.Hour), Source: "src\t" + str, AnalyzerVersion: str,
			}
			want = append(want, m)
			rows = append(rows, m.Row())
		}
		if err := s.Insert(ctx, MentionsTable, MentionColumns, rows); err != nil {
			t.Fatal(err)
		}
		for _, m := range want {
			snippet, terms, published := readBack(t, s, m.URLHash)
			if snippet != hexUpper(m.Snippet) {
				t.Errorf("url_hash %d: snippet %s, want %s", m.URLHash, snippet, hexUpper(m.Snippet))
			}
			if len(terms) != len(m.Terms) {
				t.Errorf("url_hash %d: %d terms, want %d", m.URLHash, len(terms), len(m.Terms))
			} else {
				for k := range terms {
					if terms[k] != hexUpper(m.Terms[k]) {
						t.Errorf("url_hash %d: term %d = %s, want %s", m.URLHash, k, terms[k], hexUpper(m.Terms[k]))
					}
				}
			}
			if !published.Equal(m.PublishedAt) {
				t.Errorf("url_hash %d: published_at %v, want %v", m.URLHash, published, m.PublishedAt)
			}
		}
		res, err := s.Query(ctx, "SELECT count(), sum(criticism), sum(score), countIf(programme = source) FROM mentions")
		if err != nil {
			t.Fatal(err)
		}
		got := res.Rows[0]
		if got[0] != uint64(len(want)) || got[1] != uint64((len(want)+1)/2) || got[3] != uint64(0) {
			t.Errorf("aggregates = %v", got)
		}
		if f, _ := got[2].(float64); math.Abs(f+0.25*float64(len(want))) > 1e-6 {
			t.Errorf("sum(score) = %v, want %v", f, -0.25*float64(len(want)))
		}
	})
}

// TestInsertConversions checks that the Native path stores what the JSON path stored for
// the value forms callers pass: other integer types, bools, times, NULLs, NaN and column
// types the Native encoder does not cover.
func TestInsertConversions(t *testing.T) {
	s := openEmbeddedTest(t).(*embeddedStore)
	ctx := context.Background()
	const schema = ` (
		k UInt32, u8 UInt8, i16 Int16, f64 Float64, f32 Float32, ts DateTime('UTC'), lc LowCardinality(String),
		ns Nullable(String), nf Nullable(Float64), ai Array(Int64), d Date, def Float64 DEFAULT 7
	) ENGINE = MergeTree ORDER BY k`
	for _, table := range []string{"conv", "conv_json"} {
		if err := s.Exec(ctx, "CREATE TABLE "+table+schema); err != nil {
			t.Fatal(err)
		}
	}
	ts := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cols := []string{"k", "u8", "i16", "f64", "f32", "ts", "lc", "ns", "nf", "ai"}
	batches := []struct {
		name string
		cols []string
		rows [][]any
	}{
		{"native", cols, [][]any{
			{uint32(1), true, int16(-5), float32(0.1), 0.5, ts, "a\tb", "x", 1.5, []any{int64(-1), int64(2)}},
			{2, uint8(255), -32768, 3, float32(1.5), time.Time{}, "", nil, nil, []any{}},
			{uint64(3), uint16(7), int64(32767), int64(-9), 2, int64(1700000000), "c", "", float32(0.3), []any{1, uint8(2)}},
		}},
		{"NaN", cols, [][]any{{uint32(4), uint8(0), int16(0), math.NaN(), float32(0), ts, "", "y", math.Inf(1), []any{}}}},
		{"NULL in a plain column", cols, [][]any{{uint32(5), nil, int16(0), 0.0, float32(0), ts, "", "y", nil, []any{}}}},
		{"out of range", cols, [][]any{{uint32(6), 300, int16(0), 0.0, float32(0), ts, "", "y", nil, []any{}}}},
		{"Date column", []string{"k", "d"}, [][]any{{uint32(7), "2024-05-06"}}},
	}
	for i, b := range batches {
		// The first batch must take the Native path, the others the JSON path.
		nc, err := s.insertColumns(ctx, "conv", b.cols)
		if err != nil {
			t.Fatal(err)
		}
		if nc != nil {
			_, err = appendNativeBlock(nil, nc, b.rows)
		}
		if native := nc != nil && err == nil; native != (i == 0) {
			t.Errorf("%s: native path %v (%v)", b.name, native, err)
		}
		if err := s.Insert(ctx, "conv", b.cols, b.rows); err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		if err := s.insertJSON(ctx, "conv_json", b.cols, b.rows); err != nil {
			t.Fatalf("%s: json: %v", b.name, err)
		}
	}
	const q = "SELECT k, u8, i16, f64, f32, ts, lc, ns, nf, ai, toString(d), def FROM %s ORDER BY k"
	got, err := s.Query(ctx, fmt.Sprintf(q, "conv"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Query(ctx, fmt.Sprintf(q, "conv_json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 7 || !reflect.DeepEqual(got.Rows, want.Rows) {
		t.Errorf("native path stored\n %v\nJSON path stored\n %v", got.Rows, want.Rows)
	}
}

// TestNativeBlockMatchesClickHouse checks the encoder byte for byte against the Native
// output of the engine for the same values.
func TestNativeBlockMatchesClickHouse(t *testing.T) {
	s := openEmbeddedTest(t).(*embeddedStore)
	ctx := context.Background()
	types := []string{"UInt64", "Int8", "Float32", "Float64", "Bool", "String", "DateTime",
		"Array(String)", "Nullable(UInt16)", "Array(Int32)"}
	rows := [][]any{
		{uint64(1 << 63), int8(-128), float32(-0.4), 1e300, true, "tab\t'q'", time.Unix(1700000000, 0).UTC(),
			[]string{"a", ""}, nil, []any{int32(-7)}},
		{uint64(0), int8(127), float32(0), math.Copysign(0, -1), false, "", time.Unix(0, 0).UTC(), []string{}, uint16(65535), []any{}},
	}
	sql := `SELECT * FROM values('c0 UInt64, c1 Int8, c2 Float32, c3 Float64, c4 Bool, c5 String, c6 DateTime,
		c7 Array(String), c8 Nullable(UInt16), c9 Array(Int32)',
		(9223372036854775808, -128, -0.4, 1e300, true, 'tab\t''q''', 1700000000, ['a', ''], NULL, [-7]),
		(0, 127, 0, -0., false, '', 0, [], 65535, []))`
	want, err := s.run(ctx, []byte(sql), "Native", false)
	if err != nil {
		t.Fatal(err)
	}
	cols := make([]natColumn, len(types))
	for i, typ := range types {
		layout, name, ok := parseNativeType(typ)
		if !ok {
			t.Fatalf("type %s not covered", typ)
		}
		cols[i] = natColumn{name: fmt.Sprintf("c%d", i), typ: name, layout: layout}
	}
	got, err := appendNativeBlock(nil, cols, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("native block differs from ClickHouse's:\n got %x\nwant %x", got, want)
	}
}

func TestParseNativeType(t *testing.T) {
	tests := []struct {
		in, block string
		ok        bool
	}{
		{"LowCardinality(String)", "String", true},
		{"Array(LowCardinality(String))", "Array(String)", true},
		{"LowCardinality(Nullable(String))", "Nullable(String)", true},
		{"DateTime('UTC')", "DateTime('UTC')", true},
		{"DateTime", "DateTime", true},
		{"DateTime64(3)", "", false},
		{"Date", "", false},
		{"Array(Array(String))", "", false},
		{"Array(Nullable(String))", "", false},
		{"Map(String, String)", "", false},
		{"Enum8('a' = 1)", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, block, ok := parseNativeType(tt.in)
			if ok != tt.ok || (ok && block != tt.block) {
				t.Errorf("parseNativeType(%q) = %q, %v; want %q, %v", tt.in, block, ok, tt.block, tt.ok)
			}
		})
	}
}

// FuzzInsertStrings inserts arbitrary strings and string arrays into the embedded engine
// and checks that they come back byte for byte. The table is a Memory table: a MergeTree
// table would gather a part per exec until ClickHouse throttles the inserts.
func FuzzInsertStrings(f *testing.F) {
	for _, s := range hostileStrings {
		if len(s) < 1000 {
			f.Add(s, s+"\x00"+s)
		}
	}
	s := openEmbeddedTest(f)
	ctx := context.Background()
	if err := s.Exec(ctx, "CREATE TABLE fuzz (k UInt64, s String, lc LowCardinality(String), a Array(String)) ENGINE = Memory"); err != nil {
		f.Fatal(err)
	}
	var n uint64
	f.Fuzz(func(t *testing.T, str, joined string) {
		n++
		terms := strings.Split(joined, "\x00")
		row := []any{n, str, str, terms}
		if err := s.Insert(ctx, "fuzz", []string{"k", "s", "lc", "a"}, [][]any{row}); err != nil {
			t.Fatal(err)
		}
		res, err := s.Query(ctx, fmt.Sprintf("SELECT hex(s), hex(lc), arrayMap(x -> hex(x), a) FROM fuzz WHERE k = %d", n))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 {
			t.Fatalf("%d rows, want 1", len(res.Rows))
		}
		r := res.Rows[0]
		if r[0] != hexUpper(str) || r[1] != hexUpper(str) {
			t.Errorf("s, lc = %s, %s; want %s", r[0], r[1], hexUpper(str))
		}
		got := r[2].([]any)
		if len(got) != len(terms) {
			t.Fatalf("%d terms, want %d", len(got), len(terms))
		}
		for i := range got {
			if got[i] != hexUpper(terms[i]) {
				t.Errorf("term %d = %s, want %s", i, got[i], hexUpper(terms[i]))
			}
		}
	})
}
