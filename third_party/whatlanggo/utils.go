package whatlanggo

import (
	"unicode"
	"unicode/utf8"
)

// asciiStop holds isStopChar's answer for each ASCII rune, the most common by far.
var asciiStop = func() (stop [utf8.RuneSelf]bool) {
	for r := range stop {
		stop[r] = isStopCharSlow(rune(r))
	}
	return stop
}()

// isStopChar returns true if r is space, punctuation or digit.
func isStopChar(r rune) bool {
	if 0 <= r && r < utf8.RuneSelf {
		return asciiStop[r]
	}
	return isStopCharSlow(r)
}

func isStopCharSlow(r rune) bool {
	if unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) {
		return true
	}
	return false
}

// abs returns the absolute value of x.
func abs(n int) int {
	if n < 0 {
		return n * -1
	}
	return n
}
