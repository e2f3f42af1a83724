package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
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

// BenchmarkInsert inserts 50k mention rows per op with InsertRows: building the block and
// inserting it.
func BenchmarkInsert(b *testing.B) {
	const rowsPerOp = 50_000
	ms := benchMentions(rowsPerOp)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := migrated(b, be.open(b))
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if err := InsertRows(ctx, s, ms...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rowsPerOp*b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkEncode builds and encodes a Native block of 50k mention rows per op, without
// inserting it.
func BenchmarkEncode(b *testing.B) {
	ms := benchMentions(50_000)
	b.ReportAllocs()
	var buf proto.Buffer
	for range b.N {
		blk, err := blockOf(ms)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := blk.appendNative(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf.Buf)))
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
		var want []Mention
		for i, str := range hostileStrings {
			m := Mention{
				URLHash: uint64(i + 1), Programme: str, Unit: str, Terms: termSets[i%len(termSets)],
				Score: -0.25, Label: "negative", Criticism: i%2 == 0, Snippet: str,
				PublishedAt: pub.Add(time.Duration(i) * time.Hour), Source: "src\t" + str, AnalyzerVersion: str,
			}
			want = append(want, m)
		}
		if err := InsertRows(ctx, s, want...); err != nil {
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

// allTypes is a row of every column type Pantau's rows use.
type allTypes struct {
	u64  uint64
	u32  uint32
	u16  uint16
	flag bool
	f32  float32
	f64  float64
	str  string
	at   time.Time
	strs []string
}

var allTypesSchema = newSchema("all_types", "c0 UInt64", "c1 UInt32", "c2 UInt16", "c3 UInt8", "c4 Float32",
	"c5 Float64", "c6 String", "c7 DateTime", "c8 Array(String)")

func (allTypes) Table() string   { return "all_types" }
func (allTypes) schema() *schema { return allTypesSchema }

func (a allTypes) appendTo(r *row) {
	r.u64(a.u64)
	r.u32(a.u32)
	r.u16(a.u16)
	r.flag(a.flag)
	r.f32(a.f32)
	r.f64(a.f64)
	r.str(a.str)
	r.time(a.at)
	r.strs(a.strs)
}

// TestNativeBlockMatchesClickHouse checks the codec byte for byte against the Native
// output of the engine for the same values, and that a block decodes to itself.
func TestNativeBlockMatchesClickHouse(t *testing.T) {
	s := openEmbeddedTest(t).(*embeddedStore)
	ctx := context.Background()
	rows := []allTypes{
		{1 << 63, math.MaxUint32, 65535, true, -0.4, 1e300, "tab\t'q'", time.Unix(1700000000, 0), []string{"a", ""}},
		{0, 0, 0, false, 0, math.Copysign(0, -1), "", time.Time{}, nil},
	}
	sql := `SELECT * FROM values('c0 UInt64, c1 UInt32, c2 UInt16, c3 UInt8, c4 Float32, c5 Float64, c6 String,
		c7 DateTime, c8 Array(String)',
		(9223372036854775808, 4294967295, 65535, 1, -0.4, 1e300, 'tab\t''q''', 1700000000, ['a', '']),
		(0, 0, 0, 0, 0, -0., '', 0, []))`
	want, err := s.run(ctx, []byte(sql), "Native", false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blockOf(rows)
	if err != nil {
		t.Fatal(err)
	}
	var got proto.Buffer
	if err := b.appendNative(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Buf, want) {
		t.Errorf("native block differs from ClickHouse's:\n got %x\nwant %x", got.Buf, want)
	}
	back, err := decodeNative("all_types", want)
	if err != nil {
		t.Fatal(err)
	}
	var again proto.Buffer
	if err := back.appendNative(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Buf, want) || back.Table != "all_types" || back.Rows() != 2 {
		t.Errorf("decoded block encodes as %x, want %x", again.Buf, want)
	}
}

// fuzzRow is a row of the fuzz table.
type fuzzRow struct {
	k     uint64
	s     string
	terms []string
}

var fuzzSchema = newSchema("fuzz", "k UInt64", "s String", "lc String", "a Array(String)")

func (fuzzRow) Table() string   { return "fuzz" }
func (fuzzRow) schema() *schema { return fuzzSchema }

func (f fuzzRow) appendTo(r *row) {
	r.u64(f.k)
	r.str(f.s)
	r.str(f.s)
	r.strs(f.terms)
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
		if err := InsertRows(ctx, s, fuzzRow{n, str, terms}); err != nil {
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
