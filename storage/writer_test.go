package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pantau-id/pantau/config"
)

// scratchRow is a row of the scratch table the writer tests create and drop.
type scratchRow struct{ n uint32 }

var scratchSchema = newSchema("scratch", "n UInt32")

func (scratchRow) Table() string      { return "scratch" }
func (scratchRow) schema() *schema    { return scratchSchema }
func (r scratchRow) appendTo(rw *row) { rw.u32(r.n) }

const createScratch = "CREATE TABLE IF NOT EXISTS scratch (n UInt32) ENGINE = MergeTree ORDER BY n"

// acks records ack calls.
type acks struct {
	mu   sync.Mutex
	ok   int
	errs []error
}

func (a *acks) fn() func(error) {
	return func(err error) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if err != nil {
			a.errs = append(a.errs, err)
			return
		}
		a.ok++
	}
}

func (a *acks) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ok, len(a.errs)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		reg := prometheus.NewRegistry()
		m := NewMetrics(reg)
		w := NewTestWriter(t, s, WriterOptions{BatchSize: 100, FlushInterval: time.Hour, Metrics: m})
		pub := time.Date(2024, 2, 3, 10, 20, 30, 0, time.UTC)
		art := Article{
			URL: "https://example.id/x?utm_source=a", CanonicalURL: "https://example.id/x", Source: "example",
			SourceKind: "feed", Title: "Warga protes \"TPA\" ditutup", Text: "Baris satu\nbaris\tdua — ünïcödé", Lang: "id",
			Author: "Budi", PublishedAt: pub, DiscoveredAt: pub.Add(time.Minute), FetchedAt: pub.Add(2 * time.Minute),
			SimHash: 1 << 63, Sentiment: "negative", SentimentScore: -0.75, AnalyzerVersion: "v1",
			Region: "sumbar", Regions: []string{"13.71", "13"},
		}
		men := Mention{
			URLHash: URLHash(art.CanonicalURL), Programme: "tpa", Unit: "dlh", Terms: []string{"TPA", "sampah"},
			Score: -0.5, Label: "negative", Criticism: true, Snippet: "warga protes", PublishedAt: pub,
			Source: "example", AnalyzerVersion: "v1", Region: "sumbar", Regions: []string{"13.71"},
		}
		f := Fetch{Time: pub, Source: "example", Host: "example.id", Kind: "article", Status: 404, StatusClass: "4xx", Bytes: 12, Duration: 1500 * time.Millisecond}
		var a acks
		for _, rec := range []Record{art, men, f} {
			if err := w.Add(ctx, a.fn(), rec); err != nil {
				t.Fatalf("add %s: %v", rec.Table(), err)
			}
		}
		if got := metricValue(t, m.BufferedRows.WithLabelValues(MentionsTable)); got != 1 {
			t.Errorf("buffered mentions gauge = %v, want 1", got)
		}
		if ok, _ := a.counts(); ok != 0 {
			t.Fatalf("%d acks before any flush", ok)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatalf("close: %v", err)
		}
		if ok, bad := a.counts(); ok != 3 || bad != 0 {
			t.Fatalf("acks: %d ok, %d failed; want 3 ok", ok, bad)
		}
		if got := metricValue(t, m.RowsWritten.WithLabelValues(ArticlesTable)); got != 1 {
			t.Errorf("rows written (articles) = %v, want 1", got)
		}

		tests := []struct {
			table   string
			columns []string
			want    []any
		}{
			{ArticlesTable, ArticleColumns, []any{
				URLHash(art.CanonicalURL), art.URL, art.CanonicalURL, "example", "feed", art.Title, art.Text, "id",
				"Budi", pub, pub.Add(time.Minute), pub.Add(2 * time.Minute), uint64(1 << 63), uint64(0),
				"negative", float32(-0.75), "v1", "sumbar", []any{"13.71", "13"},
			}},
			{MentionsTable, MentionColumns, []any{
				men.URLHash, "tpa", "dlh", []any{"TPA", "sampah"}, float32(-0.5), "negative", uint64(1), "warga protes",
				pub, "example", uint64(0), "v1", "sumbar", []any{"13.71"},
			}},
			{FetchesTable, FetchColumns, []any{pub, "example", "example.id", "article", uint64(404), "4xx", uint64(12), 1.5, ""}},
		}
		for _, tt := range tests {
			t.Run(tt.table, func(t *testing.T) {
				res, err := s.Query(ctx, fmt.Sprintf("SELECT %s FROM %s", joinIdents(tt.columns), tt.table))
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Rows) != 1 {
					t.Fatalf("%d rows, want 1", len(res.Rows))
				}
				for i, want := range tt.want {
					got := res.Rows[0][i]
					if wt, ok := want.(time.Time); ok {
						if gt, ok := got.(time.Time); !ok || !gt.Equal(wt) {
							t.Errorf("%s = %v, want %v", tt.columns[i], got, want)
						}
						continue
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s = %#v, want %#v", tt.columns[i], got, want)
					}
				}
			})
		}
		// The materialized view rolled the mention up by hour, and the same mention inserted
		// again (a replayed spool file, an article fetched again after a crash) adds nothing.
		rollup := func() [][]any {
			res, err := s.Query(ctx, "SELECT hour, programme, label, uniqExactMerge(mentions), uniqExactIfMerge(criticism) FROM mentions_hourly GROUP BY hour, programme, label")
			if err != nil {
				t.Fatal(err)
			}
			return res.Rows
		}
		want := [][]any{{pub.Truncate(time.Hour), "tpa", "negative", uint64(1), uint64(1)}}
		if got := rollup(); !reflect.DeepEqual(got, want) {
			t.Errorf("mentions_hourly = %v, want %v", got, want)
		}
		if err := InsertRows(ctx, s, men); err != nil {
			t.Fatal(err)
		}
		if got := rollup(); !reflect.DeepEqual(got, want) {
			t.Errorf("mentions_hourly after the mention was inserted again = %v, want %v", got, want)
		}
	})
}

