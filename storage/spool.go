package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ClickHouse/ch-go/proto"

	"github.com/pantau-id/pantau/ack"
)

// The spool is a directory of files, each holding rows of one table that the writer could
// not insert during a ClickHouse outage. A file is written to a temporary name, synced and
// renamed into place before the writer acknowledges its rows, and deleted only after the
// store confirmed its rows when they are replayed.
//
// A spool file is
//
//	magic "PNTSPOOL", format version (one byte, spoolVersion)
//	body: table (uvarint length and bytes), the rows as one block in ClickHouse's Native format
//	trailer: body length (uint64, little endian), CRC-32C of the body (uint32, little endian)
//
// The block is what the writer inserts (see Block), so a replayed row holds exactly what
// was spooled. A file cut short by a crash or damaged later fails the length or checksum
// test and is set aside, never half-replayed. Files of the first format ("PNTSPL01",
// written by earlier releases) are still read: see spool_v1.go.

// spoolMagic opens every spool file; the format version follows it.
const spoolMagic = "PNTSPOOL"

// spoolVersion is the format version this Pantau writes.
const spoolVersion byte = 2

// spoolTrailerSize is the size of the body length and checksum closing a spool file.
const spoolTrailerSize = 12

// Spool file name suffixes: complete files, files being written, files set aside.
const (
	spoolExt    = ".spool"
	spoolTmpExt = ".tmp"
	spoolBadExt = ".bad"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errSpoolFull reports that a spool file would take the spool past its byte cap.
var errSpoolFull = errors.New("spool full")

// ErrSpooled is the error a row's ack gets when the Writer closed with the row in a spool
// file that ClickHouse has not confirmed yet: the row is safe on disk and the next Writer
// on the folder inserts it, but it is not stored, so its source should not advance past it.
var ErrSpooled = errors.New("storage: rows wait in the spool, not yet confirmed by ClickHouse")

// errSpoolCorrupt reports a spool file whose framing, checksum or values are wrong.
var errSpoolCorrupt = errors.New("torn or corrupt spool file")

// SpoolFileError reports a spool file that could not be read. The writer moves such a file
// aside and goes on with the others; the operator decides what to do with it.
type SpoolFileError struct {
	Path  string // the spool file
	Aside string // where it was moved; empty when moving it failed too
	Err   error
}

// Error names the file and where it went.
func (e *SpoolFileError) Error() string {
	if e.Aside == "" {
		return fmt.Sprintf("spool file %s: %v (could not be moved aside)", e.Path, e.Err)
	}
	return fmt.Sprintf("spool file %s: %v; moved aside to %s", e.Path, e.Err, e.Aside)
}

// Unwrap returns the read error.
func (e *SpoolFileError) Unwrap() error { return e.Err }

// spoolFile is one complete file in the spool.
type spoolFile struct {
	name  string // base name; names sort oldest first
	table string
	rows  int
	size  int64
}

// spool is the writer's directory of spool files. It is safe for concurrent use.
type spool struct {
	dir      string
	maxBytes int64
	metrics  *Metrics

	writeMu  sync.Mutex // one file written at a time, so the byte cap holds
	replayMu sync.Mutex // one replay at a time, so no file is inserted twice

	mu       sync.Mutex // guards the fields below
	lock     *os.File   // the folder's lock file, held from the first use until close
	scanned  bool       // dir was listed; until then nothing is written
	files    []spoolFile
	bytes    int64
	seq      uint64  // sequence number of the next file
	problems []error // found by scan, not yet reported by a replay
	// held are the acks of the rows of each file this process spooled, by file name:
	// they are called once ClickHouse confirmed the file's replay, never earlier.
	held map[string][]*ack.Group
	// refusals holds, by file name, how often ClickHouse refused the file while it took other
	// rows, and when to try it again.
	refusals map[string]refusal
	now      func() time.Time
}

// refusal is a spool file's record of refusals.
type refusal struct {
	n     int
	retry time.Time // the file is skipped, without holding up the files behind it, until then
}

// Backoff of a refused spool file: doubling from refuseBackoffMin, at most refuseBackoffMax.
// A file is never given up: a table detached or a schema change in progress refuses rows for a
// while, and the rows are only lost if an operator moves the file out of the folder.
var (
	refuseBackoffMin = 10 * time.Second
	refuseBackoffMax = 15 * time.Minute
)

// refuseBackoff returns the wait after the n-th refusal.
func refuseBackoff(n int) time.Duration {
	d := refuseBackoffMin
	for i := 1; i < n && d < refuseBackoffMax; i++ {
		d *= 2
	}
	return min(d, refuseBackoffMax)
}

func newSpool(dir string, maxBytes int64, m *Metrics) *spool {
	return &spool{dir: dir, maxBytes: maxBytes, metrics: m, now: time.Now}
}

// scan lists the directory once: it deletes files a crash left half written (their rows
// were never acknowledged), reads the header of every spool file and moves aside the files
// whose header cannot be read, keeping their errors for the next replay to report. It
// fails when the directory cannot be listed, and is then tried again on the next call. A
// missing directory is an empty spool; write creates it.
func (s *spool) scan() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scanned {
		return nil
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("list spool %s: %w", s.dir, err)
	}
	if err == nil {
		if err := s.lockLocked(); err != nil {
			return err
		}
	}
	for _, e := range entries {
		name := e.Name()
		// Numbers of files set aside are not reused either, so no name is ever taken twice.
		s.seq = max(s.seq, spoolSeq(name)+1)
		switch {
		case e.IsDir():
		case strings.HasSuffix(name, spoolTmpExt):
			if err := os.Remove(s.path(name)); err != nil {
				s.problems = append(s.problems, fmt.Errorf("remove unfinished spool file: %w", err))
			}
		case strings.HasSuffix(name, spoolExt):
			f, err := readSpoolHeader(s.path(name))
			if err != nil {
				s.problems = append(s.problems, s.setAside(name, spoolTable(name), err))
				continue
			}
			f.name = name
			s.files = append(s.files, f)
			s.bytes += f.size
		}
	}
	slices.SortFunc(s.files, func(a, b spoolFile) int { return strings.Compare(a.name, b.name) })
	s.scanned = true
	s.gaugeAllLocked()
	return nil
}

