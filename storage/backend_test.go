package storage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// backend opens a fresh, empty store of one kind for a test.
type backend struct {
	name string
	open func(tb testing.TB) Store
}

// unavailable skips the test, or fails it when CI=true: CI must run every backend.
func unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: every backend must be available)")
	}
	tb.Skip(msg)
}

// serverAddr is the ClickHouse server the tests use.
func serverAddr() string {
	if a := os.Getenv("CLICKHOUSE_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:9000"
}

// testLibrary returns the libchdb.so the tests use: PANTAU_CHDB_LIB, else the
// repository's lib/libchdb.so.
func testLibrary() string {
	if p := os.Getenv(LibraryEnv); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join("..", "lib", "libchdb.so"))
	return p
}

// openServerTest opens the test server in a database of its own, dropped at cleanup.
func openServerTest(tb testing.TB) Store {
	tb.Helper()
	addr := serverAddr()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		unavailable(tb, "clickhouse server at %s unavailable: %v", addr, err)
	}
	_ = c.Close()
	db := fmt.Sprintf("pantau_test_%d_%d", time.Now().UnixNano(), rand.IntN(1<<30))
	ctx := context.Background()
	s, err := Open(ctx, config.Storage{DSN: "clickhouse://" + addr + "/" + db}, nil)
	if err != nil {
		tb.Fatalf("open server: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+quoteIdent(db)); err != nil {
			tb.Errorf("drop %s: %v", db, err)
		}
		_ = s.Close()
	})
	return s
}

// openEmbeddedTest opens the embedded engine in a fresh directory, closed at cleanup.
// Embedded tests run one at a time: chDB has one engine per process.
func openEmbeddedTest(tb testing.TB) Store {
	tb.Helper()
	lib := testLibrary()
	if _, err := os.Stat(lib); err != nil {
		unavailable(tb, "libchdb.so unavailable at %s (run `make libchdb`): %v", lib, err)
	}
	return openEmbeddedAt(tb, tb.TempDir())
}

// openEmbeddedAt opens the embedded engine in dir, closed at cleanup.
func openEmbeddedAt(tb testing.TB, dir string) Store {
	tb.Helper()
	s, err := Open(context.Background(), config.Storage{DataDir: dir, ChDBLibrary: testLibrary()}, nil)
	if err != nil {
		tb.Fatalf("open embedded: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

var backends = []backend{
	{name: KindServer, open: openServerTest},
	{name: KindEmbedded, open: openEmbeddedTest},
}

// forEachBackend runs fn as a sub-test per backend, with a fresh store.
func forEachBackend(t *testing.T, fn func(t *testing.T, s Store)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			fn(t, b.open(t))
		})
	}
}

// migrated returns s after migrating it.
func migrated(t testing.TB, s Store) Store {
	t.Helper()
	if _, err := Migrate(context.Background(), s, MigrateOptions{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// count returns the single number sql selects.
func count(t testing.TB, s Store, sql string) uint64 {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		t.Fatalf("%s: got %v", sql, res.Rows)
	}
	n, ok := res.Rows[0][0].(uint64)
	if !ok {
		t.Fatalf("%s: got %T %v", sql, res.Rows[0][0], res.Rows[0][0])
	}
	return n
}

func TestMissingLibrary(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope", "libchdb.so")
	_, err := Open(context.Background(), config.Storage{DataDir: t.TempDir(), ChDBLibrary: missing}, nil)
	if !errors.Is(err, ErrNoChDB) {
		t.Fatalf("err = %v, want ErrNoChDB", err)
	}
	for _, want := range []string{missing, "make libchdb", LibraryEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestLibraryCandidates(t *testing.T) {
	t.Setenv(LibraryEnv, "/env/libchdb.so")
	got := libraryCandidates("/cfg/libchdb.so")
	cwd, _ := filepath.Abs(filepath.Join("lib", "libchdb.so"))
	want := []string{"/cfg/libchdb.so", "/env/libchdb.so", cwd}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Fatalf("candidates = %v, want prefix %v", got, want)
		}
	}
	if got[len(got)-1] != "/usr/local/lib/libchdb.so" {
		t.Errorf("last candidate = %s, want /usr/local/lib/libchdb.so", got[len(got)-1])
	}
}

func TestEmbeddedOneDirectoryPerProcess(t *testing.T) {
	s := openEmbeddedTest(t)
	_ = s
	_, err := Open(context.Background(), config.Storage{DataDir: t.TempDir(), ChDBLibrary: testLibrary()}, nil)
	if !errors.Is(err, ErrEmbeddedBusy) {
		t.Fatalf("second directory: err = %v, want ErrEmbeddedBusy", err)
	}
}

func TestEmbeddedPersists(t *testing.T) {
	dir := t.TempDir()
	lib := testLibrary()
	if _, err := os.Stat(lib); err != nil {
		unavailable(t, "libchdb.so unavailable at %s: %v", lib, err)
	}
	ctx := context.Background()
	s := migrated(t, openEmbeddedAt(t, dir))
	a := Article{CanonicalURL: "https://example.id/a", Title: "a"}
	if err := InsertRows(ctx, s, a); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openEmbeddedAt(t, dir)
	if n := count(t, s, "SELECT count() FROM articles"); n != 1 {
		t.Fatalf("after reopen: %d articles, want 1", n)
	}
	applied, err := Migrate(ctx, s, MigrateOptions{})
	if err != nil || len(applied) != 0 {
		t.Fatalf("migrate after reopen: applied %v, err %v", applied, err)
	}
}

// childDirEnv makes the test binary act as a second process opening a data directory.
const childDirEnv = "PANTAU_TEST_CHILD_DATA_DIR"

func TestEmbeddedDirectoryOfAnotherProcess(t *testing.T) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		s, err := Open(context.Background(), config.Storage{DataDir: dir, ChDBLibrary: testLibrary()}, nil)
		if err == nil {
			_ = s.Close()
			fmt.Println("CHILD: opened")
			return
		}
		fmt.Println("CHILD: refused:", err)
		return
	}
	dir := t.TempDir()
	s := openEmbeddedTest(t) // skips without the library
	_ = s.Close()
	openEmbeddedAt(t, dir)
	cmd := exec.Command(os.Args[0], "-test.run", "^TestEmbeddedDirectoryOfAnotherProcess$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "CHILD: refused:") || !strings.Contains(string(out), "another process") {
		t.Errorf("second process was not refused the data directory:\n%s", out)
	}
}