func joinIdents(cols []string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += ", "
		}
		out += quoteIdent(c)
	}
	return out
}

func TestWriterFlushBySize(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if err := s.Exec(ctx, createScratch); err != nil {
			t.Fatal(err)
		}
		var flushes []int
		w := NewTestWriter(t, s, WriterOptions{BatchSize: 10, FlushInterval: time.Hour, OnFlush: func(_ string, n int, err error) {
			if err == nil {
				flushes = append(flushes, n)
			}
		}})
		var a acks
		for i := range 25 {
			if err := w.Add(ctx, a.fn(), scratchRow{uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, s, "SELECT count() FROM scratch"); n != 20 {
			t.Errorf("after 25 adds with batch size 10: %d rows stored, want 20", n)
		}
		if ok, _ := a.counts(); ok != 20 {
			t.Errorf("acks after size flushes = %d, want 20", ok)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "SELECT count() FROM scratch"); n != 25 {
			t.Errorf("after close: %d rows stored, want 25", n)
		}
		if want := []int{10, 10, 5}; !reflect.DeepEqual(flushes, want) {
			t.Errorf("flushes %v, want %v", flushes, want)
		}
	})
}

func TestWriterFlushByTime(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if err := s.Exec(ctx, createScratch); err != nil {
			t.Fatal(err)
		}
		w := NewTestWriter(t, s, WriterOptions{BatchSize: 1000, FlushInterval: 50 * time.Millisecond})
		defer func() { _ = w.Close(ctx) }()
		var a acks
		for i := range 3 {
			if err := w.Add(ctx, a.fn(), scratchRow{uint32(i)}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the interval flush", func() bool { ok, _ := a.counts(); return ok == 3 })
		if n := count(t, s, "SELECT count() FROM scratch"); n != 3 {
			t.Errorf("%d rows stored, want 3", n)
		}
	})
}

