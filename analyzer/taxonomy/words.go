package taxonomy

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/pantau-id/pantau/internal/asciiword"
)

// isWordByte reports, for ASCII bytes, whether the byte is part of a word.
var isWordByte = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// nextWord finds the first word of s at or after i and returns its byte span, with its
// lower-cased form appended to buf (start == len(s) when no word is left). A word is a maximal run of
// Unicode letters and digits, with the combining marks inside it; everything else (spaces,
// punctuation, hyphens, apostrophes) separates words. The word is lower-cased as it is read.
func nextWord(s string, i int, buf []byte) (start, end int, lower []byte) {
	for i < len(s) {
		c := s[i]
		if asciiword.Lower[c] != 0 {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		i += size
	}
	start = i
	lower = buf
	for i < len(s) {
		c := s[i]
		if l := asciiword.Lower[c]; l != 0 {
			lower = append(lower, l)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
			break
		}
		lower = utf8.AppendRune(lower, unicode.ToLower(r))
		i += size
	}
	return start, i, lower
}

// Words calls fn for every word of s, in order, with its lower-cased form and its byte span in s.
// The word slice is only valid during the call. Words are maximal runs of letters and digits, so
// "e-KTP," yields "e" and "ktp".
func Words(s string, fn func(word []byte, start, end int)) {
	var arr [64]byte
	buf := arr[:0]
	for i := 0; ; {
		var start, end int
		start, end, buf = nextWord(s, i, buf[:0])
		if start == len(s) {
			return
		}
		fn(buf, start, end)
		i = end
	}
}

// Normalize returns the lower-cased words of s, the form in which terms are matched.
func Normalize(s string) []string {
	out := make([]string, 0, len(s)/6+1)
	Words(s, func(w []byte, start, end int) {
		if string(w) == s[start:end] {
			out = append(out, s[start:end]) // already lower case: share s, no copy
		} else {
			out = append(out, string(w))
		}
	})
	return out
}

// WordList is a text split into words once (as Words splits it), so that the matcher and other
// readers of an article's words need not split it again. The zero value is an empty list; Split
// reuses its memory.
type WordList struct {
	text  string
	words []listWord
	lower []byte // the lower-cased words, one after another
}

// listWord is a word's byte span in the text and the span of its lower-cased form in lower.
type listWord struct{ start, end, lo, hi int }

// Split makes l the words of s, forgetting its previous text.
//
// The lower-cased form of a word of ASCII letters and digits (most words) is written at the
// word's own offsets in lower, which is as long as s, in the loop that finds the word's end;
// the forms of other words, read by nextWord, follow after.
func (l *WordList) Split(s string) {
	l.text, l.words = s, l.words[:0]
	l.lower = slices.Grow(l.lower[:0], len(s))[:len(s)]
	for i := 0; i < len(s); {
		c := s[i]
		if asciiword.Lower[c] == 0 {
			if c < utf8.RuneSelf {
				i++ // an ASCII separator
				continue
			}
			i = l.addSlow(s, i) // a separator or a word beyond ASCII
			continue
		}
		j, lower := i, l.lower[:len(s)] // in a local, which the loop keeps in registers
		for j < len(s) {
			lc := asciiword.Lower[s[j]]
			if lc == 0 {
				break
			}
			lower[j] = lc
			j++
		}
		if j < len(s) && s[j] >= utf8.RuneSelf {
			i = l.addSlow(s, i) // the word may go on beyond ASCII
			continue
		}
		l.words = append(l.words, listWord{i, j, i, j})
		i = j
	}
}

// addSlow adds the word nextWord finds at or after s[i], if any, with its lower-cased form after
// the others, and returns where the next word may start.
func (l *WordList) addSlow(s string, i int) int {
	lo := len(l.lower)
	start, end, lower := nextWord(s, i, l.lower)
	if start == len(s) {
		return len(s)
	}
	l.lower = lower
	l.words = append(l.words, listWord{start, end, lo, len(l.lower)})
	return end
}

// Text returns the text l was split from.
func (l *WordList) Text() string { return l.text }

// Len returns the number of words.
func (l *WordList) Len() int { return len(l.words) }

// Word returns word i's lower-cased form (valid until the next Split) and its byte span in the text.
func (l *WordList) Word(i int) (lower []byte, start, end int) {
	w := l.words[i]
	return l.lower[w.lo:w.hi], w.start, w.end
}
