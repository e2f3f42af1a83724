package sentiment

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Example is one labelled text.
type Example struct {
	Text  string
	Label string // "negative", "neutral" or "positive"
}

// Input formats of ReadLabelled.
const (
	formatTSV = iota
	formatCSV
	formatJSONL
)

// maxLabelledBytes bounds the input ReadInput accepts.
const maxLabelledBytes = 256 << 20

// ReadLabelled reads labelled examples as TSV "text<TAB>label" (no header, or a "text<TAB>label"
// header), CSV with a header naming "text" and "label" columns (other columns ignored), or JSON
// Lines {"text": ..., "label": ...}. The format comes from name's extension (.tsv, .csv, .jsonl,
// .ndjson, .json), else from the content. Labels may be negative/neutral/positive in any case or
// neg/neu/pos. Bad lines are skipped and reported, with name and line number, in the returned
// error (errors.Join), next to the good examples.
func ReadLabelled(r io.Reader, name string) ([]Example, error) {
	data, err := ReadInput(r, name)
	if err != nil {
		return nil, err
	}
	switch detectFormat(data, name) {
	case formatJSONL:
		return readJSONL(data, name)
	case formatCSV:
		return readCSV(data, name)
	default:
		return readTSV(data, name)
	}
}

func detectFormat(data []byte, name string) int {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".tsv", ".tab":
		return formatTSV
	case ".csv":
		return formatCSV
	case ".jsonl", ".ndjson", ".json":
		return formatJSONL
	}
	first := data
	for len(first) > 0 {
		line := first
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			line, first = first[:i], first[i+1:]
		} else {
			first = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		switch {
		case line[0] == '{':
			return formatJSONL
		case bytes.IndexByte(line, '\t') >= 0:
			return formatTSV
		case bytes.IndexByte(line, ',') >= 0:
			return formatCSV
		}
		return formatTSV
	}
	return formatTSV
}

// ReadInput reads a labelled data file called name whole, at most 256 MiB, without its
// byte-order mark.
func ReadInput(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxLabelledBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxLabelledBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, maxLabelledBytes)
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil
}

// LineError reports a bad line of the input called name.
func LineError(name string, line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
}

// ParseLabel returns the canonical label ("negative", "neutral", "positive") of a label written in
// any case or as neg/neu/pos; ok is false for anything else.
func ParseLabel(label string) (canonical string, ok bool) { return canonicalLabel(label) }

func canonicalLabel(label string) (string, bool) {
	c, ok := labelIndex(label)
	if !ok {
		return "", false
	}
	return Labels[c], true
}

func readTSV(data []byte, name string) ([]Example, error) {
	var out []Example
	var errs []error
	line := 0
	for text := range strings.Lines(string(data)) {
		line++
		text = strings.TrimRight(text, "\r\n")
		if strings.TrimSpace(text) == "" {
			continue
		}
		i := strings.LastIndexByte(text, '\t')
		if i < 0 {
			errs = append(errs, LineError(name, line, "want text<TAB>label"))
			continue
		}
		body, label := strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+1:])
		if line == 1 && strings.EqualFold(label, "label") {
			continue
		}
		canon, ok := canonicalLabel(label)
		if !ok {
			errs = append(errs, LineError(name, line, "unknown label %q", label))
			continue
		}
		if body == "" {
			errs = append(errs, LineError(name, line, "empty text"))
			continue
		}
		out = append(out, Example{Text: body, Label: canon})
	}
	return out, errors.Join(errs...)
}

func readCSV(data []byte, name string) ([]Example, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: header: %w", name, err)
	}
	textCol, labelCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "text", "sentence", "content":
			if textCol < 0 {
				textCol = i
			}
		case "label", "sentiment":
			if labelCol < 0 {
				labelCol = i
			}
		}
	}
	if textCol < 0 || labelCol < 0 {
		return nil, fmt.Errorf("%s:1: header must name text and label columns, got %q", name, header)
	}
	var out []Example
	var errs []error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, LineError(name, pe.StartLine, "%v", pe.Err))
				continue
			}
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			break
		}
		if len(rec) <= textCol || len(rec) <= labelCol {
			errs = append(errs, LineError(name, line, "want %d fields, got %d", len(header), len(rec)))
			continue
		}
		canon, ok := canonicalLabel(rec[labelCol])
		if !ok {
			errs = append(errs, LineError(name, line, "unknown label %q", rec[labelCol]))
			continue
		}
		body := strings.TrimSpace(rec[textCol])
		if body == "" {
			errs = append(errs, LineError(name, line, "empty text"))
			continue
		}
		out = append(out, Example{Text: body, Label: canon})
	}
	return out, errors.Join(errs...)
}

