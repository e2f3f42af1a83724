package storage_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// outage is a real store whose inserts fail while down is set, as during a ClickHouse
// outage.
type outage struct {
	storage.Inserter
	down atomic.Bool
}

var errOutage = errors.New("clickhouse unreachable (simulated outage)")

func (o *outage) Insert(ctx context.Context, b *storage.Block) error {
	if o.down.Load() {
		return errOutage
	}
	return o.Inserter.Insert(ctx, b)
}

// down returns an outage of s that has begun.
func down(s storage.Inserter) *outage {
	o := &outage{Inserter: s}
	o.down.Store(true)
	return o
}

// ackLog records ack calls.
type ackLog struct {
	mu   sync.Mutex
	ok   int
	errs []error
}

func (a *ackLog) fn() func(error) {
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

func (a *ackLog) counts() (ok, failed int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ok, len(a.errs)
}

// fetch returns the n-th fetch row of a test; its byte count n identifies it.
func fetch(n int) storage.Fetch {
	return storage.Fetch{
		Time: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), Source: "spool", Host: "example.id",
		Kind: "article", Status: 200, StatusClass: "2xx", Bytes: uint64(n), Duration: 250 * time.Millisecond,
	}
}

// addAll adds the fetches first..last-1, failing the test on any error but a *FlushError
// (rows kept for retry, which is what an outage produces).
func addAll(t testing.TB, w *storage.Writer, a *ackLog, first, last int) {
	t.Helper()
	for i := first; i < last; i++ {
		var fe *storage.FlushError
		if err := w.Add(context.Background(), a.fn(), fetch(i)); err != nil && !errors.As(err, &fe) {
			t.Fatalf("add fetch %d: %v", i, err)
		}
	}
}

// storedFetches returns the byte counts of the stored fetch rows, sorted.
func storedFetches(t testing.TB, s storage.Store) []uint64 {
	t.Helper()
	res, err := s.Query(context.Background(), "SELECT bytes FROM fetches WHERE source = 'spool' ORDER BY bytes")
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, r := range res.Rows {
		out = append(out, r[0].(uint64))
	}
	return out
}

// seq returns first..last-1 as uint64.
func seq(first, last int) []uint64 {
	var out []uint64
	for i := first; i < last; i++ {
		out = append(out, uint64(i))
	}
	return out
}

// spoolFiles returns the base names in dir ending in suffix, sorted, but for the folder's
// lock file.
func spoolFiles(t testing.TB, dir, suffix string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) && e.Name() != ".lock" {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// value returns the value of a counter or gauge.
func value(t testing.TB, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	if d.Gauge != nil {
		return d.Gauge.GetValue()
	}
	return d.Counter.GetValue()
}

func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// forEachStore runs fn with a fresh, migrated store of every backend.
func forEachStore(t *testing.T, fn func(t *testing.T, s storage.Store)) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) { fn(t, storagetest.Open(t, b.Config(t))) })
	}
}

func TestWriterSpoolsDuringOutageAndReplays(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ins := down(s)
		dir := filepath.Join(t.TempDir(), "spool")
		m := storage.NewMetrics(prometheus.NewRegistry())
		w := storage.NewTestWriter(t, ins, storage.WriterOptions{
			BatchSize: 5, MaxBuffered: 10, FlushInterval: 50 * time.Millisecond, SpoolDir: dir, Metrics: m,
		})
		defer func() { _ = w.Close(context.Background()) }()
		var a ackLog
		addAll(t, w, &a, 0, 25)

		// Two full buffers went to disk; the rest waits in memory. No row is acknowledged
		// before ClickHouse confirmed it.
		if ok, failed := a.counts(); ok != 0 || failed != 0 {
			t.Fatalf("acks during the outage: %d ok, %d failed; want none", ok, failed)
		}
		if got := spoolFiles(t, dir, ".spool"); len(got) != 2 {
			t.Fatalf("spool files %v, want 2", got)
		}
		if got := value(t, m.SpoolRows.WithLabelValues(storage.FetchesTable)); got != 20 {
			t.Errorf("spool rows gauge = %v, want 20", got)
		}
		if got := value(t, m.SpoolBytes.WithLabelValues(storage.FetchesTable)); got <= 0 {
			t.Errorf("spool bytes gauge = %v, want > 0", got)
		}
		if got := storedFetches(t, s); len(got) != 0 {
			t.Fatalf("%d rows stored during the outage", len(got))
		}

		// ClickHouse answers again: the background loop flushes the buffer and replays
		// the spool; every row is stored exactly once.
		ins.down.Store(false)
		waitUntil(t, "replay and flush", func() bool {
			ok, _ := a.counts()
			return ok == 25 && len(spoolFiles(t, dir, ".spool")) == 0
		})
		if got, want := storedFetches(t, s), seq(0, 25); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		if got := value(t, m.SpoolReplayedRows.WithLabelValues(storage.FetchesTable)); got != 20 {
			t.Errorf("replayed rows = %v, want 20", got)
		}
		if got := value(t, m.SpoolRows.WithLabelValues(storage.FetchesTable)); got != 0 {
			t.Errorf("spool rows gauge after replay = %v, want 0", got)
		}
		if got := value(t, m.SpoolBytes.WithLabelValues(storage.FetchesTable)); got != 0 {
			t.Errorf("spool bytes gauge after replay = %v, want 0", got)
		}
	})
}

