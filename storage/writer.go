package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pantau-id/pantau/ack"
	"github.com/pantau-id/pantau/config"
)

// ErrBufferFull reports that Add refused a row because its table's buffer reached
// WriterOptions.MaxBuffered, which happens only while flushes fail and the buffer cannot
// go to the spool (none configured, full, or failing). The caller backs off and adds the
// row again later.
var ErrBufferFull = errors.New("storage: writer buffer full")

// ErrWriterClosed reports an Add on a closed Writer.
var ErrWriterClosed = errors.New("storage: writer closed")

// FlushError reports a failed flush of one table. The rows stay buffered and are retried
// by the next flush, or go to the spool when the buffer is full.
type FlushError struct {
	Table string
	Rows  int
	Err   error
}

// Error describes the failed flush.
func (e *FlushError) Error() string {
	return fmt.Sprintf("flush %d rows into %s: %v", e.Rows, e.Table, e.Err)
}

// Unwrap returns the insert error.
func (e *FlushError) Unwrap() error { return e.Err }

// WriterOptions tunes a Writer; WriterOptionsFrom builds them from the configuration.
type WriterOptions struct {
	// BatchSize is the number of rows of one table that triggers a flush.
	BatchSize int
	// FlushInterval is the longest a row waits before it is flushed; failed flushes are
	// retried at this pace.
	FlushInterval time.Duration
	// MaxBuffered caps the rows buffered per table while flushes fail, at least BatchSize.
	// A full buffer goes to the spool, if there is one, as one file.
	MaxBuffered int
	// FlushTimeout bounds one background flush.
	FlushTimeout time.Duration
	// SpoolDir is the folder where rows wait on disk while ClickHouse does not take them;
	// empty disables spooling. One Writer at a time may use a folder.
	SpoolDir string
	// SpoolMaxBytes caps the size of the spool files.
	SpoolMaxBytes int64
	// Metrics, if not nil, receives the writer's metrics.
	Metrics *Metrics
	// Logger receives the spool's events: rows spooled, files replayed or moved aside.
	Logger *slog.Logger
	// OnFlush, if not nil, is called after every flush attempt with its table, row count
	// and outcome. It must not call the Writer.
	OnFlush func(table string, rows int, err error)
}

// WriterOptionsFrom returns the options cfg sets and those config fixes, logging to log.
func WriterOptionsFrom(cfg config.Storage, log *slog.Logger) WriterOptions {
	return WriterOptions{
		BatchSize: cfg.BatchSize, FlushInterval: cfg.FlushInterval.D(),
		MaxBuffered: config.WriterBufferBatches * cfg.BatchSize, FlushTimeout: config.WriterFlushTimeout,
		SpoolDir: cfg.SpoolDir, SpoolMaxBytes: cfg.SpoolMaxBytes, Logger: log,
	}
}

// check refuses options with a parameter left at zero, naming it.
func (o WriterOptions) check() error {
	var bad []string
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"BatchSize", o.BatchSize > 0}, {"FlushInterval", o.FlushInterval > 0},
		{"MaxBuffered", o.MaxBuffered >= o.BatchSize}, {"FlushTimeout", o.FlushTimeout > 0},
		{"SpoolMaxBytes", o.SpoolDir == "" || o.SpoolMaxBytes > 0}, {"Logger", o.Logger != nil},
	} {
		if !f.ok {
			bad = append(bad, f.name)
		}
	}
	if bad != nil {
		return fmt.Errorf("storage: writer options: %s unset or too small (batch size %d, max buffered %d): build them with WriterOptionsFrom",
			strings.Join(bad, ", "), o.BatchSize, o.MaxBuffered)
	}
	return nil
}

// Writer buffers rows per table and inserts them in batches, when a table's buffer
// reaches BatchSize and when its oldest row is FlushInterval old.
//
// Rows are acknowledged as package ack describes: only after ClickHouse confirmed them, also
// when they waited in a spool file on the way. A failed flush keeps its rows buffered and
// retries them; when the buffer of a table is full, or the Writer closes while flushes
// fail, the rows go to a spool file, which the Writer replays (and then deletes) once
// ClickHouse takes rows again, also after a restart. Nothing is dropped without its ack
// being told.
//
// A Writer is safe for concurrent use. A flush swaps its table's buffer out and inserts
// without holding the buffer's lock, so other producers go on adding while it runs; one
// flush of a table runs at a time, so batches reach ClickHouse in the order of their rows.
// Add blocks only while it flushes a full batch itself, when a table holds MaxBuffered rows
// while a flush is under way (backpressure: producers slow down to the pace ClickHouse
// accepts), and while it writes a spool file.
type Writer struct {
	ins   Inserter
	opts  WriterOptions
	spool *spool // nil without SpoolDir
	log   *slog.Logger
	// lastFlushOK is when a flush last succeeded, in Unix nanoseconds: a spool file
	// failing while flushes succeed is refused for what it holds, not for an outage.
	lastFlushOK atomic.Int64

	mu     sync.Mutex // guards tables and closed
	tables map[string]*tableBuffer
	closed bool

	stop context.CancelFunc
	done chan struct{}
}

