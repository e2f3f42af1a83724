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

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/parallel"
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
	var stats Stats
	var readErr error
	lines := func(yield func(inputLine) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		for n := 1; ; n++ {
			data, tooLong, err := readLine(br, MaxLineBytes)
			if errors.Is(err, io.EOF) && len(data) == 0 && !tooLong {
				return
			}
			if err != nil && !errors.Is(err, io.EOF) {
				readErr = fmt.Errorf("read input line %d: %w", n, err)
				return
			}
			if !yield(inputLine{n: n, data: data, tooLong: tooLong}) || err != nil {
				return
			}
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	err := parallel.InOrder(ctx, lines, workers, func(in inputLine) answer {
		return analyzeLine(a, in)
	}, func(ans answer) error {
		stats.Lines++
		if ans.failed {
			stats.Failed++
		}
		if _, err := bw.Write(ans.line); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	})
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err == nil {
		err = readErr
	}
	return stats, err
}

// inputLine is one line of input, numbered from 1, without its newline; data is nil when
// the line is too long.
type inputLine struct {
	n       int
	data    []byte
	tooLong bool
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
func analyzeLine(a *analyzer.Analyzer, in inputLine) answer {
	line, data := in.n, in.data
	switch {
	case in.tooLong:
		return encodeError(nil, line, fmt.Sprintf("line is longer than %d bytes", MaxLineBytes))
	case len(bytes.TrimSpace(data)) == 0:
		return encodeError(nil, line, "empty line: want a JSON object with \"text\"")
	}
	var doc inputDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return encodeError(nil, line, "invalid JSON: "+err.Error())
	}
	if doc.Text == nil {
		return encodeError(doc.ID, line, `missing "text"`)
	}
	res := a.Analyze(analyzer.Document{ID: string(doc.ID), Title: doc.Title, Text: *doc.Text, Lang: doc.Lang})
	if res.Mentions == nil {
		res.Mentions = []analyzer.Mention{}
	}
	id := doc.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	out, err := json.Marshal(outputDoc{ID: id, Result: res})
	if err != nil {
		return encodeError(doc.ID, line, "encode result: "+err.Error())
	}
	return answer{line: append(out, '\n')}
}

func encodeError(id json.RawMessage, line int, msg string) answer {
	out, _ := json.Marshal(errorDoc{ID: id, Line: line, Error: fmt.Sprintf("line %d: %s", line, msg)})
	return answer{line: append(out, '\n'), failed: true}
}
