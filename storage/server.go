package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pantau-id/pantau/config"
)

// serverStore is a ClickHouse server reached over the native protocol.
type serverStore struct {
	conn    driver.Conn
	db      string
	cluster string // storage.cluster; empty for a single server
	logger  *slog.Logger
	opts    *clickhouse.Options // how conn was opened, for connections to the cluster's other servers

	peersMu sync.Mutex
	peers   map[string]*serverStore // connections to the cluster's servers, by address

	verMu sync.Mutex
	ver   Version // zero until asked successfully
}

// openServer connects to the server cfg.DSN names and creates its database if missing.
func openServer(ctx context.Context, cfg config.Storage, logger *slog.Logger, create bool) (*serverStore, error) {
	opts, err := clickhouse.ParseDSN(cfg.DSN)
	if err != nil {
		// The DSN may hold a password: do not repeat it.
		return nil, fmt.Errorf("open clickhouse server: parse dsn: %w", redactErr(err, cfg.DSN))
	}
	if opts.Protocol != clickhouse.Native {
		return nil, fmt.Errorf("open clickhouse server: only the native protocol (clickhouse://host:9000) is supported")
	}
	if pw := cfg.Password.Reveal(); pw != "" {
		opts.Auth.Password = pw
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	addr := fmt.Sprint(opts.Addr)
	if cfg.Cluster != "" {
		if opts.Settings == nil {
			opts.Settings = clickhouse.Settings{}
		}
		for k, v := range clusterSettings {
			opts.Settings[k] = v
		}
	}

	// Create the database through a connection to "default": connecting to a database
	// that does not exist fails.
	if db != "default" && create {
		boot := *opts
		boot.Auth.Database = "default"
		c, err := clickhouse.Open(&boot)
		if err != nil {
			return nil, fmt.Errorf("open clickhouse server %s: %w", addr, err)
		}
		err = createDatabase(ctx, c, db, cfg.Cluster)
		_ = c.Close()
		if err != nil {
			return nil, fmt.Errorf("open clickhouse server %s: create database %s: %w", addr, db, err)
		}
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open clickhouse server %s: %w", addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		_ = conn.Close()
		if exc := (*clickhouse.Exception)(nil); !create && errors.As(err, &exc) && exc.Code == 81 { // UNKNOWN_DATABASE
			return nil, fmt.Errorf("%w: database %s does not exist on %s (run pantau migrate first)", ErrNotMigrated, db, addr)
		}
		return nil, fmt.Errorf("open clickhouse server %s: ping: %w", addr, err)
	}
	s := &serverStore{conn: conn, db: db, cluster: cfg.Cluster, logger: logger, opts: opts}
	if v, err := s.ServerVersion(ctx); err == nil {
		logger.Debug("clickhouse server connected", "addr", addr, "database", db, "version", v.String())
	}
	return s, nil
}

// clusterSettings are the settings of every query on a cluster; the cluster's users need
// prefer_localhost_replica in their profile for Grafana too (deploy/cluster/users.xml). Over
// 18.16's protocol only numeric settings can be sent.
var clusterSettings = clickhouse.Settings{
	// An insert into a Distributed table returns once every shard it reaches has written
	// its rows, so that rows are acknowledged only once stored; a shard that is down fails
	// the insert and the writer spools the rows.
	"insert_distributed_sync": 1,
	// 18.16 fails DISTINCT over FINAL when it reads the local shard in process ("Cannot find
	// column inserted_at"); through its TCP port it answers right.
	"prefer_localhost_replica": 0,
	// ON CLUSTER DDL waits this long for every server before it fails the migration (the
	// server's default is 180 s; a loaded or restarting replica can take longer).
	"distributed_ddl_task_timeout": 300,
}

// createDatabase creates db unless the server has it; on a cluster it creates it on every
// server (ON CLUSTER waits for all of them, so it is not asked when the database is there).
func createDatabase(ctx context.Context, c driver.Conn, db, cluster string) error {
	if cluster == "" {
		return c.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(db))
	}
	var n uint64
	if err := c.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = "+quoteString(db)).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return c.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(db)+" ON CLUSTER "+quoteIdent(cluster))
}

// clusterName returns the store's cluster and database.
func (s *serverStore) clusterName() (cluster, database string) { return s.cluster, s.db }

// clusterServers returns the addresses of the cluster's servers, by shard in replica order,
// as the connected server's system.clusters lists them.
func (s *serverStore) clusterServers(ctx context.Context) ([][]string, error) {
	res, err := s.Query(ctx, "SELECT shard_num, host_address, port FROM system.clusters WHERE cluster = "+
		quoteString(s.cluster)+" ORDER BY shard_num, replica_num")
	if err != nil {
		return nil, fmt.Errorf("read servers of cluster %s: %w", s.cluster, err)
	}
	var shards [][]string
	last := uint64(0)
	for _, r := range res.Rows {
		addr := net.JoinHostPort(asString(r[1]), strconv.FormatUint(asUint(r[2]), 10))
		if n := asUint(r[0]); n != last || len(shards) == 0 {
			shards, last = append(shards, nil), n
		}
		shards[len(shards)-1] = append(shards[len(shards)-1], addr)
	}
	if len(shards) == 0 {
		return nil, fmt.Errorf("read servers of cluster %s: the server has no such cluster in system.clusters", s.cluster)
	}
	return shards, nil
}