func TestWriterFlushError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if err := s.Exec(ctx, createScratch); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "DROP TABLE scratch"); err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		m := NewMetrics(reg)
		w := NewTestWriter(t, s, WriterOptions{BatchSize: 5, MaxBuffered: 8, FlushInterval: time.Hour, Metrics: m})
		var a acks
		var flushErr *FlushError
		for i := range 4 {
			if err := w.Add(ctx, a.fn(), scratchRow{uint32(i)}); err != nil {
				t.Fatalf("add %d: %v", i, err)
			}
		}
		// The fifth row fills the batch; its flush fails but the row is kept.
		if err := w.Add(ctx, a.fn(), scratchRow{4}); !errors.As(err, &flushErr) {
			t.Fatalf("add 4: err = %v, want *FlushError", err)
		}
		if flushErr.Table != "scratch" || flushErr.Rows != 5 {
			t.Errorf("flush error %+v", flushErr)
		}
		if err := w.Flush(ctx); !errors.As(err, &flushErr) {
			t.Fatalf("flush: err = %v, want *FlushError", err)
		}
		// Rows keep being buffered up to the cap, then Add refuses.
		for i := 5; i < 8; i++ {
			if err := w.Add(ctx, a.fn(), scratchRow{uint32(i)}); err != nil {
				t.Fatalf("add %d: %v", i, err)
			}
		}
		if err := w.Add(ctx, a.fn(), scratchRow{8}); !errors.Is(err, ErrBufferFull) {
			t.Fatalf("add beyond cap: err = %v, want ErrBufferFull", err)
		}
		if got := metricValue(t, m.BufferedRows.WithLabelValues("scratch")); got != 8 {
			t.Errorf("buffered gauge = %v, want 8", got)
		}
		if got := metricValue(t, m.FlushErrors.WithLabelValues("scratch")); got != 2 {
			t.Errorf("flush errors = %v, want 2", got)
		}
		if ok, bad := a.counts(); ok != 0 || bad != 0 {
			t.Fatalf("acks before recovery: %d ok, %d failed", ok, bad)
		}
		// Once the table is back, the retained rows are written exactly once.
		if err := s.Exec(ctx, createScratch); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatalf("flush after recovery: %v", err)
		}
		if ok, bad := a.counts(); ok != 8 || bad != 0 {
			t.Errorf("acks after recovery: %d ok, %d failed; want 8 ok", ok, bad)
		}
		if n := count(t, s, "SELECT count() FROM scratch"); n != 8 {
			t.Errorf("%d rows stored, want 8", n)
		}
		// Close with a failing flush tells every remaining row's ack and returns the error.
		if err := w.Add(ctx, a.fn(), scratchRow{9}); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "DROP TABLE scratch"); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(ctx); !errors.As(err, &flushErr) {
			t.Fatalf("close: err = %v, want *FlushError", err)
		}
		if ok, bad := a.counts(); ok != 8 || bad != 1 {
			t.Errorf("acks after failed close: %d ok, %d failed; want 8 ok, 1 failed", ok, bad)
		}
		if err := w.Add(ctx, nil, scratchRow{10}); !errors.Is(err, ErrWriterClosed) {
			t.Errorf("add after close: err = %v, want ErrWriterClosed", err)
		}
	})
}

func TestWriterRejectsMismatchedColumns(t *testing.T) {
	w := NewTestWriter(t, nil, WriterOptions{})
	defer func() { _ = w.Close(context.Background()) }()
	if err := w.Add(context.Background(), nil, scratchRow{1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(context.Background(), nil, otherScratch{}); err == nil {
		t.Fatal("rows with other columns for the same table were accepted")
	}
	w.mu.Lock()
	delete(w.tables, "scratch") // nothing to flush into: ins is nil
	w.mu.Unlock()
}

type otherScratch struct{}

var otherScratchSchema = newSchema("scratch", "m UInt32")

func (otherScratch) Table() string    { return "scratch" }
func (otherScratch) schema() *schema  { return otherScratchSchema }
func (otherScratch) appendTo(rw *row) { rw.u32(0) }

// metricValue returns the value of a counter or gauge.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	case d.Counter != nil:
		return d.Counter.GetValue()
	}
	t.Fatalf("metric %v is neither gauge nor counter", m.Desc())
	return 0
}