func readJSONL(data []byte, name string) ([]Example, error) {
	var out []Example
	var errs []error
	line := 0
	for raw := range bytes.Lines(data) {
		line++
		if raw = bytes.TrimSpace(raw); len(raw) == 0 {
			continue
		}
		var rec struct {
			Text  *string `json:"text"`
			Label *string `json:"label"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			errs = append(errs, LineError(name, line, "%v", err))
			continue
		}
		if rec.Text == nil || rec.Label == nil {
			errs = append(errs, LineError(name, line, "want {\"text\", \"label\"}"))
			continue
		}
		canon, ok := canonicalLabel(*rec.Label)
		if !ok {
			errs = append(errs, LineError(name, line, "unknown label %q", *rec.Label))
			continue
		}
		body := strings.TrimSpace(*rec.Text)
		if body == "" {
			errs = append(errs, LineError(name, line, "empty text"))
			continue
		}
		out = append(out, Example{Text: body, Label: canon})
	}
	return out, errors.Join(errs...)
}

// ClassReport holds the scores of one label.
type ClassReport struct {
	Label                 string
	Precision, Recall, F1 float64
	Support               int // gold examples with this label
}

// Report is the result of Evaluate.
type Report struct {
	Lang      string
	N         int
	Accuracy  float64
	MacroF1   float64
	Classes   [numClasses]ClassReport     // in Labels order
	Confusion [numClasses][numClasses]int // [gold][predicted], in Labels order
}

// Evaluate judges every example with m in lang and scores the labels against the gold ones.
// Examples with an unknown gold label are skipped.
func Evaluate(m *Model, lang string, ex []Example) Report {
	return Score(lang, len(ex), func(i int) (string, string) {
		return ex[i].Label, m.Judge(ex[i].Text, lang).Label
	})
}

// Score scores n predictions: pair(i) returns the gold and the predicted label of the i-th.
// Pairs with an unknown gold label are skipped.
func Score(lang string, n int, pair func(i int) (gold, predicted string)) Report {
	rep := Report{Lang: lang}
	for i := range n {
		g, p := pair(i)
		gold, ok := labelIndex(g)
		if !ok {
			continue
		}
		pred, _ := labelIndex(p)
		rep.Confusion[gold][pred]++
		rep.N++
	}
	correct := 0
	for c := 0; c < numClasses; c++ {
		correct += rep.Confusion[c][c]
		var goldN, predN int
		for k := 0; k < numClasses; k++ {
			goldN += rep.Confusion[c][k]
			predN += rep.Confusion[k][c]
		}
		cr := ClassReport{Label: Labels[c], Support: goldN}
		if predN > 0 {
			cr.Precision = float64(rep.Confusion[c][c]) / float64(predN)
		}
		if goldN > 0 {
			cr.Recall = float64(rep.Confusion[c][c]) / float64(goldN)
		}
		if cr.Precision+cr.Recall > 0 {
			cr.F1 = 2 * cr.Precision * cr.Recall / (cr.Precision + cr.Recall)
		}
		rep.Classes[c] = cr
		rep.MacroF1 += cr.F1 / numClasses
	}
	if rep.N > 0 {
		rep.Accuracy = float64(correct) / float64(rep.N)
	}
	return rep
}

// String prints the report as a table of per-class scores followed by the confusion matrix.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lang=%s n=%d accuracy=%.4f macro-F1=%.4f\n", r.Lang, r.N, r.Accuracy, r.MacroF1)
	fmt.Fprintf(&b, "%-10s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support")
	for _, c := range r.Classes {
		fmt.Fprintf(&b, "%-10s %9.4f %9.4f %9.4f %8d\n", c.Label, c.Precision, c.Recall, c.F1, c.Support)
	}
	fmt.Fprintf(&b, "confusion (rows gold, columns predicted): %-10s %-10s %-10s\n", Labels[0], Labels[1], Labels[2])
	for g := 0; g < numClasses; g++ {
		fmt.Fprintf(&b, "  %-10s %10d %10d %10d\n", Labels[g], r.Confusion[g][0], r.Confusion[g][1], r.Confusion[g][2])
	}
	return b.String()
}
