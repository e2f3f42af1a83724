package search

import (
	"html/template"
	"strings"
	"unicode/utf8"
)

// Snippet sizes in bytes: the context kept before the first match and the whole passage.
const (
	snippetBefore = 100
	snippetLen    = 280
)

// Mark is the byte range [Start, End) of a matched term.
type Mark struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Snippet is a passage of an article's text with its matched terms.
type Snippet struct {
	Text string `json:"text"`
	// Marks are byte ranges in Text, in order, without overlaps.
	Marks []Mark `json:"marks"`
}

// Marked returns the text with each mark wrapped in open and close, e.g. "**" and "**".
func (s Snippet) Marked(open, close string) string {
	return marked(s.Text, s.Marks, open, close, func(s string) string { return s })
}

// HTML returns the text, escaped, with each mark in a <mark> element.
func (s Snippet) HTML() template.HTML {
	return template.HTML(marked(s.Text, s.Marks, "<mark>", "</mark>", template.HTMLEscapeString))
}

// MarkedTitle returns an article's title with its marks in <mark> elements, escaped.
func (a Article) MarkedTitle() template.HTML {
	return template.HTML(marked(a.Title, a.TitleMarks, "<mark>", "</mark>", template.HTMLEscapeString))
}

func marked(text string, marks []Mark, open, close string, esc func(string) string) string {
	var b strings.Builder
	at := 0
	for _, m := range marks {
		if m.Start < at || m.End > len(text) || m.Start >= m.End {
			continue
		}
		b.WriteString(esc(text[at:m.Start]))
		b.WriteString(open)
		b.WriteString(esc(text[m.Start:m.End]))
		b.WriteString(close)
		at = m.End
	}
	b.WriteString(esc(text[at:]))
	return b.String()
}

// snippet cuts the passage of text around the first mark (the start of the text without
// marks), at spaces, and keeps the marks that fall inside it.
func snippet(text string, marks []Mark) Snippet {
	start := 0
	if len(marks) > 0 && marks[0].Start > snippetBefore {
		start = cutAfterSpace(text, marks[0].Start-snippetBefore)
	}
	end := len(text)
	if end-start > snippetLen {
		end = cutBeforeSpace(text, start+snippetLen)
		if len(marks) > 0 && end < marks[0].End && marks[0].End <= len(text) {
			end = marks[0].End // the first match is always whole
		}
	}
	var b strings.Builder
	offset := -start
	if start > 0 {
		b.WriteString("… ")
		offset += len("… ")
	}
	for i := start; i < end; i++ { // byte by byte, so that the marks keep their offsets
		c := text[i]
		if c == '\n' || c == '\r' || c == '\t' {
			c = ' '
		}
		b.WriteByte(c)
	}
	if end < len(text) {
		b.WriteString(" …")
	}
	s := Snippet{Text: b.String(), Marks: []Mark{}}
	for _, m := range marks {
		if m.Start >= start && m.End <= end {
			s.Marks = append(s.Marks, Mark{m.Start + offset, m.End + offset})
		}
	}
	return s
}

// cutAfterSpace returns the offset just after the first space at or after i (i itself when
// none follows soon), never inside a UTF-8 sequence.
func cutAfterSpace(text string, i int) int {
	if j := strings.IndexByte(text[i:], ' '); j >= 0 && j < 30 {
		return i + j + 1
	}
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	return i
}

// cutBeforeSpace returns the offset of the last space before i (i itself when none is
// near), never inside a UTF-8 sequence.
func cutBeforeSpace(text string, i int) int {
	if j := strings.LastIndexByte(text[:i], ' '); j >= 0 && i-j < 30 {
		return j
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	return i
}
