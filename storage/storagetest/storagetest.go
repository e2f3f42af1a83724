// Package storagetest gives tests outside the storage package fresh, real ClickHouse
// stores: the embedded engine in a temporary folder and a database of its own on the
// server at CLICKHOUSE_ADDR (default 127.0.0.1:9000). A backend that is missing skips the
// test with the reason, except under CI=true, where every backend must be there.
package storagetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// Unavailable skips the test for want of something it needs, or fails it when CI=true.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: it must be available)")
	}
	tb.Skip(msg)
}

// Library returns the libchdb.so tests use: PANTAU_CHDB_LIB, else lib/libchdb.so in the
// module's root folder (found by walking up to go.mod).
func Library() string {
	if p := os.Getenv(storage.LibraryEnv); p != "" {
		return p
	}
	return filepath.Join(moduleRoot(), "lib", "libchdb.so")
}

// EmbeddedConfig returns the storage configuration of a fresh embedded store.
func EmbeddedConfig(tb testing.TB) config.Storage {
	tb.Helper()
	lib := Library()
	if _, err := os.Stat(lib); err != nil {
		Unavailable(tb, "embedded store: libchdb.so unavailable (run make libchdb): %v", err)
	}
	return config.Storage{DataDir: tb.TempDir(), ChDBLibrary: lib}
}

// ServerConfig returns the storage configuration of a fresh database on the test server;
// the database is dropped when the test ends.
func ServerConfig(tb testing.TB) config.Storage {
	tb.Helper()
	addr := os.Getenv("CLICKHOUSE_ADDR")
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		Unavailable(tb, "clickhouse server at %s unavailable: %v", addr, err)
	}
	c.Close()
	db := fmt.Sprintf("pantau_test_%d", time.Now().UnixNano())
	cfg := config.Storage{DSN: "clickhouse://" + addr + "/" + db}
	tb.Cleanup(func() {
		s, err := storage.Open(context.Background(), cfg, nil)
		if err != nil {
			tb.Errorf("drop test database %s: %v", db, err)
			return
		}
		defer s.Close()
		if err := s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db); err != nil {
			tb.Errorf("drop test database %s: %v", db, err)
		}
	})
	return cfg
}

// Open opens and migrates the store cfg selects; it is closed when the test ends.
func Open(tb testing.TB, cfg config.Storage) storage.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, cfg, nil)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if _, err := storage.Migrate(ctx, s, storage.MigrateOptions{}); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

// Embedded returns a migrated embedded store in a temporary folder.
func Embedded(tb testing.TB) storage.Store { tb.Helper(); return Open(tb, EmbeddedConfig(tb)) }

// Backend names a way to get a fresh store configuration.
type Backend struct {
	Name   string
	Config func(tb testing.TB) config.Storage
}

// Backends are the embedded store and the server, in that order.
var Backends = []Backend{{"embedded", EmbeddedConfig}, {"server", ServerConfig}}