// tableBuffer holds the rows of one table waiting for a flush.
type tableBuffer struct {
	table  string
	schema *schema

	flushMu sync.Mutex // held by the flush or spooling of the table under way

	mu          sync.Mutex // guards the fields below; never held during an insert
	recs        []Record
	acks        []*ack.Group // one per row of recs
	inflight    int          // rows of the flush under way
	oldest      time.Time    // when the oldest buffered row was added
	lastErr     error        // outcome of the last flush attempt
	lastAttempt time.Time
	pending     error     // background flush error not yet reported by Add
	spoolErr    error     // outcome of the last spool attempt
	lastSpool   time.Time // when the buffer was last spooled or tried to be
	failures    int       // flushes failed in a row
}

// NewWriter returns a Writer inserting through ins and starts its background loop, which
// flushes by interval and replays the spool whenever spool files wait, from its first
// tick (FlushInterval/4) on: what an earlier process left there is written soon after
// start-up. It refuses options with a field left at zero. The caller must call Close.
func NewWriter(ins Inserter, opts WriterOptions) (*Writer, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &Writer{ins: ins, opts: opts, log: opts.Logger, tables: map[string]*tableBuffer{}, stop: stop, done: make(chan struct{})}
	if opts.SpoolDir != "" {
		w.spool = newSpool(opts.SpoolDir, opts.SpoolMaxBytes, opts.Metrics)
	}
	go w.loop(ctx)
	return w, nil
}

// Add buffers recs, rows of one table, as one unit of acknowledgement: done, if not nil,
// is called exactly once, as package ack describes (at once with nil when recs is empty).
//
// An error wrapping ErrBufferFull or ErrWriterClosed, or one about the rows' table, means
// no row was buffered and done will not be called. A *FlushError means the rows were
// buffered but a flush of their table (by this Add or earlier in the background) failed;
// the rows stay buffered (or spooled) for retry and the caller should slow down.
func (w *Writer) Add(ctx context.Context, done ack.Func, recs ...Record) error {
	if len(recs) == 0 {
		if done != nil {
			done(nil)
		}
		return nil
	}
	t, err := w.table(recs)
	if err != nil {
		return err
	}
	n := len(recs)
	t.mu.Lock()
	full := len(t.recs)+t.inflight > 0 && len(t.recs)+t.inflight+n > w.opts.MaxBuffered
	t.mu.Unlock()
	var flushErr error
	if full {
		t.flushMu.Lock()
		flushErr = w.makeRoom(ctx, t, n)
		t.flushMu.Unlock()
		var fe *FlushError
		if flushErr != nil && !errors.As(flushErr, &fe) {
			return flushErr
		}
	}
	g := ack.NewGroup(n, done)
	t.mu.Lock()
	if len(t.recs) == 0 {
		t.oldest = time.Now()
	}
	t.recs = append(t.recs, recs...)
	for range n {
		t.acks = append(t.acks, g)
	}
	w.gauge(t)
	err, t.pending = t.pending, nil
	due := len(t.recs) >= w.opts.BatchSize && w.retryDue(t)
	t.mu.Unlock()
	// A full batch is flushed by this Add, unless a flush of the table is under way: the
	// rows then wait for the next batch instead of for that insert.
	if due && t.flushMu.TryLock() {
		if ferr := w.flushHeld(ctx, t, w.opts.BatchSize); ferr != nil {
			err = ferr
		}
		t.flushMu.Unlock()
	}
	if err == nil {
		err = flushErr
	}
	return err
}

// retryDue reports whether t may be flushed now: its last flush worked, or failed
// FlushInterval ago. The caller holds t.mu.
func (w *Writer) retryDue(t *tableBuffer) bool {
	return t.lastErr == nil || time.Since(t.lastAttempt) >= w.opts.FlushInterval
}

