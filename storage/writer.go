package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/pantau-id/pantau/config"
)

// ErrBufferFull reports that Add refused a row because its table's buffer reached
// WriterOptions.MaxBuffered, which happens only while flushes fail. The caller backs off
// and adds the row again later.
var ErrBufferFull = errors.New("storage: writer buffer full")

// ErrWriterClosed reports an Add on a closed Writer.
var ErrWriterClosed = errors.New("storage: writer closed")

// FlushError reports a failed flush of one table. The rows stay buffered and are retried
// by the next flush.
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

// WriterOptions tunes a Writer. Zero fields take the defaults noted.
type WriterOptions struct {
	// BatchSize is the number of rows of one table that triggers a flush (default 10000).
	BatchSize int
	// FlushInterval is the longest a row waits before it is flushed (default 2s); failed
	// flushes are retried at this pace.
	FlushInterval time.Duration
	// MaxBuffered caps the rows buffered per table while flushes fail (default 4×BatchSize).
	MaxBuffered int
	// FlushTimeout bounds one background flush (default 30s).
	FlushTimeout time.Duration
	// Metrics, if not nil, receives the writer's metrics.
	Metrics *Metrics
	// OnFlush, if not nil, is called after every flush attempt with its table, row count
	// and outcome. It must not call the Writer.
	OnFlush func(table string, rows int, err error)
}

// WriterOptionsFrom returns the options cfg sets.
func WriterOptionsFrom(cfg config.Storage) WriterOptions {
	return WriterOptions{BatchSize: cfg.BatchSize, FlushInterval: cfg.FlushInterval.D()}
}

// Writer buffers rows per table and inserts them in batches, when a table's buffer
// reaches BatchSize and when its oldest row is FlushInterval old.
//
// A row is acknowledged only after ClickHouse confirmed the batch that holds it. A failed
// flush keeps its rows buffered and retries them; nothing is dropped without its ack
// being told. A Writer is safe for concurrent use; Add blocks while its table flushes,
// which slows producers down to the pace ClickHouse accepts.
type Writer struct {
	ins  Inserter
	opts WriterOptions

	mu     sync.Mutex // guards tables and closed
	tables map[string]*tableBuffer
	closed bool

	stop context.CancelFunc
	done chan struct{}
}

// tableBuffer holds the rows of one table waiting for a flush.
type tableBuffer struct {
	table   string
	columns []string

	mu          sync.Mutex // held while the table flushes
	rows        [][]any
	acks        []func(error)
	oldest      time.Time // when the oldest buffered row was added
	lastErr     error     // outcome of the last flush attempt
	lastAttempt time.Time
	pending     error // background flush error not yet reported by Add
}

// NewWriter returns a Writer inserting through ins and starts its interval flusher.
// The caller must call Close.
func NewWriter(ins Inserter, opts WriterOptions) *Writer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10000
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 2 * time.Second
	}
	if opts.MaxBuffered < opts.BatchSize {
		opts.MaxBuffered = 4 * opts.BatchSize
	}
	if opts.FlushTimeout <= 0 {
		opts.FlushTimeout = 30 * time.Second
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &Writer{ins: ins, opts: opts, tables: map[string]*tableBuffer{}, stop: stop, done: make(chan struct{})}
	go w.loop(ctx)
	return w
}

// Add buffers rec. ack, if not nil, is called exactly once: with nil after ClickHouse
// confirmed the batch holding the row, or with an error when Close gives up on the row.
// It is called without locks held, from the goroutine that flushed.
//
// An error wrapping ErrBufferFull or ErrWriterClosed, or a column mismatch, means the row
// was not buffered and ack will not be called. A *FlushError means the row was buffered
// but a flush of its table (triggered by this Add or earlier in the background) failed;
// the rows stay buffered for retry and the caller should slow down.
func (w *Writer) Add(ctx context.Context, rec Record, ack func(error)) error {
	t, err := w.table(rec)
	if err != nil {
		return err
	}
	row := rec.Row()
	if len(row) != len(t.columns) {
		return fmt.Errorf("add to %s: row has %d values for %d columns", t.table, len(row), len(t.columns))
	}
	t.mu.Lock()
	if len(t.rows) >= w.opts.MaxBuffered {
		last := t.lastErr
		t.mu.Unlock()
		return fmt.Errorf("add to %s: %w (%d rows; last flush: %v)", t.table, ErrBufferFull, w.opts.MaxBuffered, last)
	}
	if len(t.rows) == 0 {
		t.oldest = time.Now()
	}
	t.rows = append(t.rows, row)
	t.acks = append(t.acks, ack)
	w.gauge(t)
	err, t.pending = t.pending, nil
	var acks []func(error)
	if len(t.rows) >= w.opts.BatchSize && (t.lastErr == nil || time.Since(t.lastAttempt) >= w.opts.FlushInterval) {
		acks, err = w.flushLocked(ctx, t)
	}
	t.mu.Unlock()
	callAcks(acks, nil)
	return err
}

