package storage

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// ErrEmbeddedLocked reports an embedded data directory that another process holds open,
// such as a running `pantau run`: ClickHouse lets one process use a data directory at a time.
var ErrEmbeddedLocked = errors.New("storage: embedded store in use by another process")

// dirLockedByOther reports whether another process holds dir's ClickHouse status lock, the
// exclusive flock ClickHouse (and so chDB) takes on dir/status while it runs on dir. It
// asks before chDB does, so that a locked directory is told as ErrEmbeddedLocked instead of
// the engine's own message on standard error. Only call it while this process has no
// engine on dir: flock locks conflict between open files of the same process too.
func dirLockedByOther(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "status"))
	if err != nil {
		return false // no status file: no ClickHouse ever ran here, or it cannot be read
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(fd, syscall.LOCK_UN)
	return false
}
