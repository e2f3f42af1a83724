package storage

import "sync"

// Acknowledgement. Writer.Add takes the rows of one unit of work (an article's mentions,
// an article row, a fetch) with one ack func. The writer calls it exactly once, from the
// goroutine that flushed or replayed and without locks held:
//
//   - with nil once ClickHouse confirmed every one of the rows, whether a flush inserted
//     them or the replay of the spool file that held them;
//   - with an error once every row is settled and one of them was not stored: given up by
//     Close (with the flush's and the spool's errors), its spool file set aside or removed
//     from the folder (*SpoolFileError), or still waiting in the spool when the Writer
//     closed (ErrSpooled: safe on disk, replayed by the next Writer on the folder, but not
//     stored yet, so the caller must not advance past it).
//
// An Add that returns an error other than a *FlushError buffered none of the rows and
// never calls the ack. The ack must not wait for the writer: rows handed over from it
// (an article row after its mentions) are added from a goroutine of their own.

// ackGroup counts the rows of one Add that are not settled yet.
type ackGroup struct {
	mu   sync.Mutex
	left int
	err  error
	fn   func(error)
}

// newAckGroup returns the group of n rows acknowledged by fn; nil when fn is nil.
func newAckGroup(n int, fn func(error)) *ackGroup {
	if fn == nil {
		return nil
	}
	return &ackGroup{left: n, fn: fn}
}

// settle accounts for one row: stored when err is nil. The last row calls fn with the
// first error, or nil.
func (g *ackGroup) settle(err error) {
	if g == nil {
		return
	}
	g.mu.Lock()
	if g.err == nil {
		g.err = err
	}
	g.left--
	last, first := g.left == 0, g.err
	g.mu.Unlock()
	if last {
		g.fn(first)
	}
}

// settle settles each row of acks, one entry per row, with err.
func settle(acks []*ackGroup, err error) {
	for _, g := range acks {
		g.settle(err)
	}
}
