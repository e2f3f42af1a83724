package analyzer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// abbreviations are words that end with a full stop without ending a sentence (lower case, no dot).
var abbreviations = setOf(
	// Indonesian addresses, regions and titles.
	"kab", "kec", "kel", "ds", "jl", "jln", "gg", "rt", "rw", "no", "prov",
	"dr", "drg", "drs", "dra", "h", "hj", "ir", "prof", "st", "sh", "se", "mm", "msi", "mpd", "mh",
	"bpk", "bp", "sdr", "sdri", "yth", "tbk", "pt", "cv", "rp", "hlm", "tel", "telp", "ps",
	"dll", "dsb", "dkk", "tsb", "ybs", "kep",
	// Police and military ranks.
	"kol", "letkol", "mayjen", "brigjen", "kompol", "akbp", "ipda", "iptu", "aiptu", "bripka", "kapt", "serka",
	// English.
	"mr", "mrs", "ms", "jr", "sr", "inc", "ltd", "co", "corp", "vs", "etc", "gen", "gov", "sen", "rep", "dept",
	// Months.
	"jan", "feb", "mar", "apr", "jun", "jul", "agu", "agt", "ags", "sep", "sept", "okt", "oct", "nov", "des", "dec",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isClosing reports whether r closes a quotation or parenthesis after a sentence's final punctuation.
func isClosing(r rune) bool {
	switch r {
	case '"', '\'', '\u201d', '\u2019', ')', ']', '\u00bb':
		return true
	}
	return false
}

// isOpening reports whether r may open a sentence before its first letter.
func isOpening(r rune) bool {
	switch r {
	case '"', '\'', '\u201c', '\u2018', '(', '[', '\u00ab', '-', '\u2013', '\u2014':
		return true
	}
	return false
}

// mayEnd marks the bytes that may start a sentence end: line breaks, ".", "!", "?" and the first
// byte of "…". Other bytes, those inside multi-byte runes included, are passed over one by one.
var mayEnd = func() (t [256]bool) {
	for _, c := range []byte("\n\r.!?") {
		t[c] = true
	}
	t["\u2026"[0]] = true
	return t
}()

// splitSentences cuts news text into sentences and returns their byte spans, without surrounding space.
//
// A line break always ends a sentence. A ".", "!", "?" or "…" (with any closing quotes or brackets)
// ends one when followed by space and then an upper-case letter, a digit or an opening quote; a
// lower-case continuation ("...," kata warga / "Cepat!" ujarnya) does not. A full stop after a known
// abbreviation ("Kab.", "Jl.", "dr.", "No."), a single letter ("H. Fadly") or a dotted short form
// ("S.H.", "M.Si.") does not end a sentence; numbers such as "Rp1.500" and "2,5" contain no space.
func splitSentences(text string) []taxonomy.Span {
	spans := make([]taxonomy.Span, 0, len(text)/64+1) // news sentences average some 100 bytes
	start := 0
	emit := func(end int) {
		// A run longer than maxSentenceBytes is cut at spaces into pieces of at most that size.
		for end-start > maxSentenceBytes {
			cut := start + len(cutAt(text[start:end], maxSentenceBytes))
			if cut == start {
				cut = start + maxSentenceBytes
				for cut > start && !utf8.RuneStart(text[cut]) {
					cut--
				}
			}
			if sp, ok := trimSpan(text, start, cut); ok {
				spans = append(spans, sp)
			}
			start = cut
		}
		if sp, ok := trimSpan(text, start, end); ok {
			spans = append(spans, sp)
		}
		start = end
	}
	for i := 0; i < len(text); {
		for i < len(text) && !mayEnd[text[i]] { // most bytes: passed over in a loop of their own
			i++
		}
		if i == len(text) {
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n' || r == '\r':
			emit(i)
			i += size
			start = i
			continue
		case r == '.' || r == '!' || r == '?' || r == '\u2026':
			end := i + size
			for end < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[end:])
				if r2 != '.' && r2 != '!' && r2 != '?' && r2 != '\u2026' && !isClosing(r2) {
					break
				}
				end += s2
			}
			if endsSentence(text, start, i, end, r) {
				emit(end)
			}
			i = end
			continue
		}
		i += size
	}
	emit(len(text))
	if len(spans) == 0 {
		return nil // text of space only
	}
	return spans
}

// endsSentence decides whether the punctuation at text[at:end] (starting with r) ends the sentence
// begun at start.
func endsSentence(text string, start, at, end int, r rune) bool {
	if end == len(text) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[end:])
	if !unicode.IsSpace(next) {
		return false
	}
	rest := strings.TrimLeftFunc(text[end:], func(r rune) bool { return unicode.IsSpace(r) && r != '\n' && r != '\r' })
	if rest == "" {
		return true
	}
	first, _ := utf8.DecodeRuneInString(rest)
	if first == '\n' || first == '\r' {
		return true
	}
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) && !isOpening(first) {
		return false
	}
	if r != '.' || at+1 != end && text[at+1] == '.' {
		return true // "!", "?", "…", or an ellipsis "..."
	}
	// The word before the full stop.
	w := at
	for w > start {
		pr, ps := utf8.DecodeLastRuneInString(text[start:w])
		if unicode.IsSpace(pr) || pr == '(' || pr == '"' || pr == '\u201c' {
			break
		}
		w -= ps
	}
	word := text[w:at]
	if word == "" {
		return true
	}
	if strings.Contains(word, ".") && utf8.RuneCountInString(word) <= 6 {
		return false // S.H, M.Si, a.n
	}
	if utf8.RuneCountInString(word) == 1 {
		c, _ := utf8.DecodeRuneInString(word)
		return !unicode.IsUpper(c) // an initial: "H. Fadly"
	}
	return !abbreviations[strings.ToLower(word)]
}

// trimSpan trims space from text[start:end]; ok is false when nothing but space is left.
func trimSpan(text string, start, end int) (taxonomy.Span, bool) {
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return taxonomy.Span{Start: start, End: end}, end > start
}

// Sentences cuts news text into sentences as the analyzer does when it matches programmes,
// returning their byte spans, for taxonomy.Query.Find.
func Sentences(text string) []taxonomy.Span { return splitSentences(text) }