// makeRoom frees t's buffer for n more rows: while flushes work it flushes the buffer,
// else, or when that flush fails, it moves the buffer to the spool. It returns the flush's
// *FlushError, or the spool's error wrapped in ErrBufferFull when the rows do not fit. The
// caller holds t.flushMu, so no flush is under way.
func (w *Writer) makeRoom(ctx context.Context, t *tableBuffer, n int) error {
	var flushErr error
	t.mu.Lock()
	healthy := t.lastErr == nil
	t.mu.Unlock()
	if healthy {
		flushErr = w.flushHeld(ctx, t, 0)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.recs) == 0 || len(t.recs)+n <= w.opts.MaxBuffered {
		return flushErr
	}
	if err := w.spoolFull(t); err != nil {
		return err
	}
	return flushErr
}

// spoolFull moves the full buffer of t to the spool. It fails with ErrBufferFull when
// there is no spool, or spooling failed less than FlushInterval ago, or fails now. The
// caller holds t.flushMu and t.mu.
func (w *Writer) spoolFull(t *tableBuffer) error {
	full := func(cause error) error {
		return fmt.Errorf("add to %s: %w (%d rows; last flush: %v; spool: %w)",
			t.table, ErrBufferFull, w.opts.MaxBuffered, t.lastErr, cause)
	}
	switch {
	case w.spool == nil:
		return fmt.Errorf("add to %s: %w (%d rows; last flush: %v)", t.table, ErrBufferFull, w.opts.MaxBuffered, t.lastErr)
	case t.spoolErr != nil && time.Since(t.lastSpool) < w.opts.FlushInterval:
		return full(t.spoolErr)
	}
	if err := w.spoolLocked(t); err != nil {
		return full(err)
	}
	return nil
}

// spoolLocked writes t's rows to a new spool file. On success it empties the buffer and
// hands the rows' acks to the spool, which settles them once ClickHouse confirmed the
// file's replay; on failure the rows stay. The caller holds t.flushMu and t.mu.
func (w *Writer) spoolLocked(t *tableBuffer) error {
	n := len(t.recs)
	b, err := blockOf(t.recs)
	if err == nil {
		var f spoolFile
		if f, err = w.spool.write(b); err == nil {
			w.log.Warn("rows spooled while ClickHouse does not take them", "table", t.table, "rows", n,
				"file", w.spool.path(f.name), "last_flush_error", t.lastErr)
			w.spool.hold(f.name, t.acks)
		}
	}
	t.lastSpool, t.spoolErr = time.Now(), err
	if err != nil {
		if m := w.opts.Metrics; m != nil && !errors.Is(err, errSpoolFull) {
			m.SpoolErrors.WithLabelValues(t.table).Inc()
		}
		return err
	}
	t.recs, t.acks = nil, nil
	w.gauge(t)
	return nil
}

