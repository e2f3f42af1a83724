package crawler

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// fetchTrace collects the timing of one fetch across its redirects. It travels in the
// request context so that the transport can fill it in.
type fetchTrace struct {
	mu    sync.Mutex
	start time.Time
	end   time.Time
	bytes int64
}

type traceKey struct{}

func traceFrom(ctx context.Context) *fetchTrace {
	t, _ := ctx.Value(traceKey{}).(*fetchTrace)
	return t
}

func (t *fetchTrace) duration(now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.start.IsZero() {
		return 0
	}
	if t.end.IsZero() {
		return now.Sub(t.start)
	}
	return t.end.Sub(t.start)
}

// cappingTransport asks for gzip, decompresses it itself and caps the decompressed
// body at max bytes: reading past the cap fails with ErrTooLarge, so a gzip bomb costs
// at most max bytes of memory. It also times each fetch for its fetchTrace.
type cappingTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *cappingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr := traceFrom(req.Context())
	if tr != nil {
		tr.mu.Lock()
		if tr.start.IsZero() {
			tr.start = time.Now()
		}
		tr.mu.Unlock()
	}
	r2 := req.Clone(req.Context())
	r2.Header.Set("Accept-Encoding", "gzip")
	resp, err := t.base.RoundTrip(r2)
	if err != nil {
		return nil, err
	}
	limit, truncate := t.max, false
	if n, ok := req.Context().Value(truncateKey{}).(int64); ok {
		limit, truncate = n, true
	}
	if !truncate && limit > 0 && resp.ContentLength > limit {
		resp.Body.Close()
		return nil, ErrTooLarge
	}
	ce := strings.ToLower(resp.Header.Get("Content-Encoding"))
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	gz := strings.Contains(ce, "gzip") ||
		(ce == "" && (strings.Contains(ct, "gzip") || strings.HasSuffix(strings.ToLower(req.URL.Path), ".gz")))
	body := &cappedBody{raw: resp.Body, max: limit, truncate: truncate, trace: tr, gzip: gz}
	if gz {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
	// Tell colly the body is already decompressed so that it does not gunzip again uncapped.
	resp.Uncompressed = true
	resp.Body = body
	return resp, nil
}

// truncateKey marks a request context whose body is read up to the given number of bytes
// (int64) and cut there, whatever its size or Content-Length, instead of being refused as too
// large: robots.txt, of which crawlers read the start (RFC 9309 asks for at least 500 KiB).
type truncateKey struct{}

// cappedBody reads a response body, decompressing gzip lazily, and fails once more than
// max decompressed bytes have been read, or ends there when truncate is set.
type cappedBody struct {
	raw      io.ReadCloser
	r        io.Reader
	max      int64
	n        int64
	gzip     bool
	truncate bool
	trace    *fetchTrace
	done     bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.r == nil {
		b.r = b.raw
		if b.gzip {
			zr, err := gzip.NewReader(b.raw)
			if err != nil {
				b.finish()
				return 0, &parseError{err}
			}
			b.r = zr
		}
	}
	if b.truncate && b.n >= b.max {
		b.finish()
		return 0, io.EOF
	}
	if b.truncate && int64(len(p)) > b.max-b.n {
		p = p[:b.max-b.n]
	}
	if b.max > 0 && b.n >= b.max {
		// One more byte tells a body of exactly max bytes from a larger one.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			b.finish()
			return 0, ErrTooLarge
		}
	}
	if b.max > 0 && int64(len(p)) > b.max-b.n+1 {
		p = p[:b.max-b.n+1]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.max > 0 && b.n > b.max {
		b.finish()
		return 0, ErrTooLarge
	}
	if err != nil {
		b.finish()
	}
	return n, err
}

func (b *cappedBody) finish() {
	if b.done || b.trace == nil {
		return
	}
	b.done = true
	b.trace.mu.Lock()
	b.trace.end = time.Now()
	b.trace.bytes += b.n
	b.trace.mu.Unlock()
}

func (b *cappedBody) Close() error {
	b.finish()
	return b.raw.Close()
}