// BenchmarkWriter writes 100k mention rows per op through the writer in batches of 50k.
func BenchmarkWriter(b *testing.B) {
	const rowsPerOp = 100_000
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			migrated(b, s)
			ctx := context.Background()
			mentions := benchMentions(rowsPerOp)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				w := NewTestWriter(b, s, WriterOptions{BatchSize: 50_000, MaxBuffered: 100_000, FlushInterval: time.Minute})
				for i := range mentions {
					if err := w.Add(ctx, nil, mentions[i]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rowsPerOp*b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkWriterAddDuringFlush measures how long Add takes while the writer flushes: four
// producers add 40k mention rows per op in batches of 10k, so inserts run while they add.
// It reports the slowest Add, the 99th and 99.9th percentiles and how many Adds per op took
// over 10 ms: an Add that waits for an insert in flight takes about the insert's duration.
// The Add that fills a batch inserts it itself, so the slowest Add is always about one
// insert; the others show whether producers wait for it.
func BenchmarkWriterAddDuringFlush(b *testing.B) {
	const producers, perProducer = 4, 10_000
	mentions := benchMentions(producers * perProducer)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := migrated(b, be.open(b))
			ctx := context.Background()
			var lat []time.Duration
			var mu sync.Mutex
			b.ResetTimer()
			for range b.N {
				w := NewTestWriter(b, s, WriterOptions{BatchSize: 10_000, MaxBuffered: 100_000, FlushInterval: time.Minute})
				var wg sync.WaitGroup
				for p := range producers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						mine := make([]time.Duration, 0, perProducer)
						for i := p * perProducer; i < (p+1)*perProducer; i++ {
							start := time.Now()
							if err := w.Add(ctx, nil, mentions[i]); err != nil {
								b.Error(err)
								return
							}
							mine = append(mine, time.Since(start))
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					}()
				}
				wg.Wait()
				if err := w.Close(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-add-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-add-µs")
			b.ReportMetric(float64(lat[len(lat)*999/1000].Microseconds()), "p999-add-µs")
			slow, _ := slices.BinarySearch(lat, 10*time.Millisecond)
			b.ReportMetric(float64(len(lat)-slow)/float64(b.N), "adds-over-10ms/op")
		})
	}
}

// BenchmarkQueryDuringInsert measures how long an "already stored?" query takes while
// batches of 50k mention rows are inserted without pause, as the crawler asks while the
// writer flushes. It reports the median and slowest query.
func BenchmarkQueryDuringInsert(b *testing.B) {
	ms := benchMentions(50_000)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := migrated(b, be.open(b))
			ctx, cancel := context.WithCancel(context.Background())
			inserting := make(chan struct{})
			go func() {
				defer close(inserting)
				for ctx.Err() == nil {
					if err := InsertRows(ctx, s, ms...); err != nil && ctx.Err() == nil {
						b.Error(err)
						return
					}
				}
			}()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if _, err := s.Query(context.Background(), "SELECT url_hash FROM articles WHERE url_hash IN (1, 2, 3)"); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				time.Sleep(5 * time.Millisecond)
			}
			b.StopTimer()
			cancel()
			<-inserting
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-query-µs")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-query-µs")
		})
	}
}

func TestNewWriterRefusesZeroOptions(t *testing.T) {
	full := WriterOptionsFrom(config.Default().Storage, slog.New(slog.DiscardHandler))
	full.SpoolDir = t.TempDir()
	if w, err := NewWriter(nil, full); err != nil {
		t.Fatalf("options from the default configuration refused: %v", err)
	} else if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		unset func(*WriterOptions)
	}{
		{"BatchSize", func(o *WriterOptions) { o.BatchSize = 0 }},
		{"FlushInterval", func(o *WriterOptions) { o.FlushInterval = 0 }},
		{"MaxBuffered", func(o *WriterOptions) { o.MaxBuffered = o.BatchSize - 1 }},
		{"FlushTimeout", func(o *WriterOptions) { o.FlushTimeout = 0 }},
		{"SpoolMaxBytes", func(o *WriterOptions) { o.SpoolMaxBytes = 0 }},
		{"Logger", func(o *WriterOptions) { o.Logger = nil }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			o := full
			tc.unset(&o)
			if _, err := NewWriter(nil, o); err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("err = %v, want one naming %s", err, tc.field)
			}
		})
	}
}
