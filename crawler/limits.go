package crawler

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/net/html"
)

// Extraction limits. Extraction is pure CPU on untrusted input: a page that is huge,
// deeply nested or otherwise pathological must cost a bounded amount of it.
const (
	// maxExtractBytes is the largest page handed to the extractor; news pages are
	// rarely above 1 MiB of HTML.
	maxExtractBytes = 4 << 20
	// maxExtractNodes is the largest DOM extracted; real news pages hold 2k-20k nodes.
	maxExtractNodes = 200_000
	// maxExtractDepth is the deepest element nesting extracted; real pages stay below 100.
	maxExtractDepth = 512
	// extractTimeout abandons one extraction; a page takes a few milliseconds.
	extractTimeout = 10 * time.Second
)

// ErrExtractLimit is returned when a page exceeds the extractor's size, node, depth or
// time limits. Such a page is skipped, not retried.
var ErrExtractLimit = errors.New("crawler: page exceeds extraction limits")

// checkDOM reports whether a parsed document stays within the node and depth limits.
func checkDOM(doc *html.Node) error {
	nodes := 0
	var walk func(n *html.Node, depth int) error
	walk = func(n *html.Node, depth int) error {
		if depth > maxExtractDepth {
			return fmt.Errorf("nesting deeper than %d: %w", maxExtractDepth, ErrExtractLimit)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			nodes++
			if nodes > maxExtractNodes {
				return fmt.Errorf("more than %d nodes: %w", maxExtractNodes, ErrExtractLimit)
			}
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(doc, 0)
}

// extractor runs extractions with a time limit. Go cannot stop a computation, so an
// extraction past its deadline is abandoned, not killed: it keeps its slot until it
// really ends, so no more than slots extractions ever burn CPU at once.
//
// Extraction is pure CPU, so more extractions at once than the process has cores
// (GOMAXPROCS) would only take turns on them while each held its page's parsed trees
// (the document and go-trafilatura's three clones of it) in memory: newExtractor caps the
// slots there. The crawler's workers still fetch up to their number of pages at once;
// those past the cap wait for a slot with their page's bytes only.
type extractor struct {
	slots     chan struct{}
	timeout   time.Duration
	onAbandon func()
}

func newExtractor(slots int, timeout time.Duration) *extractor {
	slots = min(slots, runtime.GOMAXPROCS(0))
	return &extractor{slots: make(chan struct{}, slots), timeout: timeout}
}

type extractResult struct {
	ex  Extracted
	err error
}

func (e *extractor) extract(ctx context.Context, page []byte, pageURL string, h extractHints) (Extracted, error) {
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return Extracted{}, ctx.Err()
	}
	done := make(chan extractResult, 1) // buffered: an abandoned extraction still finishes its send
	go func() {
		defer func() { <-e.slots }()
		ex, err := extract(page, pageURL, h)
		done <- extractResult{ex, err}
	}()
	t := time.NewTimer(e.timeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.ex, r.err
	case <-t.C:
		if e.onAbandon != nil {
			e.onAbandon()
		}
		return Extracted{}, fmt.Errorf("extraction took over %s: %w", e.timeout, ErrExtractLimit)
	case <-ctx.Done():
		return Extracted{}, ctx.Err()
	}
}