func TestWriterCloseDuringOutageSpoolsAndRestartReplays(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		ins := down(s)
		dir := t.TempDir()
		opts := storage.WriterOptions{BatchSize: 100, FlushInterval: time.Hour, SpoolDir: dir}
		w := storage.NewTestWriter(t, ins, opts)
		var a ackLog
		addAll(t, w, &a, 0, 7)
		if err := w.Close(ctx); err != nil {
			t.Fatalf("close during the outage: %v (want nil: the rows are spooled)", err)
		}
		// The rows are safe on disk but not stored: their acks say so.
		if ok, failed := a.counts(); ok != 0 || failed != 7 {
			t.Fatalf("acks after close: %d ok, %d failed; want 7 failed", ok, failed)
		}
		for _, err := range a.errs {
			if !errors.Is(err, storage.ErrSpooled) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("ack error %v, want ErrSpooled naming a file in %s", err, dir)
			}
		}
		if got := spoolFiles(t, dir, ".spool"); len(got) != 1 {
			t.Fatalf("spool files %v, want 1", got)
		}

		// A new process, with ClickHouse back, replays the spool.
		ins.down.Store(false)
		m := storage.NewMetrics(prometheus.NewRegistry())
		opts.Metrics = m
		var logs syncBuffer
		opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		w = storage.NewTestWriter(t, ins, opts)
		if err := w.Replay(ctx); err != nil {
			t.Fatalf("replay: %v", err)
		}
		// The replay at start-up is told, with its row count.
		if out := logs.String(); !strings.Contains(out, "spooled rows replayed") {
			t.Errorf("start-up replay not logged:\n%s", out)
		}
		if got := spoolFiles(t, dir, ""); len(got) != 0 {
			t.Errorf("files left in the spool: %v", got)
		}
		if err := w.Replay(ctx); err != nil {
			t.Fatalf("second replay: %v", err)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := storedFetches(t, s), seq(0, 7); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		if got := value(t, m.SpoolReplayedRows.WithLabelValues(storage.FetchesTable)); got != 7 {
			t.Errorf("replayed rows = %v, want 7", got)
		}
	})
}

// TestWriterCloseReplaysWhenStoreIsBack checks that Close, with ClickHouse answering again,
// inserts what this process spooled and only then acknowledges it.
func TestWriterCloseReplaysWhenStoreIsBack(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		ins := down(s)
		dir := t.TempDir()
		w := storage.NewTestWriter(t, ins, storage.WriterOptions{BatchSize: 2, MaxBuffered: 2, FlushInterval: time.Hour, SpoolDir: dir})
		var a ackLog
		addAll(t, w, &a, 0, 5)
		if got := spoolFiles(t, dir, ".spool"); len(got) != 2 {
			t.Fatalf("spool files %v, want 2", got)
		}
		ins.down.Store(false)
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if ok, failed := a.counts(); ok != 5 || failed != 0 {
			t.Errorf("acks after close: %d ok, %d failed; want 5 ok", ok, failed)
		}
		if got := spoolFiles(t, dir, ""); len(got) != 0 {
			t.Errorf("files left in the spool: %v", got)
		}
		if got, want := storedFetches(t, s), seq(0, 5); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})
}