// write stores rows of table in a new spool file and returns once the file is durable:
// synced, renamed into place and its directory synced. It fails with errSpoolFull when the
// file would take the spool past its cap, leaving nothing behind.
func (s *spool) write(b *Block) (spoolFile, error) {
	table, rows := b.Table, b.Rows()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.scan(); err != nil {
		return spoolFile{}, fmt.Errorf("spool %d rows of %s: %w", rows, table, err)
	}
	s.mu.Lock()
	room := s.maxBytes - s.bytes
	name := fmt.Sprintf("%020d-%s%s", s.seq, fileSafe(table), spoolExt)
	s.seq++
	s.mu.Unlock()
	if room <= int64(len(spoolMagic)+1+spoolTrailerSize) {
		return spoolFile{}, fmt.Errorf("spool %d rows of %s: %w (%d bytes)", rows, table, errSpoolFull, s.maxBytes)
	}
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return spoolFile{}, fmt.Errorf("spool %d rows of %s: %w", rows, table, err)
	}
	s.mu.Lock()
	err := s.lockLocked()
	s.mu.Unlock()
	if err != nil {
		return spoolFile{}, fmt.Errorf("spool %d rows of %s: %w", rows, table, err)
	}
	size, err := writeSpoolFile(s.dir, name, room, b)
	if err != nil {
		return spoolFile{}, fmt.Errorf("spool %d rows of %s: %w", rows, table, err)
	}
	f := spoolFile{name: name, table: table, rows: rows, size: size}
	s.mu.Lock()
	s.files = append(s.files, f)
	s.bytes += size
	s.gaugeLocked(table)
	s.mu.Unlock()
	return f, nil
}

