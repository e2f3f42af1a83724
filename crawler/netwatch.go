package crawler

import (
	"log/slog"
	"sync"
)

// NetworkWatch tells, once, that the network looks unreachable: when fetches from
// several hosts failed on name resolution and none answered since the start or the last
// answer, which is what a machine without internet or DNS sees. Per-source errors alone
// (one "dns" warning per source) do not say that the cause is the machine. After a fetch
// is answered again, it tells that once too. Feed it every Fetch (WithFetchObserver); it is
// safe for concurrent use.
type NetworkWatch struct {
	hosts int // distinct hosts that must fail on name resolution

	logger *slog.Logger

	mu     sync.Mutex
	failed map[string]bool // hosts that failed on DNS since the last answer
	down   bool            // unreachable was told
}

// NewNetworkWatch returns a watch that logs to logger. crawledHosts is the number of
// distinct hosts the configuration crawls: with fewer than three, all of them must fail.
func NewNetworkWatch(logger *slog.Logger, crawledHosts int) *NetworkWatch {
	n := min(3, crawledHosts)
	if n < 1 {
		n = 1
	}
	return &NetworkWatch{hosts: n, logger: logger, failed: map[string]bool{}}
}

// Observe takes one fetch into account.
func (w *NetworkWatch) Observe(f Fetch) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case f.Status > 0: // a server answered: the network works
		if w.down {
			w.logger.Info("network reachable again: a source answered", "host", f.Host)
		}
		w.down = false
		clear(w.failed)
	case f.ErrorClass == "dns" && !w.down:
		w.failed[f.Host] = true
		if len(w.failed) >= w.hosts {
			w.down = true
			w.logger.Error("network unreachable: no source host could be resolved and none answered; check this machine's internet connection and DNS (make demo runs offline against a fixture site)",
				"hosts_failed", len(w.failed))
		}
	}
}
