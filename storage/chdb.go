package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// ErrNoChDB reports that libchdb.so, which the embedded store needs, was not found or
// could not be loaded. The wrapping error lists the paths tried and how to install it.
var ErrNoChDB = errors.New("storage: libchdb.so not found")

// ErrEmbeddedBusy reports that this process already has an embedded store open on another
// data directory. chDB runs one engine per process, bound to one data directory.
var ErrEmbeddedBusy = errors.New("storage: embedded store already open on another data directory")

// LibraryEnv is the environment variable that names libchdb.so.
const LibraryEnv = "PANTAU_CHDB_LIB"

// chdbLib holds the bound C API of libchdb.so (the v3 "chdb_connection" API).
type chdbLib struct {
	path string

	setSignalHandlers func(enabled int32)
	connect           func(argc int32, argv **byte) unsafe.Pointer
	closeConn         func(conn unsafe.Pointer)
	queryN            func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr) unsafe.Pointer
	resultBuffer      func(res unsafe.Pointer) unsafe.Pointer
	resultLength      func(res unsafe.Pointer) uintptr
	resultError       func(res unsafe.Pointer) unsafe.Pointer
	destroyResult     func(res unsafe.Pointer)
	version           func() unsafe.Pointer

	streamInsertN func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr) unsafe.Pointer
	streamAppend  func(stream unsafe.Pointer, data *byte, n uintptr) int32
	streamDone    func(stream unsafe.Pointer) unsafe.Pointer
	streamError   func(stream unsafe.Pointer) unsafe.Pointer
	destroyStream func(stream unsafe.Pointer)
}

var (
	libMu  sync.Mutex
	libVal *chdbLib
)

// libraryCandidates lists where libchdb.so is looked for, in order.
func libraryCandidates(configured string) []string {
	var paths []string
	add := func(p string) {
		if p == "" {
			return
		}
		for _, q := range paths {
			if q == p {
				return
			}
		}
		paths = append(paths, p)
	}
	add(configured)
	add(os.Getenv(LibraryEnv))
	if abs, err := filepath.Abs(filepath.Join("lib", "libchdb.so")); err == nil {
		add(abs)
	}
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Dir(exe)
		add(filepath.Join(dir, "lib", "libchdb.so"))
		add(filepath.Join(filepath.Dir(dir), "lib", "libchdb.so"))
	}
	add("/usr/local/lib/libchdb.so")
	return paths
}

// loadChDB finds and binds libchdb.so. A configured path that does not exist is an error
// even if another candidate exists, so that a typo in the configuration is not masked.
// The library is loaded at most once per process; later calls return the first result
// unless the first call failed.
func loadChDB(configured string) (*chdbLib, error) {
	libMu.Lock()
	defer libMu.Unlock()
	if libVal != nil {
		// Only one libchdb.so can live in a process; a configured path must still exist.
		if configured != "" && configured != libVal.path {
			if _, err := os.Stat(configured); err != nil {
				return nil, fmt.Errorf("%w (tried [%s]); run `make libchdb` (or set %s to its path)", ErrNoChDB, configured, LibraryEnv)
			}
		}
		return libVal, nil
	}
	candidates := libraryCandidates(configured)
	if configured != "" {
		candidates = candidates[:1]
	}
	var tried []string
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			tried = append(tried, p)
			continue
		}
		lib, err := bindChDB(p)
		if err != nil {
			return nil, fmt.Errorf("%w: load %s: %v; run `make libchdb` (or set %s)", ErrNoChDB, p, err, LibraryEnv)
		}
		libVal = lib
		return lib, nil
	}
	return nil, fmt.Errorf("%w (tried %v); run `make libchdb` (or set %s to its path)", ErrNoChDB, tried, LibraryEnv)
}

// bindChDB opens the library at path and binds the functions the store uses.
func bindChDB(path string) (*chdbLib, error) {
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, err
	}
	lib := &chdbLib{path: path}
	syms := []struct {
		name string
		fn   any
	}{
		{"chdb_set_signal_handlers_enabled", &lib.setSignalHandlers},
		{"chdb_connect", &lib.connect},
		{"chdb_close_conn", &lib.closeConn},
		{"chdb_query_n", &lib.queryN},
		{"chdb_result_buffer", &lib.resultBuffer},
		{"chdb_result_length", &lib.resultLength},
		{"chdb_result_error", &lib.resultError},
		{"chdb_destroy_query_result", &lib.destroyResult},
		{"chdb_version", &lib.version},
		{"chdb_stream_insert_n", &lib.streamInsertN},
		{"chdb_stream_append", &lib.streamAppend},
		{"chdb_stream_done", &lib.streamDone},
		{"chdb_stream_insert_error", &lib.streamError},
		{"chdb_destroy_insert_stream", &lib.destroyStream},
	}
	for _, s := range syms {
		addr, err := purego.Dlsym(h, s.name)
		if err != nil {
			return nil, fmt.Errorf("symbol %s: %w (library too old?)", s.name, err)
		}
		purego.RegisterFunc(s.fn, addr)
	}
	// The Go runtime owns the process's signals; chDB must not install its own handlers.
	lib.setSignalHandlers(0)
	return lib, nil
}