// lockName is the lock file in a spool folder; it keeps a second process out.
const lockName = ".lock"

// ErrSpoolInUse reports a spool folder another process holds: two writers on one folder
// would replay each other's files.
var ErrSpoolInUse = errors.New("storage: spool folder in use by another process")

// lockLocked takes the folder's lock, once, without waiting. The caller holds s.mu.
func (s *spool) lockLocked() error {
	if s.lock != nil {
		return nil
	}
	f, err := os.OpenFile(s.path(lockName), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return fmt.Errorf("lock spool %s: %w", s.dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("spool %s: %w; give every instance its own storage.spool_dir", s.dir, ErrSpoolInUse)
		}
		return fmt.Errorf("lock spool %s: %w", s.dir, err)
	}
	s.lock = f
	return nil
}

// close lets another process use the folder.
func (s *spool) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock != nil {
		s.lock.Close() // closing the file releases the lock
		s.lock = nil
	}
}

// path returns the path of the spool file named name.
func (s *spool) path(name string) string { return filepath.Join(s.dir, name) }

// replayResult is the outcome of one replay.
type replayResult struct {
	rows      int     // rows the store confirmed
	bad       []error // files moved aside (*SpoolFileError), files not deleted
	refused   []error // files the store refused while it took other rows, kept for now
	insertErr error   // the insert (or listing) that stopped the replay
}

// replay inserts the spool files through ins, oldest first, each within timeout, and
// deletes each file once the store confirmed it. A file that cannot be read is moved aside
// and the others go on. After a failed insert the replay tries the next file: if the store
// takes that one, the failed file was refused on its own merits and the replay goes on;
// if not, or if no file is left, the replay stops, since the store is not taking rows.
// storeTakesRows says that the store confirmed other rows since the last replay, which
// also makes a lone failing file a refusal. A refused file is skipped, without holding up
// the files behind it, until its backoff (refuseBackoff) runs out, then tried again. A file an
// operator removed from the folder is forgotten, its rows' acks told so. With a non-zero
// deadline no new file is started after it.
func (s *spool) replay(ctx context.Context, ins Inserter, timeout time.Duration, deadline time.Time, storeTakesRows bool) replayResult {
	s.replayMu.Lock()
	defer s.replayMu.Unlock()
	var res replayResult
	if err := s.scan(); err != nil {
		res.insertErr = err
		return res
	}
	s.mu.Lock()
	files := slices.Clone(s.files)
	res.bad, s.problems = s.problems, nil
	s.mu.Unlock()
	var failed *spoolFile // the file whose insert failed, until the next insert tells why
	var failedErr error
	for _, f := range files {
		if ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			break
		}
		s.mu.Lock()
		r, refused := s.refusals[f.name]
		s.mu.Unlock()
		if refused && s.now().Before(r.retry) {
			continue
		}
		b, err := readSpoolFile(s.path(f.name))
		if errors.Is(err, fs.ErrNotExist) {
			res.bad = append(res.bad, s.removed(f))
			continue
		}
		if err != nil {
			res.bad = append(res.bad, s.discard(f, err))
			continue
		}
		ictx, cancel := context.WithTimeout(ctx, timeout)
		err = ins.Insert(ictx, b)
		cancel()
		table, rows := b.Table, b.Rows()
		if err != nil {
			if m := s.metrics; m != nil {
				m.FlushErrors.WithLabelValues(table).Inc()
			}
			err = fmt.Errorf("replay spool file %s (%d rows of %s): %w", s.path(f.name), rows, table, err)
			if unreachable(err) {
				res.insertErr = err // the server is down, whatever took rows before: no refusal
				failed = nil
				break
			}
			if failed != nil {
				break // a second failure in a row: the store is not taking rows
			}
			failed, failedErr, res.insertErr = &f, err, err
			continue
		}
		if failed != nil {
			s.refuse(&res, *failed, failedErr)
			failed, res.insertErr = nil, nil
		}
		res.rows += rows
		if m := s.metrics; m != nil {
			m.RowsWritten.WithLabelValues(table).Add(float64(rows))
			m.SpoolReplayedRows.WithLabelValues(table).Add(float64(rows))
		}
		s.mu.Lock()
		// A file that cannot be deleted is still forgotten, so that this process does not
		// insert it again; a restart replays it once more, and the ReplacingMergeTree
		// tables absorb the repeat.
		if err := os.Remove(s.path(f.name)); err != nil {
			res.bad = append(res.bad, fmt.Errorf("delete replayed spool file: %w", err))
		}
		acks := s.forgetLocked(f)
		s.mu.Unlock()
		ack.Each(acks, nil)
	}
	if failed != nil && storeTakesRows {
		s.refuse(&res, *failed, failedErr)
		res.insertErr = nil
	}
	return res
}

