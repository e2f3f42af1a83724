// Package jsonl is the JSON Lines front of `pantau analyze`: it reads documents
// ({"id","title"?,"text","lang"?} per line), analyses them in parallel and writes one
// result line per input line, in input order; a bad line gets an error line and the run
// goes on.
package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/pantau-id/pantau/analyzer"
)

// MaxLineBytes is the longest input line Analyze accepts; a longer line is answered
// with an error line and skipped.
const MaxLineBytes = 16 << 20

// inputDoc is one line of `pantau analyze` input.
type inputDoc struct {
	ID    json.RawMessage `json:"id"`
	Title string          `json:"title"`
	Text  *string         `json:"text"`
	Lang  string          `json:"lang"`
}

// outputDoc is one answered line.
type outputDoc struct {
	ID json.RawMessage `json:"id"`
	analyzer.Result
}

// errorDoc is the answer to a line that could not be analysed.
type errorDoc struct {
	ID    json.RawMessage `json:"id,omitempty"`
	Line  int             `json:"line"`
	Error string          `json:"error"`
}

// Stats counts what Analyze did.
type Stats struct {
	Lines, Failed int
}

// Analyze reads documents as JSON Lines from r and writes one result line per input
// line to w, in input order, using up to workers goroutines (0 means GOMAXPROCS).
// A bad line (invalid JSON, no text, too long) yields an error line naming its line number
// and the run goes on. The returned error is only for I/O failures and cancellation.
func Analyze(ctx context.Context, a *analyzer.Analyzer, r io.Reader, w io.Writer, workers int) (Stats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		line int
		data []byte
		out  chan answer // receives the encoded answer; buffered so a worker never blocks
	}
	jobs := make(chan job, workers)
	ordered := make(chan chan answer, 4*workers) // answers in input order; bounds lines in flight
	var stats Stats

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { // reader
		defer close(jobs)
		defer close(ordered)
		br := bufio.NewReaderSize(r, 64<<10)
		for line := 1; ; line++ {
			data, tooLong, err := readLine(br, MaxLineBytes)
			if errors.Is(err, io.EOF) && len(data) == 0 && !tooLong {
				return nil
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("read input line %d: %w", line, err)
			}
			j := job{line: line, data: data, out: make(chan answer, 1)}
			if tooLong {
				j.data = nil
				j.out <- encodeError(nil, line, fmt.Sprintf("line is longer than %d bytes", MaxLineBytes))
			}
			select {
			case ordered <- j.out:
			case <-ctx.Done():
				return ctx.Err()
			}
			if !tooLong {
				select {
				case jobs <- j:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
		}
	})
	for range workers {
		g.Go(func() error {
			for j := range jobs {
				j.out <- analyzeLine(a, j.line, j.data)
			}
			return nil
		})
	}
	g.Go(func() error { // writer, in input order
		bw := bufio.NewWriterSize(w, 64<<10)
		for out := range ordered {
			var ans answer
			select {
			case ans = <-out:
			case <-ctx.Done():
				return ctx.Err()
			}
			stats.Lines++
			if ans.failed {
				stats.Failed++
			}
			if _, err := bw.Write(ans.line); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	})
	err := g.Wait()
	return stats, err
}

// readLine returns the next line without its newline. A line longer than max is consumed
// and reported as tooLong. A final line without a newline comes with io.EOF.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(frag) > max+1 {
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimRight(line, "\r\n")
		return line, tooLong, err
	}
}

// answer is one encoded output line.
type answer struct {
	line   []byte
	failed bool
}

// analyzeLine answers one input line; it never fails, bad input becomes an error line.
func analyzeLine(a *analyzer.Analyzer, line int, data []byte) answer {
	if len(bytes.TrimSpace(data)) == 0 {
		return encodeError(nil, line, "empty line: want a JSON object with \"text\"")
	}
	var in inputDoc
	if err := json.Unmarshal(data, &in); err != nil {
		return encodeError(nil, line, "invalid JSON: "+err.Error())
	}
	if in.Text == nil {
		return encodeError(in.ID, line, `missing "text"`)
	}
	res := a.Analyze(analyzer.Document{ID: string(in.ID), Title: in.Title, Text: *in.Text, Lang: in.Lang})
	if res.Mentions == nil {
		res.Mentions = []analyzer.Mention{}
	}
	id := in.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	out, err := json.Marshal(outputDoc{ID: id, Result: res})
	if err != nil {
		return encodeError(in.ID, line, "encode result: "+err.Error())
	}
	return answer{line: append(out, '\n')}
}

func encodeError(id json.RawMessage, line int, msg string) answer {
	out, _ := json.Marshal(errorDoc{ID: id, Line: line, Error: fmt.Sprintf("line %d: %s", line, msg)})
	return answer{line: append(out, '\n'), failed: true}
}