func TestWriterRestartReplaysInBackground(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		w := storage.NewTestWriter(t, down(s), storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
		var a ackLog
		addAll(t, w, &a, 0, 3)
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		w = storage.NewTestWriter(t, s, storage.WriterOptions{FlushInterval: 40 * time.Millisecond, SpoolDir: dir})
		defer func() { _ = w.Close(ctx) }()
		waitUntil(t, "the start-up replay", func() bool { return len(spoolFiles(t, dir, ".spool")) == 0 })
		if got, want := storedFetches(t, s), seq(0, 3); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})
}

func TestWriterSetsAsideCorruptSpoolFiles(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		// Four files of two rows each: three full buffers and the rows left at Close.
		w := storage.NewTestWriter(t, down(s), storage.WriterOptions{BatchSize: 2, MaxBuffered: 2, FlushInterval: time.Hour, SpoolDir: dir})
		var a ackLog
		addAll(t, w, &a, 0, 8)
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		files := spoolFiles(t, dir, ".spool")
		if len(files) != 4 {
			t.Fatalf("spool files %v, want 4", files)
		}
		torn := filepath.Join(dir, files[1])
		damaged := filepath.Join(dir, files[2])
		junk := filepath.Join(dir, "00000000000000000099-fetches.spool")
		truncate(t, torn)
		flipByte(t, damaged)
		if err := os.WriteFile(junk, []byte("not a spool file at all"), 0o600); err != nil {
			t.Fatal(err)
		}

		m := storage.NewMetrics(prometheus.NewRegistry())
		w = storage.NewTestWriter(t, s, storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir, Metrics: m})
		defer func() { _ = w.Close(ctx) }()
		err := w.Replay(ctx)
		for _, bad := range []string{torn, damaged, junk} {
			if err == nil || !strings.Contains(err.Error(), bad) {
				t.Errorf("replay error %v does not name %s", err, bad)
			}
			if _, serr := os.Stat(bad + ".bad"); serr != nil {
				t.Errorf("%s was not moved aside: %v", bad, serr)
			}
		}
		var fe *storage.SpoolFileError
		if !errors.As(err, &fe) || fe.Aside == "" {
			t.Errorf("replay error %v is not a *SpoolFileError with the new name", err)
		}
		// The good files (rows 0, 1 and 6, 7) were replayed; nothing was half-replayed.
		if got, want := storedFetches(t, s), []uint64{0, 1, 6, 7}; !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		if got := spoolFiles(t, dir, ".spool"); len(got) != 0 {
			t.Errorf("spool files left: %v", got)
		}
		if got := value(t, m.SpoolErrors.WithLabelValues(storage.FetchesTable)); got != 3 {
			t.Errorf("spool errors = %v, want 3", got)
		}

		// A later outage numbers its files after every file seen, those set aside included.
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		w3 := storage.NewTestWriter(t, down(s), storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
		addAll(t, w3, &a, 100, 101)
		if err := w3.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got := spoolFiles(t, dir, ".spool"); len(got) != 1 || got[0] <= filepath.Base(junk) {
			t.Errorf("new spool file %v does not sort after %s", got, filepath.Base(junk))
		}
		if got := spoolFiles(t, dir, ".bad"); len(got) != 3 {
			t.Errorf("files set aside %v, want 3", got)
		}
	})
}