// unreachable reports an error that says the store could not be reached (connection refused
// or reset, a dial or read failing, a timeout) rather than that it refused the rows.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || serverUnavailable(err)
}

// refuse counts a refusal of f by a store that takes other rows and sets when f is tried
// again.
func (s *spool) refuse(res *replayResult, f spoolFile, err error) {
	s.mu.Lock()
	if s.refusals == nil {
		s.refusals = map[string]refusal{}
	}
	r := s.refusals[f.name]
	r.n++
	wait := refuseBackoff(r.n)
	r.retry = s.now().Add(wait)
	s.refusals[f.name] = r
	s.mu.Unlock()
	if m := s.metrics; m != nil {
		m.SpoolRefusals.WithLabelValues(f.table).Inc()
	}
	res.refused = append(res.refused, fmt.Errorf("refused %d times while ClickHouse takes other rows, tried again in %s (move the file out of the folder to give it up): %w", r.n, wait, err))
}

// removed forgets f, which is no longer in the folder (an operator moved it), and calls the
// acks held for its rows with an error that says so, which it returns.
func (s *spool) removed(f spoolFile) error {
	s.mu.Lock()
	acks := s.forgetLocked(f)
	s.mu.Unlock()
	err := &SpoolFileError{Path: s.path(f.name), Err: errors.New("removed from the spool folder before ClickHouse took it; its rows are not stored")}
	ack.Each(acks, err)
	return err
}

// discard moves f aside for err, forgets it and calls the acks held for its rows with the
// resulting *SpoolFileError, which it returns.
func (s *spool) discard(f spoolFile, err error) error {
	s.mu.Lock()
	bad := s.setAside(f.name, f.table, err)
	acks := s.forgetLocked(f)
	s.mu.Unlock()
	ack.Each(acks, bad)
	return bad
}

// hold keeps the acks of the rows spooled to the file name until its replay.
func (s *spool) hold(name string, acks []*ack.Group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string][]*ack.Group{}
	}
	s.held[name] = acks
}

// release calls every held ack with an error wrapping ErrSpooled that names its file:
// the rows wait on disk, unconfirmed, for a later process to replay them.
func (s *spool) release() {
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	for name, acks := range held {
		ack.Each(acks, fmt.Errorf("%w: %s", ErrSpooled, s.path(name)))
	}
}

// waiting returns the rows of each table waiting in the spool's files.
func (s *spool) waiting() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, f := range s.files {
		out[f.table] += f.rows
	}
	return out
}

// empty reports whether the spool holds no files. It is false until the folder was
// listed, so that the first replay lists it.
func (s *spool) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scanned && len(s.files) == 0
}

// setAside renames the unreadable file name to name.bad, counts it and returns the
// *SpoolFileError describing it. The caller holds s.mu.
func (s *spool) setAside(name, table string, err error) error {
	if m := s.metrics; m != nil {
		m.SpoolErrors.WithLabelValues(table).Inc()
	}
	fe := &SpoolFileError{Path: s.path(name), Err: err}
	if rerr := os.Rename(fe.Path, fe.Path+spoolBadExt); rerr == nil {
		fe.Aside = fe.Path + spoolBadExt
	}
	return fe
}

