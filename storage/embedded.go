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
// engine), serializes every call into the library, and reports ErrEmbeddedBusy when a
// store is opened on another directory while one is open.
var engine struct {
	mu   sync.Mutex
	dir  string // data directory of the open stores
	open int    // number of open embedded stores
}

// engineSem serializes calls into libchdb.so.
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

	mu     sync.Mutex // guards the fields below; taken inside engineSem
	rw     *chdbConn
	ro     *chdbConn // opened on first QueryReadOnly
	closed bool
	ver    Version
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
	conn, err := connectChDB(lib, append([]string{"--path=" + dir}, chdbSettings...)...)
	if err != nil {
		return nil, fmt.Errorf("open embedded store in %s: %w", dir, err)
	}
	engine.dir = dir
	engine.open++
	s := &embeddedStore{lib: lib, dir: dir, logger: logger, rw: conn}
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

// run runs q on the read-write or read-only connection and returns its output.
func (s *embeddedStore) run(ctx context.Context, q []byte, format string, readOnly bool) ([]byte, error) {
	if err := acquire(ctx); err != nil {
		return nil, err
	}
	defer release()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	conn := s.rw
	if readOnly {
		if s.ro == nil {
			// readonly comes last: once set, the connection may not change settings.
			args := append([]string{"--path=" + s.dir}, chdbSettings...)
			ro, err := connectChDB(s.lib, append(args, "--readonly=1")...)
			if err != nil {
				return nil, fmt.Errorf("open read-only connection: %w", err)
			}
			s.ro = ro
		}
		conn = s.ro
	}
	return conn.query(q, format)
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
	if err := acquire(ctx); err != nil {
		return fmt.Errorf("insert into %s: %w", b.Table, err)
	}
	defer release()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if err := s.rw.insert(insertPrefix(b.Table, b.names()), "Native", buf.Buf); err != nil {
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

// Close closes the store's connections; the engine keeps running for the process.
func (s *embeddedStore) Close() error {
	engineSem <- struct{}{}
	defer release()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.ro != nil {
		s.ro.close()
	}
	s.rw.close()
	engine.mu.Lock()
	engine.open--
	engine.mu.Unlock()
	return nil
}
