// Package ack is how Pantau acknowledges work, from ClickHouse back to the feed that
// listed an article, in the manner of Benthos' AckFunc.
//
// A unit of work (an article, its rows of one table, a fetch record) carries one Func.
// Whoever takes the unit on calls the Func exactly once, without locks held and without
// waiting for the writer:
//
//   - with nil once ClickHouse confirmed every row of the unit, whether a flush inserted
//     them or the replay of the spool file that held them;
//   - with an error once every row is settled and one of them was not stored: refused by
//     a full writer, given up when the writer closed, its spool file set aside, or still
//     waiting in the spool when the writer closed (storage.ErrSpooled: safe on disk and
//     replayed by the next start, but not stored yet).
//
// A unit made of parts settles through a Group: the writer's Add joins the rows it took
// in, the pipeline an article's mentions and then its article row, the crawler a poll's
// articles (the feed's validators advance only when every one of them was stored or
// skipped for good, so that a crash cannot hide an unstored article behind a 304).
package ack

import "sync"

// Func acknowledges one unit of work; see the package comment for when and how it is
// called. A nil Func is allowed where a field or parameter says so.
type Func func(err error)

// Group joins the acknowledgements of a unit's parts into the unit's Func: once every
// part is settled, it calls the Func once with the first error, or nil. A nil *Group
// ignores every call, for units nobody waits for.
type Group struct {
	mu   sync.Mutex
	left int
	err  error
	fn   Func
}

// NewGroup returns the group of n parts acknowledged by fn; nil when fn is nil.
func NewGroup(n int, fn Func) *Group {
	if fn == nil {
		return nil
	}
	return &Group{left: n, fn: fn}
}

// Add adds n parts to wait for. It must not be called once the group settled: a holder
// that adds parts over time keeps one part of its own until it is done adding.
func (g *Group) Add(n int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.left += n
	g.mu.Unlock()
}

// Done settles one part, stored when err is nil. The last part calls the group's Func.
func (g *Group) Done(err error) {
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

// Each settles every group of gs (one entry per row, say) with err.
func Each(gs []*Group, err error) {
	for _, g := range gs {
		g.Done(err)
	}
}