// forgetLocked forgets f, replayed or moved aside, and returns the acks held for its rows.
// The caller holds s.mu.
func (s *spool) forgetLocked(f spoolFile) []*ack.Group {
	acks := s.held[f.name]
	delete(s.held, f.name)
	delete(s.refusals, f.name)
	if i := slices.IndexFunc(s.files, func(g spoolFile) bool { return g.name == f.name }); i >= 0 {
		s.files = slices.Delete(s.files, i, i+1)
		s.bytes -= f.size
		s.gaugeLocked(f.table)
	}
	return acks
}

// gaugeLocked sets the spool gauges of table. The caller holds s.mu.
func (s *spool) gaugeLocked(table string) {
	m := s.metrics
	if m == nil {
		return
	}
	var rows, size int64
	for _, f := range s.files {
		if f.table == table {
			rows += int64(f.rows)
			size += f.size
		}
	}
	m.SpoolRows.WithLabelValues(table).Set(float64(rows))
	m.SpoolBytes.WithLabelValues(table).Set(float64(size))
}

// gaugeAllLocked sets the spool gauges of every table with files. The caller holds s.mu.
func (s *spool) gaugeAllLocked() {
	seen := map[string]bool{}
	for _, f := range s.files {
		if !seen[f.table] {
			seen[f.table] = true
			s.gaugeLocked(f.table)
		}
	}
}

// spoolSeq returns the sequence number a spool file name starts with, 0 if none.
func spoolSeq(name string) uint64 {
	digits, _, _ := strings.Cut(name, "-")
	n, _ := strconv.ParseUint(digits, 10, 64)
	return n
}

// spoolTable returns the table part of a spool file name, for metrics about a file whose
// header cannot be read.
func spoolTable(name string) string {
	_, rest, _ := strings.Cut(strings.TrimSuffix(name, spoolExt), "-")
	return rest
}

