package crawler

import (
	"context"
	"net/url"
	"sync"
	"time"
)

// maxQueued bounds the article tasks waiting in all host queues. A poll finding more
// leaves the rest for a later poll; a backfill waits for room.
const maxQueued = 100_000

// task is one unit of work for a worker: a poll of a source, or one article to fetch.
type task struct {
	host string
	poll *source           // the source to poll, or nil for an article
	done chan<- pollResult // a poll's outcome, for Run's per-source loop; may be nil
	art  job
}

// hostQueue holds the tasks waiting for one host. Polls go before articles, so that a
// backlog of articles never delays discovery.
type hostQueue struct {
	gate            *hostState // the fetcher's state of the host, for a cheap readiness check
	polls, articles []task
	served          uint64 // dispatch sequence number of the host's last task
}

func (h *hostQueue) len() int { return len(h.polls) + len(h.articles) }

// hostQueues is the crawler's scheduler of fetches. Tasks wait in per-host queues and a
// worker takes the next task from whichever host may be contacted now (its politeness
// delay over, fewer than host_parallelism requests in flight), least recently served
// first, so that waiting for a host never holds a worker and hosts are served fairly.
// The politeness state itself (next allowed time, requests in flight, Crawl-delay) lives
// in the fetcher's gate, which also spaces a task's further requests to the same host.
type hostQueues struct {
	gate *fetcher

	mu       sync.Mutex
	hosts    map[string]*hostQueue
	queued   int // article tasks waiting
	inflight int // tasks taken and not yet done
	seq      uint64
	closed   bool
	changed  chan struct{} // closed and replaced whenever a waiter may proceed
}

func newHostQueues(gate *fetcher) *hostQueues {
	return &hostQueues{gate: gate, hosts: make(map[string]*hostQueue), changed: make(chan struct{})}
}

// taskHost returns the politeness key of rawURL's host, or "" if it has none.
func taskHost(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return hostKey(u)
}

// notifyLocked wakes every waiter.
func (q *hostQueues) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

func (q *hostQueues) queueLocked(key string) *hostQueue {
	h := q.hosts[key]
	if h == nil {
		h = &hostQueue{gate: q.gate.host(key)}
		q.hosts[key] = h
	}
	return h
}

// pushPoll queues a poll of s; done, if not nil, receives the poll's result.
func (q *hostQueues) pushPoll(s *source, done chan<- pollResult) {
	key := taskHost(s.URL)
	q.mu.Lock()
	defer q.mu.Unlock()
	h := q.queueLocked(key)
	h.polls = append(h.polls, task{host: key, poll: s, done: done})
	q.notifyLocked()
}

// tryPush queues an article task unless maxQueued tasks already wait; it never blocks.
func (q *hostQueues) tryPush(j job) bool {
	key := taskHost(j.item.URL)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued >= maxQueued {
		return false
	}
	h := q.queueLocked(key)
	h.articles = append(h.articles, task{host: key, art: j})
	q.queued++
	q.notifyLocked()
	return true
}

// push queues an article task, waiting while maxQueued tasks wait. It returns false if
// ctx is done first.
func (q *hostQueues) push(ctx context.Context, j job) bool {
	for {
		if q.tryPush(j) {
			return true
		}
		q.mu.Lock()
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// close says no task will be pushed from outside any more; tasks in flight (polls) may
// still push theirs. Workers return once every queue is empty and no task is in flight.
func (q *hostQueues) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.notifyLocked()
}

// next returns the next task a worker should run, with the host's request slot reserved
// for it in ctx (see withReservation). It waits while no host may be contacted. Once ctx
// is done it returns the waiting tasks at once, without reservation, so that the worker
// settles them. It returns false when there is nothing more to do: no task waits, none is
// in flight, and the queues are closed or ctx is done.
func (q *hostQueues) next(ctx context.Context) (task, *reservation, bool) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		q.mu.Lock()
		if ctx.Err() != nil {
			if t, ok := q.popAnyLocked(); ok {
				q.inflight++
				q.mu.Unlock()
				return t, nil, true
			}
		}
		t, r, wait, ok := q.popReadyLocked()
		if ok {
			q.inflight++
			q.mu.Unlock()
			return t, r, true
		}
		if q.emptyLocked() && q.inflight == 0 && (q.closed || ctx.Err() != nil) {
			q.mu.Unlock()
			return task{}, nil, false
		}
		ch := q.changed
		q.mu.Unlock()
		var tc <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			tc = timer.C
		}
		select {
		case <-ch:
		case <-tc:
		case <-ctx.Done():
		}
		if timer != nil && !timer.Stop() {
			select { // drain a fired timer so that Reset starts clean
			case <-timer.C:
			default:
			}
		}
	}
}

func (q *hostQueues) emptyLocked() bool {
	for _, h := range q.hosts {
		if h.len() > 0 {
			return false
		}
	}
	return true
}

// popReadyLocked takes the first task of the host that may be contacted now and was
// served least recently, reserving the host's slot. Without one it returns how long
// until the earliest host is due (0: until something changes).
func (q *hostQueues) popReadyLocked() (task, *reservation, time.Duration, bool) {
	now := time.Now()
	var best *hostQueue
	var bestKey string
	var soonest time.Duration
	for key, h := range q.hosts {
		if h.len() == 0 {
			delete(q.hosts, key)
			continue
		}
		at, ok := q.gate.readyAt(h.gate)
		if !ok {
			continue // at parallelism: a release will notify
		}
		if d := at.Sub(now); d > 0 {
			if soonest == 0 || d < soonest {
				soonest = d
			}
			continue
		}
		if best == nil || h.served < best.served {
			best, bestKey = h, key
		}
	}
	if best == nil {
		return task{}, nil, soonest, false
	}
	r := q.gate.reserve(bestKey)
	if r == nil {
		return task{}, nil, time.Millisecond, false // lost to a request inside another task: look again
	}
	q.seq++
	best.served = q.seq
	return best.popLocked(q), r, 0, true
}

// popAnyLocked takes any waiting task, for settling after cancellation.
func (q *hostQueues) popAnyLocked() (task, bool) {
	for _, h := range q.hosts {
		if h.len() > 0 {
			return h.popLocked(q), true
		}
	}
	return task{}, false
}

func (h *hostQueue) popLocked(q *hostQueues) task {
	if len(h.polls) > 0 {
		t := h.polls[0]
		h.polls = h.polls[1:]
		return t
	}
	t := h.articles[0]
	h.articles[0] = task{}
	h.articles = h.articles[1:]
	q.queued--
	return t
}

// done ends a task taken with next, giving back its reservation if no request used it.
func (q *hostQueues) done(r *reservation) {
	q.gate.unreserve(r)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.inflight--
	q.notifyLocked()
}