// table returns the buffer for rec's table, creating it on first use.
func (w *Writer) table(rec Record) (*tableBuffer, error) {
	name := rec.Table()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, fmt.Errorf("add to %s: %w", name, ErrWriterClosed)
	}
	t, ok := w.tables[name]
	if !ok {
		t = &tableBuffer{table: name, columns: slices.Clone(rec.Columns())}
		w.tables[name] = t
		return t, nil
	}
	if cols := rec.Columns(); !slices.Equal(cols, t.columns) {
		return nil, fmt.Errorf("add to %s: columns %v differ from the table's earlier rows %v", name, cols, t.columns)
	}
	return t, nil
}

// flushLocked inserts t's rows. On success it empties the buffer and returns the acks to
// call; on failure the rows stay. The caller holds t.mu.
func (w *Writer) flushLocked(ctx context.Context, t *tableBuffer) ([]func(error), error) {
	n := len(t.rows)
	if n == 0 {
		return nil, nil
	}
	start := time.Now()
	err := w.ins.Insert(ctx, t.table, t.columns, t.rows)
	t.lastAttempt = time.Now()
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
	if err != nil {
		t.lastErr = err
		return nil, &FlushError{Table: t.table, Rows: n, Err: err}
	}
	t.lastErr = nil
	acks := t.acks
	clear(t.rows) // drop references to the values
	t.rows = t.rows[:0]
	t.acks = nil
	w.gauge(t)
	return acks, nil
}

// gauge updates the buffered-rows gauge of t. The caller holds t.mu.
func (w *Writer) gauge(t *tableBuffer) {
	if m := w.opts.Metrics; m != nil {
		m.BufferedRows.WithLabelValues(t.table).Set(float64(len(t.rows)))
	}
}

// callAcks calls every non-nil ack with err.
func callAcks(acks []func(error), err error) {
	for _, a := range acks {
		if a != nil {
			a(err)
		}
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
		t.mu.Lock()
		acks, err := w.flushLocked(ctx, t)
		t.pending = nil
		t.mu.Unlock()
		callAcks(acks, nil)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// loop flushes tables whose oldest row waited FlushInterval, until ctx ends.
func (w *Writer) loop(ctx context.Context) {
	defer close(w.done)
	tick := max(w.opts.FlushInterval/4, 5*time.Millisecond)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		for _, t := range w.snapshot() {
			t.mu.Lock()
			due := len(t.rows) > 0 && time.Since(t.oldest) >= w.opts.FlushInterval &&
				(t.lastErr == nil || time.Since(t.lastAttempt) >= w.opts.FlushInterval)
			var acks []func(error)
			if due {
				fctx, cancel := context.WithTimeout(ctx, w.opts.FlushTimeout)
				var err error
				acks, err = w.flushLocked(fctx, t)
				cancel()
				if err != nil {
					t.pending = err
				}
			}
			t.mu.Unlock()
			callAcks(acks, nil)
		}
	}
}

// Close stops the interval flusher and flushes every buffered row. If that flush fails,
// Close gives up: it calls the acks of the rows left with the error and returns it.
// Further Adds return ErrWriterClosed. Close may be called more than once.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.stop()
	<-w.done
	err := w.Flush(ctx)
	if err == nil {
		return nil
	}
	for _, t := range w.snapshot() {
		t.mu.Lock()
		acks := t.acks
		lost := len(t.rows)
		t.rows, t.acks = nil, nil
		w.gauge(t)
		t.mu.Unlock()
		if lost > 0 {
			callAcks(acks, fmt.Errorf("storage: writer closed with %d unflushed rows of %s: %w", lost, t.table, err))
		}
	}
	return fmt.Errorf("close writer: %w", err)
}
