// Package asciiword holds the byte table the analyzer's and the region scanner's word splitters
// read ASCII words with: one look-up per byte tells whether it belongs to a word and gives its
// lower-case form.
package asciiword

import "unicode/utf8"

// Lower maps the ASCII letters and digits to their lower-case forms and every other byte (ASCII
// separators and the bytes of longer UTF-8 sequences) to 0.
var Lower = func() (t [256]byte) {
	for c := range utf8.RuneSelf {
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			t[c] = byte(c)
		case 'A' <= c && c <= 'Z':
			t[c] = byte(c + 'a' - 'A')
		}
	}
	return t
}()
