package main

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how far a batch job is: on a terminal a bar with the rate and the time
// left, elsewhere (a file, a pipe, journald) a log line at most every interval, so that
// nothing draws control characters into logs.
type progress struct {
	bar      *progressbar.ProgressBar // nil when not on a terminal
	logger   *slog.Logger             // nil when quiet
	what     string
	interval time.Duration
	start    time.Time
	lastLog  time.Time
	total    int
}

// newProgress returns a progress display on w for a job described by what ("backfill").
// quiet shows nothing.
func newProgress(w io.Writer, logger *slog.Logger, what string, quiet bool, interval time.Duration) *progress {
	p := &progress{what: what, interval: interval, start: time.Now(), total: -1}
	switch {
	case quiet:
	case isTerminal(w):
		p.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("items"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }))
	default:
		p.logger = logger
		p.lastLog = p.start
	}
	return p
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// update records that done of total items are finished (total -1 while unknown).
func (p *progress) update(done, total int) {
	if p.bar != nil {
		if total != p.total {
			p.bar.ChangeMax(total)
		}
		p.total = total
		_ = p.bar.Set(done)
		return
	}
	p.total = total
	if p.logger == nil || time.Since(p.lastLog) < p.interval {
		return
	}
	p.lastLog = time.Now()
	p.log(done)
}

// log writes one progress line with the rate so far and, when the total is known, the
// estimated time left.
func (p *progress) log(done int) {
	elapsed := time.Since(p.start)
	rate := float64(done) / elapsed.Seconds()
	attrs := []any{"done", done, "total", p.total, "rate_per_second", float64(int(rate*10)) / 10, "elapsed", elapsed.Round(time.Second).String()}
	if p.total > 0 && rate > 0 {
		left := time.Duration(float64(p.total-done) / rate * float64(time.Second))
		attrs = append(attrs, "eta", left.Round(time.Second).String())
	}
	p.logger.Info(p.what+" progress", attrs...)
}

// finish ends the bar, or logs the last line.
func (p *progress) finish(done int) {
	if p.bar != nil {
		_ = p.bar.Finish()
		return
	}
	if p.logger != nil {
		p.log(done)
	}
}