// truncate cuts the file at path in half, as a crash mid-write would.
func truncate(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// flipByte damages one byte in the middle of the file at path.
func flipByte(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// switchRefuser refuses rows holding the value 666 while refusing is set, as ClickHouse refuses rows
// of a table that is detached or whose schema is changing.
type switchRefuser struct {
	storage.Inserter
	refusing *atomic.Bool
}

func (r switchRefuser) Insert(ctx context.Context, b *storage.Block) error {
	if r.refusing.Load() {
		for _, c := range b.Columns {
			if u, ok := c.Data.(*proto.ColUInt64); ok && slices.Contains(*u, 666) {
				return errors.New("Code: 27. Cannot parse input (simulated refusal)")
			}
		}
	}
	return r.Inserter.Insert(ctx, b)
}

// TestWriterRetriesRefusedSpoolFile checks that a spool file ClickHouse refuses while it takes
// other rows is never given up: it waits with a growing backoff, without holding up the files
// behind it, and is stored once ClickHouse takes it; only then are its rows acknowledged.
func TestWriterRetriesRefusedSpoolFile(t *testing.T) {
	defer storage.SetRefuseBackoff(30*time.Millisecond, 200*time.Millisecond)()
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		var refusing atomic.Bool
		refusing.Store(true)
		ins := down(switchRefuser{s, &refusing})
		dir := t.TempDir()
		reg := prometheus.NewRegistry()
		w := storage.NewTestWriter(t, ins, storage.WriterOptions{BatchSize: 2, MaxBuffered: 2, FlushInterval: 20 * time.Millisecond,
			SpoolDir: dir, Metrics: storage.NewMetrics(reg)})
		defer func() { _ = w.Close(ctx) }()
		var refusedAcks, otherAcks ackLog
		var fe *storage.FlushError
		for i, n := range []int{666, 1, 2, 3, 4} {
			a := &otherAcks
			if i < 2 {
				a = &refusedAcks
			}
			if err := w.Add(ctx, a.fn(), fetch(n)); err != nil && !errors.As(err, &fe) {
				t.Fatalf("add fetch %d: %v", n, err)
			}
		}
		if got := spoolFiles(t, dir, ".spool"); len(got) != 2 {
			t.Fatalf("spool files %v, want 2", got)
		}

		// ClickHouse is back but refuses the first file. Rows keep arriving and flushing, so
		// each replay learns that the refusal is about the file; the file behind it goes in.
		ins.down.Store(false)
		n := 100
		waitUntil(t, "the refused file refused three times and the other file replayed", func() bool {
			n++
			if err := w.Add(ctx, otherAcks.fn(), fetch(n)); err != nil && !errors.As(err, &fe) {
				t.Fatalf("add fetch %d: %v", n, err)
			}
			return counterValue(t, reg, "pantau_storage_spool_refusals_total") >= 3 && len(spoolFiles(t, dir, ".spool")) == 1
		})
		if got := spoolFiles(t, dir, ".bad"); len(got) != 0 {
			t.Errorf("files moved aside: %v", got)
		}
		if ok, failed := refusedAcks.counts(); ok != 0 || failed != 0 {
			t.Fatalf("acks of the refused rows before they are stored: %d ok, %d failed", ok, failed)
		}

		// The table takes the rows again: the file goes in at its next try.
		refusing.Store(false)
		waitUntil(t, "the refused file replayed", func() bool { return len(spoolFiles(t, dir, ".spool")) == 0 })
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "acks of the refused rows", func() bool { ok, _ := refusedAcks.counts(); return ok == 2 })
		stored := storedFetches(t, s)
		for _, want := range []uint64{666, 1, 2, 3, 4, 101} {
			if !slices.Contains(stored, want) {
				t.Errorf("fetch %d not stored: %v", want, stored)
			}
		}
	})
}

// TestSpoolFolderOneProcess checks that a second writer does not use a spool folder a
// first one holds, and can once the first closed.
func TestSpoolFolderOneProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := storage.WriterOptions{BatchSize: 1, MaxBuffered: 1, FlushInterval: time.Hour, SpoolDir: dir}
	first := storage.NewTestWriter(t, down(nil), opts)
	var a ackLog
	addAll(t, first, &a, 0, 2) // the second Add spools the first row
	if got := spoolFiles(t, dir, ".spool"); len(got) != 1 {
		t.Fatalf("spool files %v, want 1", got)
	}

	second := storage.NewTestWriter(t, down(nil), opts)
	var b ackLog
	addAll(t, second, &b, 10, 11)
	err := second.Add(ctx, b.fn(), fetch(11))
	if !errors.Is(err, storage.ErrBufferFull) || !errors.Is(err, storage.ErrSpoolInUse) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second writer spooling into a held folder: err = %v, want ErrBufferFull and ErrSpoolInUse naming %s", err, dir)
	}
	if err := second.Replay(ctx); !errors.Is(err, storage.ErrSpoolInUse) {
		t.Errorf("second writer replaying a held folder: err = %v, want ErrSpoolInUse", err)
	}

	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := second.Close(ctx); err != nil {
		t.Fatalf("second writer closing once the folder is free: %v (want its row spooled)", err)
	}
	if got := spoolFiles(t, dir, ".spool"); len(got) != 3 {
		t.Errorf("spool files %v, want 3: two of the first writer, one of the second", got)
	}
}

