package crawler

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// blockTags are the elements that end a line of body text: paragraphs, headings, list
// items, table rows, line breaks and the containers around them.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true,
	"dd": true, "details": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true,
	"h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hr": true, "li": true, "main": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "summary": true, "table": true, "tbody": true,
	"tfoot": true, "thead": true, "tr": true, "ul": true,
}

// cellTags are table cells: words in neighbouring cells are kept apart on one line.
var cellTags = map[string]bool{"td": true, "th": true}

// separateBlocks puts a newline text node between a block-level element or table cell
// and a neighbour that touches it without white space, everywhere below n. Minified
// pages ("…didistribusikan</div><div>Redaksi</div>…") otherwise come out of trafilatura
// with words run together, because it strips tags and joins text without a separator.
// Pages with white space between their tags are left as they are.
func separateBlocks(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		separateBlocks(c)
		if !blockTags[c.Data] && !cellTags[c.Data] {
			continue
		}
		if p := c.PrevSibling; p != nil && !touchesSpace(p, false) {
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: "\n"}, c)
		}
		if next := c.NextSibling; next != nil && !touchesSpace(next, true) {
			n.InsertBefore(&html.Node{Type: html.TextNode, Data: "\n"}, next)
			c = c.NextSibling // skip the newline just added
		}
	}
}

// touchesSpace reports whether n is a text node that starts (start) or ends (!start)
// with white space. Elements and comments do not keep their neighbours apart.
func touchesSpace(n *html.Node, start bool) bool {
	if n.Type != html.TextNode {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(n.Data)
	if start {
		r, _ = utf8.DecodeRuneInString(n.Data)
	}
	return unicode.IsSpace(r)
}

// nodeText returns the text below n with one line per block: white space inside a
// block collapses to single spaces, block-level elements and <br> end a line, table
// cells are kept apart by a space, and empty lines are dropped.
func nodeText(n *html.Node) []string {
	var lines []string
	var line strings.Builder
	space := false // white space seen since the line's last character
	flush := func() {
		if line.Len() > 0 {
			lines = append(lines, line.String())
			line.Reset()
		}
		space = false
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			for _, r := range n.Data {
				if unicode.IsSpace(r) {
					space = true
					continue
				}
				if space && line.Len() > 0 {
					line.WriteByte(' ')
				}
				space = false
				line.WriteRune(r)
			}
			return
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		cell := n.Type == html.ElementNode && cellTags[n.Data]
		if block {
			flush()
		}
		space = space || cell
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
		space = space || cell
	}
	walk(n)
	flush()
	return lines
}

// headLines is how many body lines, counted after those dropped, are checked for a
// repeated title or a byline.
const headLines = 3

// maxBylineWords is the most words a byline line has; longer lines are body text.
const maxBylineWords = 15

// maxSiteNameWords is the most words a site name after a repeated title has.
const maxSiteNameWords = 5

// bylinePrefixes start a byline: a credit word followed by a name, a colon or nothing
// ("Penulis: Rahmi", "Oleh Andi Saputra", "Redaksi", "By Clara Wenas", "Laporan
// wartawan Tribun, …"). Longer prefixes come before their shorter forms.
var bylinePrefixes = []string{
	"laporan wartawan", "written by", "penulis", "reporter", "editor", "penyunting",
	"oleh", "redaksi", "pewarta", "kontributor", "wartawan", "laporan", "by",
}

// stripHead drops the lines at the start of a body that repeat the title (alone or
// followed by the site name) or are a byline: the author's name, or a short line that
// starts with one of bylinePrefixes and is not a sentence. It stops looking once it has
// kept headLines lines, so nothing further down is touched.
func stripHead(lines []string, title, author string) []string {
	titleKey, authorKey := matchKey(title), matchKey(author)
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if len(out) == headLines {
			return append(out, lines[i:]...)
		}
		key := matchKey(l)
		if isTitleLine(key, titleKey) || isByline(l, key, authorKey) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// isTitleLine reports whether a line's key is the title's, alone or followed by a few
// words of site name ("Judul Berita - Kabar Minang Raya").
func isTitleLine(key, titleKey string) bool {
	if titleKey == "" {
		return false
	}
	rest, ok := strings.CutPrefix(key, titleKey)
	return ok && (rest == "" || (rest[0] == ' ' && len(strings.Fields(rest)) <= maxSiteNameWords))
}

// bylineSeparators end the author's name on a byline line that goes on with the site
// or the date ("Putri Ananda - sumbarterkini", "Clara Wenas · 30 September 2026").
const bylineSeparators = "-–—|·,/"

// isByline reports whether line (with its matchKey key) is a byline: the author's name,
// alone or followed by a separator, or a short line that starts with a byline prefix
// followed by nothing, punctuation or a capitalised word, and does not end like a
// sentence. "Oleh karena itu, …" and "By the end of …" are body text.
func isByline(line, key, authorKey string) bool {
	words := strings.Count(key, " ") + 1
	if key == "" || words > maxBylineWords {
		return false
	}
	if authorKey != "" {
		if key == authorKey {
			return true
		}
		if i := strings.IndexAny(line, bylineSeparators); i > 0 && matchKey(line[:i]) == authorKey {
			return true
		}
	}
	if last, _ := utf8.DecodeLastRuneInString(line); words > 4 && strings.ContainsRune(".!?", last) {
		return false
	}
	for _, p := range bylinePrefixes {
		if len(line) < len(p) || !strings.EqualFold(line[:len(p)], p) {
			continue
		}
		rest := line[len(p):]
		if next, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(next) || unicode.IsDigit(next) {
			continue // a longer word: "Redaksional", "Bypass"
		}
		rest = strings.TrimLeft(rest, " ")
		r, _ := utf8.DecodeRuneInString(rest)
		return rest == "" || unicode.IsUpper(r) || unicode.IsPunct(r)
	}
	return false
}

// matchKey lower-cases s and keeps its letters and digits, one space between words, so
// that lines compare equal whatever their case, white space and punctuation.
func matchKey(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte(' ')
		}
		gap = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
