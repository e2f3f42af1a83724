package storage

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSONLines prints one JSON object per row, keyed by column name.
func (res *Result) WriteJSONLines(w io.Writer) error {
	enc := json.NewEncoder(w)
	obj := make(map[string]any, len(res.Columns))
	for _, row := range res.Rows {
		for i, c := range res.Columns {
			obj[c.Name] = row[i]
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	return nil
}

// WriteTSV prints rows as ClickHouse's TabSeparated format would, after a line of column
// names when header is set: tabs, newlines and backslashes in values escaped, arrays as
// [a,b], times as UTC "2006-01-02 15:04:05", and every other control character escaped so
// that crawled text cannot drive the terminal it is printed on.
func (res *Result) WriteTSV(w io.Writer, header bool) error {
	var b strings.Builder
	if header {
		for i, c := range res.Columns {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(tsvEscape(c.Name))
		}
		b.WriteByte('\n')
	}
	for _, row := range res.Rows {
		for i, v := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(tsvEscape(formatValue(v)))
		}
		b.WriteByte('\n')
		if b.Len() > 64<<10 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return `\N`
	case string:
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(x))
		for i, el := range x {
			if s, ok := el.(string); ok {
				parts[i] = "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
			} else {
				parts[i] = formatValue(el)
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

// tsvEscape escapes a value for TSV as ClickHouse does (backslash, tab, newline, carriage
// return) and, so that crawled text cannot drive the terminal it is printed on, every other
// control character: C0 and DEL as \xHH, C1 (such as U+009B, a one-character escape sequence)
// as \uHHHH.
func tsvEscape(s string) string {
	clean := true
	for _, r := range s {
		if r == '\\' || isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f }