// libVersion returns the library's version string.
func (l *chdbLib) libVersion() string { return goString(l.version()) }

// chdbConn is one connection of the embedded engine.
type chdbConn struct {
	lib  *chdbLib
	conn unsafe.Pointer // chdb_connection* as returned by chdb_connect
}

// connectChDB opens a connection with the given command-line style arguments
// (e.g. "--path=DIR", "--readonly=1").
func connectChDB(lib *chdbLib, args ...string) (*chdbConn, error) {
	argv := append([]string{"pantau"}, args...)
	bufs := make([][]byte, len(argv))
	ptrs := make([]*byte, len(argv)+1)
	var pin runtime.Pinner
	defer pin.Unpin()
	for i, a := range argv {
		bufs[i] = append([]byte(a), 0)
		pin.Pin(&bufs[i][0])
		ptrs[i] = &bufs[i][0]
	}
	pin.Pin(&ptrs[0])
	c := lib.connect(int32(len(argv)), &ptrs[0])
	runtime.KeepAlive(bufs)
	if c == nil {
		return nil, errors.New("chdb_connect failed (is the data directory used by another process?)")
	}
	// chdb_connect returns a chdb_connection*; queries take the chdb_connection it points to.
	if *(*unsafe.Pointer)(c) == nil {
		lib.closeConn(c)
		return nil, errors.New("chdb_connect returned a closed connection (is the data directory used by another process?)")
	}
	return &chdbConn{lib: lib, conn: c}, nil
}

// query runs one statement and returns its output in format. The caller serializes calls.
func (c *chdbConn) query(q []byte, format string) ([]byte, error) {
	if c.conn == nil {
		return nil, errors.New("connection closed")
	}
	if len(q) == 0 {
		return nil, errors.New("empty query")
	}
	f := []byte(format)
	f = append(f, 0)
	conn := *(*unsafe.Pointer)(c.conn)
	res := c.lib.queryN(conn, &q[0], uintptr(len(q)), &f[0], uintptr(len(format)))
	runtime.KeepAlive(q)
	runtime.KeepAlive(f)
	if res == nil {
		return nil, errors.New("chdb_query returned no result")
	}
	defer c.lib.destroyResult(res)
	if e := c.lib.resultError(res); e != nil {
		if msg := goString(e); msg != "" {
			return nil, errors.New(msg)
		}
	}
	n := c.lib.resultLength(res)
	buf := c.lib.resultBuffer(res)
	if n == 0 || buf == nil {
		return nil, nil
	}
	out := make([]byte, n)
	copy(out, unsafe.Slice((*byte)(buf), n))
	return out, nil
}

// insertChunk is how much data one chdb_stream_append call hands over; chDB copies each
// chunk, so this bounds the extra memory an insert takes inside the engine.
const insertChunk = 1 << 20

// insert runs query, an INSERT without FORMAT clause, with data in format through chDB's
// streaming insert, which unlike a query takes binary data. The caller serializes calls.
func (c *chdbConn) insert(query, format string, data []byte) error {
	if c.conn == nil {
		return errors.New("connection closed")
	}
	q := append([]byte(query), 0)
	f := append([]byte(format), 0)
	conn := *(*unsafe.Pointer)(c.conn)
	st := c.lib.streamInsertN(conn, &q[0], uintptr(len(query)), &f[0], uintptr(len(format)))
	runtime.KeepAlive(q)
	runtime.KeepAlive(f)
	if st == nil {
		return errors.New("chdb_stream_insert returned no stream")
	}
	defer c.lib.destroyStream(st)
	if msg := goString(c.lib.streamError(st)); msg != "" {
		return errors.New(msg)
	}
	for len(data) > 0 {
		n := min(len(data), insertChunk)
		if c.lib.streamAppend(st, &data[0], uintptr(n)) != 0 {
			// chdb_stream_done reports why the stream failed.
			break
		}
		data = data[n:]
	}
	res := c.lib.streamDone(st)
	if res == nil {
		return errors.New("chdb_stream_done returned no result")
	}
	defer c.lib.destroyResult(res)
	if msg := goString(c.lib.resultError(res)); msg != "" {
		return errors.New(msg)
	}
	if msg := goString(c.lib.streamError(st)); msg != "" {
		return errors.New(msg)
	}
	if len(data) > 0 {
		return fmt.Errorf("chdb_stream_append failed with %d bytes left", len(data))
	}
	return nil
}

// close closes the connection; it is safe to call twice.
func (c *chdbConn) close() {
	if c.conn != nil {
		c.lib.closeConn(c.conn)
		c.conn = nil
	}
}

// goString copies the NUL-terminated C string at p.
func goString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}
