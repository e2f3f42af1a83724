// Package storage keeps Pantau's data in ClickHouse.
//
// It owns the schema and its migrations, the two backends (an embedded chDB engine in a
// local data directory, or a ClickHouse server over the native protocol), the batch
// writer that acknowledges rows only after ClickHouse confirmed them, and the read queries
// the pipeline needs. All product SQL runs on ClickHouse 18.16 as well as on modern
// ClickHouse and chDB; features 18.16 lacks (TTL, LowCardinality) are used only where the
// server supports them.
//
// The embedded backend loads libchdb.so only when it is opened, so a binary configured
// for a server runs without the library. chDB runs one engine per process: a process may
// have embedded stores open on one data directory at a time (ErrEmbeddedBusy otherwise),
// and chDB itself refuses a data directory another process has open.
package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
)

// Backend kinds returned by Store.Kind.
const (
	KindEmbedded = "embedded"
	KindServer   = "server"
)

// ErrClosed reports a call on a closed store.
var ErrClosed = errors.New("storage: store closed")

// Execer runs statements that return no rows.
type Execer interface {
	// Exec runs one statement. A nil error means ClickHouse executed it.
	Exec(ctx context.Context, sql string) error
}

// Querier runs queries.
type Querier interface {
	// Query runs one statement and returns all of its rows in memory.
	Query(ctx context.Context, sql string) (*Result, error)
}

// Inserter writes rows.
type Inserter interface {
	// Insert writes the rows of b into b.Table in one batch. A nil error means ClickHouse
	// confirmed the whole batch; on error none or some of the rows may have been written,
	// so callers retry the batch and rely on the ReplacingMergeTree tables to absorb
	// repeats.
	Insert(ctx context.Context, b *Block) error
}

// Store is a ClickHouse database: the embedded engine or a server.
//
// A Store is safe for concurrent use. The caller that opened it closes it, after the
// writers using it were closed. Cancelling ctx stops a call on the server backend; the
// embedded backend checks ctx before it starts a statement but cannot interrupt one.
type Store interface {
	Execer
	Querier
	Inserter
	// QueryReadOnly runs a query with ClickHouse's readonly setting, so that the server
	// itself refuses any write. Callers check user SQL with CheckReadOnly first.
	QueryReadOnly(ctx context.Context, sql string) (*Result, error)
	// ServerVersion returns the ClickHouse version behind the store.
	ServerVersion(ctx context.Context) (Version, error)
	// Kind returns KindEmbedded or KindServer.
	Kind() string
	// Close releases the store. Further calls return ErrClosed.
	Close() error
}

// Open opens the store cfg selects: a server when cfg.DSN is set, else the embedded
// engine in cfg.DataDir. It creates the server database if it is missing. It does not
// migrate the schema; call Migrate.
func Open(ctx context.Context, cfg config.Storage, logger *slog.Logger) (Store, error) {
	return open(ctx, cfg, logger, true)
}

// OpenExisting opens a store that must already exist, for commands that only read: it
// creates neither the server's database nor the embedded store's folder, and says how to
// create them when they are missing. Together with CheckSchema it lets a read command run with
// read-only rights.
func OpenExisting(ctx context.Context, cfg config.Storage, logger *slog.Logger) (Store, error) {
	return open(ctx, cfg, logger, false)
}

func open(ctx context.Context, cfg config.Storage, logger *slog.Logger, create bool) (Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DSN != "" {
		return openServer(ctx, cfg, logger, create)
	}
	if !create && cfg.DataDir != "" {
		if _, err := os.Stat(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("%w: no embedded store at %s (run pantau migrate or pantau run first): %v", ErrNotMigrated, cfg.DataDir, err)
		}
	}
	return openEmbedded(ctx, cfg, logger)
}

// Column describes one column of a Result.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // ClickHouse type, e.g. "UInt64" or "Array(String)"
}

// Result is the complete output of a query.
//
// Values are normalized the same way on both backends: signed integers are int64,
// unsigned integers uint64, Float32 float32, Float64 float64, Bool bool, strings (also
// Enum, UUID, Decimal and other textual types) string, Date and DateTime time.Time in
// UTC, NULL nil, and Array and Tuple []any of such values.
type Result struct {
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Version is a ClickHouse version such as 18.16.1 or 26.7.2.1.
type Version struct {
	Major, Minor, Patch int
	// Raw is the version as the server reported it.
	Raw string
}

// ParseVersion parses a ClickHouse version string.
func ParseVersion(s string) (Version, error) {
	v := Version{Raw: strings.TrimSpace(s)}
	parts := strings.Split(v.Raw, ".")
	if len(parts) < 2 {
		return v, fmt.Errorf("parse clickhouse version %q: want at least major.minor", s)
	}
	nums := []*int{&v.Major, &v.Minor, &v.Patch}
	for i := 0; i < len(parts) && i < len(nums); i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return v, fmt.Errorf("parse clickhouse version %q: %w", s, err)
		}
		*nums[i] = n
	}
	return v, nil
}

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	if v.Major != major {
		return v.Major > major
	}
	return v.Minor >= minor
}

// String returns the version as reported.
func (v Version) String() string { return v.Raw }

// queryVersion asks the store for its version.
func queryVersion(ctx context.Context, q Querier) (Version, error) {
	res, err := q.Query(ctx, "SELECT version()")
	if err != nil {
		return Version{}, fmt.Errorf("query version: %w", err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return Version{}, errors.New("query version: unexpected result shape")
	}
	s, _ := res.Rows[0][0].(string)
	return ParseVersion(s)
}

// quoteIdent quotes a table or column name for ClickHouse.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), "`", "\\`") + "`"
}

// insertPrefix returns "INSERT INTO `t` (`a`, `b`)".
func insertPrefix(table string, columns []string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(quoteIdent(table))
	b.WriteString(" (")
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(")")
	return b.String()
}

// epoch is what a zero time.Time is stored as: DateTime cannot hold year 1.
var epoch = time.Unix(0, 0).UTC()