// table returns the buffer for the table of recs, creating it on first use.
func (w *Writer) table(recs []Record) (*tableBuffer, error) {
	name, sc := recs[0].Table(), recs[0].schema()
	for _, r := range recs[1:] {
		if r.schema() != sc {
			return nil, fmt.Errorf("add to %s: rows of %s and %s in one Add", name, name, r.Table())
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, fmt.Errorf("add to %s: %w", name, ErrWriterClosed)
	}
	t, ok := w.tables[name]
	if !ok {
		t = &tableBuffer{table: name, schema: sc}
		w.tables[name] = t
		return t, nil
	}
	if sc != t.schema {
		return nil, fmt.Errorf("add to %s: columns %v differ from the table's earlier rows %v", name, sc.names, t.schema.names)
	}
	return t, nil
}

// flushHeld inserts t's buffered rows when there are at least atLeast of them (and one). It
// takes the rows out of the buffer and inserts them without holding t.mu; on success it
// settles their acks, on failure it puts them back in front of the rows added meanwhile.
// The caller holds t.flushMu.
func (w *Writer) flushHeld(ctx context.Context, t *tableBuffer, atLeast int) error {
	t.mu.Lock()
	n := len(t.recs)
	if n == 0 || n < atLeast {
		t.mu.Unlock()
		return nil
	}
	recs, acks, oldest := t.recs, t.acks, t.oldest
	t.recs, t.acks, t.inflight = nil, nil, n
	t.mu.Unlock()

	start := time.Now()
	b, err := blockOf(recs)
	if err == nil {
		err = w.ins.Insert(ctx, b)
	}
	if m := w.opts.Metrics; m != nil {
		m.FlushSeconds.Observe(time.Since(start).Seconds())
		if err != nil {
			m.FlushErrors.WithLabelValues(t.table).Inc()
		} else {
			m.RowsWritten.WithLabelValues(t.table).Add(float64(n))
		}
	}
	if w.opts.OnFlush != nil {
		w.opts.OnFlush(t.table, n, err)
	}

	t.mu.Lock()
	t.inflight = 0
	t.lastAttempt = time.Now()
	if err != nil {
		t.recs, t.acks, t.oldest = append(recs, t.recs...), append(acks, t.acks...), oldest
		t.lastErr = err
		t.failures++
		w.gauge(t)
		t.mu.Unlock()
		// Logged once per outage: the first failure, then the recovery.
		if t.failures == 1 {
			w.log.Warn("flush failed; rows kept and retried", "table", t.table, "rows", n, "err", err)
		}
		return &FlushError{Table: t.table, Rows: n, Err: err}
	}
	if t.failures > 0 {
		w.log.Info("flushes succeed again", "table", t.table, "failed_flushes", t.failures, "rows", n)
		t.failures = 0
	}
	t.lastErr = nil
	w.lastFlushOK.Store(t.lastAttempt.UnixNano())
	w.gauge(t)
	t.mu.Unlock()
	ack.Each(acks, nil)
	return nil
}

// gauge updates the buffered-rows gauge of t. The caller holds t.mu.
func (w *Writer) gauge(t *tableBuffer) {
	if m := w.opts.Metrics; m != nil {
		m.BufferedRows.WithLabelValues(t.table).Set(float64(len(t.recs) + t.inflight))
	}
}

// snapshot returns the table buffers in name order.
func (w *Writer) snapshot() []*tableBuffer {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*tableBuffer, 0, len(w.tables))
	for _, t := range w.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].table < out[j].table })
	return out
}

// Flush inserts every buffered row now. It returns the failed tables' *FlushError values
// joined; their rows stay buffered.
func (w *Writer) Flush(ctx context.Context) error {
	var errs []error
	for _, t := range w.snapshot() {
		t.flushMu.Lock()
		err := w.flushHeld(ctx, t, 0)
		t.mu.Lock()
		t.pending = nil
		t.mu.Unlock()
		t.flushMu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// loop flushes tables whose oldest row waited FlushInterval and replays the spool, until
// ctx ends.
func (w *Writer) loop(ctx context.Context) {
	defer close(w.done)
	tick := max(w.opts.FlushInterval/4, 5*time.Millisecond)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	var r replayer
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		w.flushDue(ctx)
		r.run(ctx, w)
	}
}

// flushDue flushes the tables whose oldest row waited FlushInterval.
func (w *Writer) flushDue(ctx context.Context) {
	for _, t := range w.snapshot() {
		t.flushMu.Lock()
		t.mu.Lock()
		due := len(t.recs) > 0 && time.Since(t.oldest) >= w.opts.FlushInterval && w.retryDue(t)
		t.mu.Unlock()
		if due {
			fctx, cancel := context.WithTimeout(ctx, w.opts.FlushTimeout)
			if err := w.flushHeld(fctx, t, 0); err != nil {
				t.mu.Lock()
				t.pending = err
				t.mu.Unlock()
			}
			cancel()
		}
		t.flushMu.Unlock()
	}
}

// Close stops the background loop and flushes every buffered row, then replays the spool
// while ClickHouse answers. If the flush fails, the rows left go to the spool; without a
// spool, or if spooling fails too, Close gives up on them: their acks get the error, which
// Close returns. The acks of rows left in the spool get an error wrapping ErrSpooled.
// Further Adds return ErrWriterClosed. Close may be called more than once.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.stop()
	<-w.done
	err := w.Flush(ctx)
	if w.spool != nil {
		// Rows this process spooled are acknowledged only once ClickHouse confirmed them:
		// replay while it answers, and tell the acks of the rows still waiting that they
		// are not stored (ErrSpooled). The next Writer on the folder replays them.
		defer w.spool.close()
		defer w.spool.release()
		if err == nil {
			if rerr := w.Replay(ctx); rerr != nil {
				w.log.Warn("spool not replayed before closing; the next start replays it", "err", rerr)
			}
		}
	}
	if err == nil {
		return nil
	}
	lost := false
	var spoolErrs []error
	for _, t := range w.snapshot() {
		gaveUp, serr := w.spoolOrGiveUp(t, err)
		lost = lost || gaveUp
		if serr != nil {
			spoolErrs = append(spoolErrs, serr)
		}
	}
	if !lost {
		w.log.Warn("writer closed while ClickHouse does not take rows; the rows left wait in the spool", "err", err)
		return nil
	}
	return fmt.Errorf("close writer: %w", errors.Join(append([]error{err}, spoolErrs...)...))
}