func TestWriterSpoolFull(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		ins := down(s)
		dir := t.TempDir()
		// One file of two rows with long host names takes about 2 KB: the first fits the
		// cap, the second does not.
		long := func(i int) storage.Fetch { f := fetch(i); f.Host = strings.Repeat("h", 900) + ".id"; return f }
		m := storage.NewMetrics(prometheus.NewRegistry())
		w := storage.NewTestWriter(t, ins, storage.WriterOptions{
			BatchSize: 2, MaxBuffered: 2, FlushInterval: time.Hour, SpoolDir: dir, SpoolMaxBytes: 3000, Metrics: m,
		})
		defer func() { _ = w.Close(ctx) }()
		var a ackLog
		var fe *storage.FlushError
		for i := range 4 {
			if err := w.Add(ctx, a.fn(), long(i)); err != nil && !errors.As(err, &fe) {
				t.Fatalf("add %d: %v", i, err)
			}
		}
		if got := spoolFiles(t, dir, ".spool"); len(got) != 1 {
			t.Fatalf("spool files %v, want 1", got)
		}
		// The buffer is full again and the spool has no room: Add refuses as without a spool.
		err := w.Add(ctx, a.fn(), long(4))
		if !errors.Is(err, storage.ErrBufferFull) {
			t.Fatalf("add with the spool full: err = %v, want ErrBufferFull", err)
		}
		if !strings.Contains(err.Error(), "spool full") {
			t.Errorf("error %q does not say the spool is full", err)
		}
		if ok, failed := a.counts(); ok != 0 || failed != 0 {
			t.Errorf("acks: %d ok, %d failed; want none before ClickHouse confirmed a row", ok, failed)
		}
		if got := spoolFiles(t, dir, ""); len(got) != 1 {
			t.Errorf("files in the spool %v, want the one complete file", got)
		}
		if got := value(t, m.SpoolErrors.WithLabelValues(storage.FetchesTable)); got != 0 {
			t.Errorf("spool errors = %v; a full spool is not an error", got)
		}

		// Once ClickHouse is back, the buffered rows flush and the spool replays.
		ins.down.Store(false)
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.Replay(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := storedFetches(t, s), seq(0, 4); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		if ok, failed := a.counts(); ok != 4 || failed != 0 {
			t.Errorf("acks after recovery: %d ok, %d failed; want 4 ok", ok, failed)
		}
	})
}

func TestWriterWithoutSpoolDir(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		w := storage.NewTestWriter(t, down(s), storage.WriterOptions{BatchSize: 2, MaxBuffered: 2, FlushInterval: time.Hour})
		var a ackLog
		addAll(t, w, &a, 0, 2)
		if err := w.Add(ctx, a.fn(), fetch(2)); !errors.Is(err, storage.ErrBufferFull) {
			t.Fatalf("add beyond the buffer: err = %v, want ErrBufferFull", err)
		}
		if err := w.Replay(ctx); err != nil {
			t.Errorf("replay without a spool: %v", err)
		}
		var fe *storage.FlushError
		if err := w.Close(ctx); !errors.As(err, &fe) {
			t.Fatalf("close: err = %v, want *FlushError", err)
		}
		if ok, failed := a.counts(); ok != 0 || failed != 2 {
			t.Errorf("acks: %d ok, %d failed; want 2 failed", ok, failed)
		}
	})
}

// recorder is an Inserter that keeps the blocks it is given, by table.
type recorder struct {
	mu     sync.Mutex
	blocks map[string][]*storage.Block
}

func (r *recorder) Insert(_ context.Context, b *storage.Block) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.blocks == nil {
		r.blocks = map[string][]*storage.Block{}
	}
	r.blocks[b.Table] = append(r.blocks[b.Table], b)
	return nil
}

