package search

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Formats lists the output formats of Write.
var Formats = []string{"tsv", "csv", "json"}

// Header is the first row of the TSV and CSV output.
var Header = []string{"published", "source", "title", "url", "programmes", "sentiment", "copy", "snippet"}

// Write prints r in format: "tsv" (a header row, then one article per line; tabs and line
// breaks in values become spaces), "csv" (RFC 4180, for spreadsheets) or "json" (the
// Result as one indented object). In TSV and CSV the matched terms are marked **so**.
func Write(w io.Writer, r *Result, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(Header)
		for _, a := range r.Articles {
			_ = cw.Write(a.fields())
		}
		cw.Flush()
		return cw.Error()
	case "tsv":
		clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
		var b strings.Builder
		b.WriteString(strings.Join(Header, "\t") + "\n")
		for _, a := range r.Articles {
			f := a.fields()
			for i := range f {
				f[i] = clean.Replace(f[i])
			}
			b.WriteString(strings.Join(f, "\t") + "\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	return fmt.Errorf("search: format %q: want tsv, csv or json", format)
}

func (a Article) fields() []string {
	copied := "no"
	if a.Copy {
		copied = "yes"
	}
	return []string{
		a.Published.UTC().Format(time.RFC3339), a.Source,
		marked(a.Title, a.TitleMarks, "**", "**", func(s string) string { return s }),
		a.URL, strings.Join(a.Programmes, " "), a.Sentiment, copied, a.Snippet.Marked("**", "**"),
	}
}