// spoolOrGiveUp moves the rows left in t to the spool; failing that (or without a spool)
// it settles their acks with flushErr and the spool's error. It reports whether it gave up
// rows, and why spooling failed.
func (w *Writer) spoolOrGiveUp(t *tableBuffer, flushErr error) (gaveUp bool, spoolErr error) {
	t.flushMu.Lock()
	defer t.flushMu.Unlock()
	t.mu.Lock()
	if len(t.recs) == 0 {
		t.mu.Unlock()
		return false, nil
	}
	if w.spool != nil {
		err := w.spoolLocked(t)
		if err == nil {
			t.mu.Unlock()
			return false, nil
		}
		spoolErr = fmt.Errorf("not spooled: %w", err)
	}
	acks := t.acks
	lost := len(t.recs)
	t.recs, t.acks = nil, nil
	w.gauge(t)
	t.mu.Unlock()
	cause := errors.Join(flushErr, spoolErr)
	ack.Each(acks, fmt.Errorf("storage: writer closed with %d unflushed rows of %s: %w", lost, t.table, cause))
	return true, spoolErr
}

// Replay inserts the spooled rows through the writer's Inserter now, oldest file first,
// and deletes each file once ClickHouse confirmed it. Unreadable files are moved aside and
// reported as *SpoolFileError; the others go on. The first failed insert stops the replay
// and is returned; its file stays for the next replay. Without a spool Replay does nothing.
// The background loop replays on its own; Replay is for callers that want it done now.
func (w *Writer) Replay(ctx context.Context) error {
	if w.spool == nil {
		return nil
	}
	res := w.spool.replay(ctx, w.ins, w.opts.FlushTimeout, time.Time{}, false)
	if res.rows > 0 {
		w.log.Info("spooled rows replayed", "rows", res.rows)
	}
	return errors.Join(append(append(res.bad, res.refused...), res.insertErr)...)
}

// Health returns the error of the last flush of a table that has rows waiting in memory, nil
// when every such table's last flush worked (or nothing waits): it turns nil with the first
// flush that works after an outage, whether or not new rows arrived.
func (w *Writer) Health() error {
	for _, t := range w.snapshot() {
		t.mu.Lock()
		err := t.lastErr
		waiting := len(t.recs)+t.inflight > 0
		t.mu.Unlock()
		if err != nil && waiting {
			return fmt.Errorf("writing %s: %w", t.table, err)
		}
	}
	return nil
}

// Spooled returns the rows waiting in the spool, by table: after Close, the rows that
// ClickHouse has not taken yet and that the next Writer on the folder replays.
func (w *Writer) Spooled() map[string]int {
	if w.spool == nil {
		return nil
	}
	return w.spool.waiting()
}

// flushedSince reports whether a flush succeeded after t.
func (w *Writer) flushedSince(t time.Time) bool {
	return w.lastFlushOK.Load() > t.UnixNano()
}

// replayer is the background loop's state of spool replays.
type replayer struct {
	last    time.Time // when the last replay started
	failing bool      // the last replay's insert failed
}

// run replays the spool for up to FlushInterval when files wait and the last failed
// replay is FlushInterval old. It logs what it did: a failing store once per outage,
// every file moved aside.
func (r *replayer) run(ctx context.Context, w *Writer) {
	if w.spool == nil || w.spool.empty() || (r.failing && time.Since(r.last) < w.opts.FlushInterval) {
		return
	}
	storeTakesRows := w.flushedSince(r.last)
	r.last = time.Now()
	res := w.spool.replay(ctx, w.ins, w.opts.FlushTimeout, r.last.Add(w.opts.FlushInterval), storeTakesRows)
	for _, err := range res.bad {
		w.log.Error("spool file not replayed", "err", err)
	}
	for _, err := range res.refused {
		w.log.Warn("spool file refused; kept for now", "err", err)
	}
	if res.rows > 0 {
		w.log.Info("spooled rows replayed", "rows", res.rows)
	}
	switch {
	case res.insertErr != nil && !r.failing && ctx.Err() == nil:
		w.log.Warn("spool not replayed; retrying", "err", res.insertErr)
		r.failing = true
	case res.insertErr == nil:
		r.failing = false
	}
}
