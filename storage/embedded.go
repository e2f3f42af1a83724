package storage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/ClickHouse/ch-go/proto"

	"github.com/pantau-id/pantau/config"
)

// The embedded engine is process-wide: chDB boots one ClickHouse engine per process,
// bound to the data directory of its first connection, and only one process may use a
// data directory at a time. Pantau therefore allows embedded stores on one data
// directory at a time per process (several stores on the same directory share the
// engine), and reports ErrEmbeddedBusy when a store is opened on another directory while
// one is open. A connection runs one call at a time; chDB runs the calls of different
// connections in parallel, so a store keeps one connection for inserts, one for the other
// statements and queries, and one for read-only queries: no query waits behind an insert.
var engine struct {
	mu   sync.Mutex
	dir  string // data directory of the open stores
	open int    // number of open embedded stores
}

// engineSem serializes connecting to and disconnecting from libchdb.so.
var engineSem = make(chan struct{}, 1)

// chdbSettings are connection settings every embedded connection uses: times come back as
// Unix seconds, so that decoding needs no time zone; and an insert does not collapse the
// duplicate keys within its own block (optimize_on_insert), which more than doubled the
// cost of a batch into the ReplacingMergeTree tables. Readers already collapse repeats
// (FINAL, LIMIT 1 BY, argMax) as they must for repeats across batches and on 18.16,
// which never collapses on insert.
var chdbSettings = []string{"--date_time_output_format=unix_timestamp", "--optimize_on_insert=0"}

// embeddedStore is the chDB engine in a local data directory.
type embeddedStore struct {
	lib    *chdbLib
	dir    string
	logger *slog.Logger

	rw  lane // statements and queries
	ins lane // inserts; opened on first use
	ro  lane // QueryReadOnly (readonly=1); opened on first use

	mu     sync.Mutex // guards the fields below
	closed bool
	ver    Version
}

// lane is one connection of the engine and the semaphore that serializes its calls.
type lane struct {
	sem  chan struct{}
	conn *chdbConn
	args []string // connect arguments after the data path and chdbSettings
}

func newLane(conn *chdbConn, args ...string) lane {
	return lane{sem: make(chan struct{}, 1), conn: conn, args: args}
}

// openEmbedded loads libchdb.so and opens the engine on cfg.DataDir.
func openEmbedded(ctx context.Context, cfg config.Storage, logger *slog.Logger) (*embeddedStore, error) {
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("open embedded store: no data directory configured")
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	lib, err := loadChDB(cfg.ChDBLibrary)
	if err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	if err := acquire(ctx); err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	defer release()

	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.open > 0 && engine.dir != dir {
		return nil, fmt.Errorf("open embedded store in %s: %w (%s); one data directory per process",
			dir, ErrEmbeddedBusy, engine.dir)
	}
	if engine.dir != dir && dirLockedByOther(dir) {
		return nil, fmt.Errorf("open embedded store in %s: %w", dir, ErrEmbeddedLocked)
	}
	conn, err := connectChDB(lib, append([]string{"--path=" + dir}, chdbSettings...)...)
	if err != nil {
		if engine.dir != dir && dirLockedByOther(dir) {
			err = ErrEmbeddedLocked // taken between the check and the connection
		}
		return nil, fmt.Errorf("open embedded store in %s: %w", dir, err)
	}
	engine.dir = dir
	engine.open++
	s := &embeddedStore{lib: lib, dir: dir, logger: logger, rw: newLane(conn), ins: newLane(nil),
		// readonly comes last: once set, the connection may not change settings.
		ro: newLane(nil, "--readonly=1")}
	logger.Debug("embedded clickhouse opened", "data_dir", dir, "library", lib.path, "version", lib.libVersion())
	return s, nil
}

// acquire takes the engine semaphore or gives up when ctx ends.
func acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case engineSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release() { <-engineSem }