// fileSafe returns table with every byte outside [A-Za-z0-9_] replaced by '_'. The name
// only helps people browsing the folder: the file itself holds the table name.
func fileSafe(table string) string {
	b := []byte(table)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// writeSpoolFile writes b to dir/name atomically and durably and returns the file's size.
// It fails with errSpoolFull, writing nothing, when the file would take more than limit
// bytes.
func writeSpoolFile(dir, name string, limit int64, b *Block) (size int64, err error) {
	var body proto.Buffer
	body.PutString(b.Table)
	if err := b.appendNative(&body); err != nil {
		return 0, err
	}
	size = int64(len(spoolMagic) + 1 + len(body.Buf) + spoolTrailerSize)
	if size > limit {
		return 0, errSpoolFull
	}
	tmp := filepath.Join(dir, name+spoolTmpExt)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	trailer := binary.LittleEndian.AppendUint64(nil, uint64(len(body.Buf)))
	trailer = binary.LittleEndian.AppendUint32(trailer, crc32.Checksum(body.Buf, castagnoli))
	for _, part := range [][]byte{append([]byte(spoolMagic), spoolVersion), body.Buf, trailer} {
		if _, err := f.Write(part); err != nil {
			return 0, err
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return 0, err
	}
	return size, syncDir(dir)
}

// syncDir makes the entries of dir (a rename into it) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// spoolHead checks the magic and format version opening a spool file and returns the
// version and the bytes after them.
func spoolHead(data []byte) (version byte, rest []byte, err error) {
	switch {
	case bytes.HasPrefix(data, []byte(spoolMagicV1)):
		return 1, data[len(spoolMagicV1):], nil
	case len(data) > len(spoolMagic) && bytes.HasPrefix(data, []byte(spoolMagic)):
		if v := data[len(spoolMagic)]; v != spoolVersion {
			return 0, nil, fmt.Errorf("%w: format version %d, this Pantau reads 1 and %d", errSpoolCorrupt, v, spoolVersion)
		}
		return spoolVersion, data[len(spoolMagic)+1:], nil
	}
	return 0, nil, fmt.Errorf("%w: not a spool file (starts %q)", errSpoolCorrupt, data[:min(len(data), len(spoolMagic))])
}

// readSpoolHeader reads the table and row count of the spool file at path, and its size,
// without reading the rows.
func readSpoolHeader(path string) (spoolFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return spoolFile{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return spoolFile{}, err
	}
	if st.Size() < int64(len(spoolMagicV1)+spoolTrailerSize) {
		return spoolFile{}, fmt.Errorf("%w: %d bytes", errSpoolCorrupt, st.Size())
	}
	head := make([]byte, min(st.Size()-spoolTrailerSize, 64<<10))
	if _, err := io.ReadFull(f, head); err != nil {
		return spoolFile{}, err
	}
	version, rest, err := spoolHead(head)
	if err != nil {
		return spoolFile{}, err
	}
	d := spoolDecoder{b: rest}
	var table string
	if version == 1 {
		table, _ = d.header()
	} else {
		table = d.string()
		d.uvarint() // the block's column count
	}
	rows := d.count(0)
	if d.err == nil && table == "" {
		d.fail("no table")
	}
	if d.err != nil {
		return spoolFile{}, d.err
	}
	return spoolFile{table: table, rows: rows, size: st.Size()}, nil
}

// readSpoolFile reads and checks the spool file at path.
func readSpoolFile(path string) (*Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	version, rest, err := spoolHead(data)
	if err != nil {
		return nil, err
	}
	if len(rest) < spoolTrailerSize {
		return nil, fmt.Errorf("%w: %d bytes", errSpoolCorrupt, len(data))
	}
	body, trailer := rest[:len(rest)-spoolTrailerSize], rest[len(rest)-spoolTrailerSize:]
	if n := binary.LittleEndian.Uint64(trailer); n != uint64(len(body)) {
		return nil, fmt.Errorf("%w: body of %d bytes, trailer says %d", errSpoolCorrupt, len(body), n)
	}
	if sum := crc32.Checksum(body, castagnoli); sum != binary.LittleEndian.Uint32(trailer[8:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errSpoolCorrupt)
	}
	if version == 1 {
		return decodeSpoolV1(body)
	}
	d := spoolDecoder{b: body}
	table := d.string()
	if d.err == nil && table == "" {
		d.fail("no table")
	}
	if d.err != nil {
		return nil, d.err
	}
	b, err := decodeNative(table, d.b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errSpoolCorrupt, err)
	}
	return b, nil
}

// spoolDecoder reads a spool body. The first problem is kept in err; after it every read
// returns zero values.
type spoolDecoder struct {
	b   []byte
	err error
}

func (d *spoolDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errSpoolCorrupt, fmt.Sprintf(format, args...))
	}
	d.b = nil
}

// count reads a number of items each taking at least minSize bytes, checking that the
// rest of the body can hold them.
func (d *spoolDecoder) count(minSize int) int {
	n := d.uvarint()
	if minSize > 0 && n > uint64(len(d.b)/minSize) {
		d.fail("count %d exceeds the %d bytes left", n, len(d.b))
		return 0
	}
	if n > math.MaxInt32 {
		d.fail("count %d too large", n)
		return 0
	}
	return int(n)
}

func (d *spoolDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad unsigned number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *spoolDecoder) bytes(n int) []byte {
	if n > len(d.b) {
		d.fail("%d bytes wanted, %d left", n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// lenBytes reads a uvarint length and that many bytes, without copying them.
func (d *spoolDecoder) lenBytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("%d bytes wanted, %d left", n, len(d.b))
		return nil
	}
	return d.bytes(int(n))
}

func (d *spoolDecoder) string() string { return string(d.lenBytes()) }