// server returns a store on the cluster's server at addr, connected with this store's user,
// password, database and settings; it is kept for the next call while it answers, and
// closed with this store.
func (s *serverStore) server(ctx context.Context, addr string) (Store, error) {
	s.peersMu.Lock()
	defer s.peersMu.Unlock()
	if p := s.peers[addr]; p != nil {
		if p.conn.Ping(ctx) == nil {
			return p, nil
		}
		_ = p.conn.Close()
		delete(s.peers, addr)
	}
	opts := *s.opts
	opts.Addr = []string{addr}
	opts.Settings = maps.Clone(s.opts.Settings)
	conn, err := clickhouse.Open(&opts)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	p := &serverStore{conn: conn, db: s.db, cluster: s.cluster, logger: s.logger, opts: &opts}
	if s.peers == nil {
		s.peers = map[string]*serverStore{}
	}
	s.peers[addr] = p
	return p, nil
}

// redactErr returns err with the DSN's text removed, in case the parser quoted it.
func redactErr(err error, dsn string) error {
	return errors.New(strings.ReplaceAll(err.Error(), dsn, "<dsn>"))
}

// Kind returns KindServer.
func (s *serverStore) Kind() string { return KindServer }

// Exec runs one statement.
func (s *serverStore) Exec(ctx context.Context, sql string) error {
	if err := s.conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	return nil
}

// Query runs one statement and returns its rows.
func (s *serverStore) Query(ctx context.Context, sql string) (*Result, error) {
	return s.query(ctx, sql)
}

// QueryReadOnly runs a query with readonly=1.
func (s *serverStore) QueryReadOnly(ctx context.Context, sql string) (*Result, error) {
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"readonly": 1}))
	return s.query(ctx, sql)
}

func (s *serverStore) query(ctx context.Context, sql string) (*Result, error) {
	rows, err := s.conn.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	res := &Result{Columns: make([]Column, len(types))}
	dest := make([]any, len(types))
	for i, ct := range types {
		res.Columns[i] = Column{Name: ct.Name(), Type: ct.DatabaseTypeName()}
	}
	for rows.Next() {
		for i, ct := range types {
			dest[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("query: scan: %w", err)
		}
		row := make([]any, len(dest))
		for i, d := range dest {
			row[i] = normalize(reflect.ValueOf(d).Elem())
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return res, nil
}

// Insert sends b as one native batch with an explicit column list, column by column.
func (s *serverStore) Insert(ctx context.Context, b *Block) error {
	n := b.Rows()
	if n == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, insertPrefix(b.Table, b.names()))
	if err != nil {
		return fmt.Errorf("insert into %s: prepare: %w", b.Table, err)
	}
	defer func() { _ = batch.Close() }()
	for i, c := range b.Columns {
		v, err := columnValues(c.Data)
		if err == nil {
			err = batch.Column(i).Append(v)
		}
		if err != nil {
			return fmt.Errorf("insert into %s: column %s: %w", b.Table, c.Name, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert into %s: send %d rows: %w", b.Table, n, err)
	}
	return nil
}

// columnValues returns the values of c as the slice a clickhouse-go batch column appends.
// The strings of a String column are views of c's bytes, not copies: the batch column
// copies them into its own buffer when they are appended, while c is still alive, so an
// article's text is not held a third time during an insert.
func columnValues(c proto.ColInput) (any, error) {
	switch c := c.(type) {
	case *proto.ColStr:
		out := make([]string, 0, c.Rows())
		return out, c.ForEachBytes(func(_ int, b []byte) error {
			out = append(out, unsafe.String(unsafe.SliceData(b), len(b)))
			return nil
		})
	case *proto.ColArr[string]:
		out := make([][]string, c.Rows())
		for i := range out {
			out[i] = c.Row(i)
		}
		return out, nil
	case *proto.ColDateTime:
		out := make([]time.Time, len(c.Data))
		for i, d := range c.Data {
			out[i] = d.Time()
		}
		return out, nil
	case *proto.ColUInt8:
		return []uint8(*c), nil
	case *proto.ColUInt16:
		return []uint16(*c), nil
	case *proto.ColUInt32:
		return []uint32(*c), nil
	case *proto.ColUInt64:
		return []uint64(*c), nil
	case *proto.ColFloat32:
		return []float32(*c), nil
	case *proto.ColFloat64:
		return []float64(*c), nil
	}
	return nil, fmt.Errorf("column type %s is not supported", c.Type())
}

// ServerVersion returns the server's version; it is asked once.
func (s *serverStore) ServerVersion(ctx context.Context) (Version, error) {
	s.verMu.Lock()
	defer s.verMu.Unlock()
	if s.ver.Raw != "" {
		return s.ver, nil
	}
	v, err := queryVersion(ctx, s)
	if err != nil {
		return Version{}, err
	}
	s.ver = v
	return v, nil
}

// Close closes the connection pool and those to the cluster's other servers.
func (s *serverStore) Close() error {
	s.peersMu.Lock()
	for _, p := range s.peers {
		_ = p.conn.Close()
	}
	s.peers = nil
	s.peersMu.Unlock()
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("close clickhouse server: %w", err)
	}
	return nil
}