// call runs fn on l's connection, opening it on first use, once no other call of l runs
// or gives up when ctx ends.
func (s *embeddedStore) call(ctx context.Context, l *lane, fn func(*chdbConn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.sem }()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if l.conn == nil {
		if err := acquire(ctx); err != nil {
			return err
		}
		c, err := connectChDB(s.lib, append(append([]string{"--path=" + s.dir}, chdbSettings...), l.args...)...)
		release()
		if err != nil {
			return fmt.Errorf("open connection: %w", err)
		}
		l.conn = c
	}
	return fn(l.conn)
}

// run runs q on the read-write or read-only connection and returns its output.
func (s *embeddedStore) run(ctx context.Context, q []byte, format string, readOnly bool) (out []byte, err error) {
	l := &s.rw
	if readOnly {
		l = &s.ro
	}
	err = s.call(ctx, l, func(c *chdbConn) error {
		out, err = c.query(q, format)
		return err
	})
	return out, err
}

// Kind returns KindEmbedded.
func (s *embeddedStore) Kind() string { return KindEmbedded }

// Exec runs one statement.
func (s *embeddedStore) Exec(ctx context.Context, sql string) error {
	if _, err := s.run(ctx, []byte(sql), "TabSeparated", false); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	return nil
}

// Query runs one statement and returns its rows.
func (s *embeddedStore) Query(ctx context.Context, sql string) (*Result, error) {
	return s.query(ctx, sql, false)
}

// QueryReadOnly runs a query on a connection opened with readonly=1.
func (s *embeddedStore) QueryReadOnly(ctx context.Context, sql string) (*Result, error) {
	return s.query(ctx, sql, true)
}

func (s *embeddedStore) query(ctx context.Context, sql string, readOnly bool) (*Result, error) {
	out, err := s.run(ctx, []byte(sql), "JSONCompactEachRowWithNamesAndTypes", readOnly)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	res, err := decodeCompactResult(out)
	if err != nil {
		return nil, fmt.Errorf("query: %w (a FORMAT clause in the query is not supported: the caller formats results)", err)
	}
	return res, nil
}

// Insert streams b into its table in the Native format through chDB's streaming insert.
func (s *embeddedStore) Insert(ctx context.Context, b *Block) error {
	n := b.Rows()
	if n == 0 {
		return nil
	}
	buf := insertBufs.Get().(*proto.Buffer)
	defer func() {
		if cap(buf.Buf) <= maxPooledBuf {
			insertBufs.Put(buf)
		}
	}()
	buf.Reset()
	if err := b.appendNative(buf); err != nil {
		return fmt.Errorf("insert into %s: %d rows: %w", b.Table, n, err)
	}
	err := s.call(ctx, &s.ins, func(c *chdbConn) error {
		return c.insert(insertPrefix(b.Table, b.names()), "Native", buf.Buf)
	})
	if err != nil {
		return fmt.Errorf("insert into %s: %d rows: %w", b.Table, n, err)
	}
	return nil
}

// insertBufs recycles insert buffers; buffers that grew past maxPooledBuf are dropped.
var insertBufs = sync.Pool{New: func() any { return new(proto.Buffer) }}

const maxPooledBuf = 64 << 20

// ServerVersion returns the engine's ClickHouse version.
func (s *embeddedStore) ServerVersion(ctx context.Context) (Version, error) {
	s.mu.Lock()
	v := s.ver
	s.mu.Unlock()
	if v.Raw != "" {
		return v, nil
	}
	v, err := queryVersion(ctx, s)
	if err != nil {
		return Version{}, err
	}
	s.mu.Lock()
	s.ver = v
	s.mu.Unlock()
	return v, nil
}

// Close closes the store's connections once their calls under way returned; the engine
// keeps running for the process.
func (s *embeddedStore) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	for _, l := range []*lane{&s.ins, &s.ro, &s.rw} {
		l.sem <- struct{}{}
		if l.conn != nil {
			engineSem <- struct{}{}
			l.conn.close()
			release()
		}
		<-l.sem
	}
	engine.mu.Lock()
	engine.open--
	engine.mu.Unlock()
	return nil
}