func TestSpoolRoundTripsEveryValue(t *testing.T) {
	pub := time.Date(2024, 2, 3, 10, 20, 30, 123456789, time.UTC)
	records := []storage.Record{
		storage.Article{
			URL: "https://example.id/x", CanonicalURL: "https://example.id/x", Source: "example", Title: "Judul",
			Text: "Isi\tberita\x00ünïcödé", PublishedAt: pub, SimHash: 1<<63 | 1, SentimentScore: -0.75, AnalyzerVersion: "v1",
		},
		storage.Mention{URLHash: 1<<64 - 1, Programme: "tpa", Terms: []string{"TPA", "", "sampah"}, Score: 0.3, Criticism: true, PublishedAt: pub, Region: "Sumatera Barat"},
		storage.Fetch{Time: pub, Source: "s", Kind: "feed", Status: 304, StatusClass: "3xx", Bytes: 1 << 40, Duration: 1500 * time.Millisecond},
		storage.SourceState{Source: "s", Interval: time.Hour, Failures: 3, Dead: true, UpdatedAt: pub},
	}
	dir := t.TempDir()
	ctx := context.Background()
	w := storage.NewTestWriter(t, down(nil), storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
	for _, rec := range records {
		if err := w.Add(ctx, nil, rec); err != nil {
			t.Fatalf("add %s: %v", rec.Table(), err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	var got recorder
	w = storage.NewTestWriter(t, &got, storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
	defer func() { _ = w.Close(ctx) }()
	if err := w.Replay(ctx); err != nil {
		t.Fatal(err)
	}
	for _, rec := range records {
		t.Run(rec.Table(), func(t *testing.T) {
			want := storage.NativeBytes(storage.BlockOf(rec))
			blocks := got.blocks[rec.Table()]
			if len(blocks) != 1 || !bytes.Equal(storage.NativeBytes(blocks[0]), want) {
				t.Errorf("replayed %d blocks, want one encoding as %x", len(blocks), want)
			}
		})
	}
}

func TestSpoolReplayLogsInBackground(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000001-mentions.spool"), []byte("PNTSPL01 torn"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A write a crash interrupted before its rename: the rows were never acknowledged.
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000002-mentions.spool.tmp"), []byte("PNTSPL01"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	w := storage.NewTestWriter(t, &recorder{}, storage.WriterOptions{
		FlushInterval: 20 * time.Millisecond, SpoolDir: dir,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	defer func() { _ = w.Close(ctx) }()
	bad := filepath.Join(dir, "00000000000000000001-mentions.spool")
	waitUntil(t, "the torn file to be moved aside", func() bool { return strings.Contains(logs.String(), bad) })
	if got := spoolFiles(t, dir, ""); !slices.Equal(got, []string{"00000000000000000001-mentions.spool.bad"}) {
		t.Errorf("spool folder holds %v, want only the file moved aside", got)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log %q has no error", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the writer's goroutine and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FuzzSpoolFile checks that any file in the spool is replayed whole or moved aside,
// never half-replayed and never a crash.
func FuzzSpoolFile(f *testing.F) {
	dir := f.TempDir()
	broken := down(nil)
	w := storage.NewTestWriter(f, broken, storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
	for i := range 3 {
		_ = w.Add(context.Background(), nil, fetch(i))
	}
	_ = w.Add(context.Background(), nil, storage.Mention{Terms: []string{"a"}})
	if err := w.Close(context.Background()); err != nil {
		f.Fatal(err)
	}
	for _, name := range spoolFiles(f, dir, ".spool") {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)-1])
	}
	f.Add([]byte("PNTSPL01"))
	f.Add([]byte("PNTSPOOL\x02"))
	old, _ := filepath.Glob(filepath.Join("testdata", "spool-v1", "*.spool"))
	for _, path := range old {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "00000000000000000001-fetches.spool")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var got recorder
		w := storage.NewTestWriter(t, &got, storage.WriterOptions{FlushInterval: time.Hour, SpoolDir: dir})
		err := w.Replay(context.Background())
		_ = w.Close(context.Background())
		var fe *storage.SpoolFileError
		switch {
		case err == nil && len(got.blocks) == 0:
			t.Errorf("file neither replayed nor moved aside")
		case err != nil && !errors.As(err, &fe):
			t.Errorf("replay: %v, want a *SpoolFileError", err)
		case err != nil && len(got.blocks) > 0:
			t.Errorf("file half-replayed: %v after %d tables", err, len(got.blocks))
		}
	})
}

// BenchmarkSpool measures the writer during an outage, writing 100k mention rows to the
// spool in files of 50k rows (write), and then replaying them into each real store (replay).
func BenchmarkSpool(b *testing.B) {
	const rowsPerOp = 100_000
	mentions := make([]storage.Mention, rowsPerOp)
	pub := time.Date(2024, 2, 3, 10, 0, 0, 0, time.UTC)
	for i := range mentions {
		mentions[i] = storage.Mention{
			URLHash: uint64(i) * 0x9E3779B97F4A7C15, Programme: "tpa", Unit: "dlh", Terms: []string{"TPA", "sampah"},
			Score: -0.5, Label: "negative", Criticism: i%3 == 0, Snippet: "warga memprotes bau sampah dari TPA",
			PublishedAt: pub.Add(time.Duration(i) * time.Second), Source: "example", AnalyzerVersion: "v1",
		}
	}
	opts := func(dir string) storage.WriterOptions {
		return storage.WriterOptions{BatchSize: 50_000, MaxBuffered: 50_000, FlushInterval: time.Hour, SpoolDir: dir}
	}
	spoolAll := func(b *testing.B, dir string) {
		w := storage.NewTestWriter(b, down(nil), opts(dir))
		for i := range mentions {
			var fe *storage.FlushError
			if err := w.Add(context.Background(), nil, mentions[i]); err != nil && !errors.As(err, &fe) {
				b.Fatal(err)
			}
		}
		if err := w.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("write", func(b *testing.B) {
		var elapsed time.Duration
		for range b.N {
			dir := b.TempDir()
			start := time.Now()
			spoolAll(b, dir)
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(rowsPerOp*b.N)/elapsed.Seconds(), "rows/s")
	})
	for _, be := range storagetest.Backends {
		b.Run("replay/"+be.Name, func(b *testing.B) {
			s := storagetest.Open(b, be.Config(b))
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				spoolAll(b, dir)
				w := storage.NewTestWriter(b, s, opts(dir))
				b.StartTimer()
				start := time.Now()
				if err := w.Replay(context.Background()); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				if err := w.Close(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(rowsPerOp*b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}

// counterValue sums the samples of a counter family in reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestSpoolFileRemovedByOperator checks that a spool file an operator moved out of the folder
// is forgotten at the next replay, its rows' acks told that they were not stored.
func TestSpoolFileRemovedByOperator(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ins := down(nil)
	w := storage.NewTestWriter(t, ins, storage.WriterOptions{BatchSize: 1, MaxBuffered: 1, FlushInterval: time.Hour, SpoolDir: dir})
	defer func() { _ = w.Close(ctx) }()
	var a ackLog
	addAll(t, w, &a, 0, 2) // the second Add spools the first row
	files := spoolFiles(t, dir, ".spool")
	if len(files) != 1 {
		t.Fatalf("spool files %v, want 1", files)
	}
	if err := os.Rename(filepath.Join(dir, files[0]), filepath.Join(t.TempDir(), files[0])); err != nil {
		t.Fatal(err)
	}
	err := w.Replay(ctx)
	var sfe *storage.SpoolFileError
	if !errors.As(err, &sfe) || !strings.Contains(err.Error(), "removed from the spool folder") {
		t.Errorf("replay after the file was removed: %v, want a *SpoolFileError saying so", err)
	}
	if ok, failed := a.counts(); ok != 0 || failed != 1 {
		t.Errorf("acks: %d ok, %d failed; want the spooled row failed", ok, failed)
	}
}

// TestWriterHealthRecoversWithoutNewRows checks what readiness reads: the writer reports the
// failing flush while rows wait, and nothing as soon as a background flush works again,
// although no row was added since; the outage is logged once, and so is the recovery.
func TestWriterHealthRecoversWithoutNewRows(t *testing.T) {
	forEachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		ins := down(s)
		var logs syncBuffer
		w := storage.NewTestWriter(t, ins, storage.WriterOptions{BatchSize: 100, MaxBuffered: 100, FlushInterval: 20 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		defer func() { _ = w.Close(ctx) }()
		var a ackLog
		addAll(t, w, &a, 0, 3)
		waitUntil(t, "the writer reporting the failing flush", func() bool { return w.Health() != nil })
		time.Sleep(100 * time.Millisecond) // several failed flushes
		ins.down.Store(false)
		waitUntil(t, "the writer healthy again", func() bool { return w.Health() == nil })
		waitUntil(t, "the rows acknowledged", func() bool { ok, _ := a.counts(); return ok == 3 })
		out := logs.String()
		if n := strings.Count(out, "flush failed"); n != 1 {
			t.Errorf("%d flush failure lines, want 1 per outage:\n%s", n, out)
		}
		if !strings.Contains(out, "flushes succeed again") {
			t.Errorf("recovery not logged:\n%s", out)
		}
	})
}
