package crawler

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
)

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// SimHash returns the 64-bit SimHash of text over word 3-shingles hashed with FNV-1a.
// Words are maximal runs of letters and digits, lower-cased. Texts with fewer than three
// words are hashed as one shingle; an empty text hashes to 0. Near-duplicate texts have a
// small HammingDistance between their SimHashes (≤ 3 is the usual threshold).
func SimHash(text string) uint64 {
	var words [3][]byte // ring of the last three words, lower-cased
	var counts [64]int
	n := 0
	var cur []byte
	add := func() {
		words[n%3] = append(words[n%3][:0], cur...)
		n++
		cur = cur[:0]
		if n >= 3 {
			h := uint64(fnvOffset64)
			for i := n - 3; i < n; i++ {
				if i > n-3 {
					h = (h ^ ' ') * fnvPrime64
				}
				for _, c := range words[i%3] {
					h = (h ^ uint64(c)) * fnvPrime64
				}
			}
			addHash(&counts, h)
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur = utf8.AppendRune(cur, unicode.ToLower(r))
			continue
		}
		if len(cur) > 0 {
			add()
		}
	}
	if len(cur) > 0 {
		add()
	}
	if n == 0 {
		return 0
	}
	if n < 3 {
		h := uint64(fnvOffset64)
		for i := 0; i < n; i++ {
			if i > 0 {
				h = (h ^ ' ') * fnvPrime64
			}
			for _, c := range words[i] {
				h = (h ^ uint64(c)) * fnvPrime64
			}
		}
		addHash(&counts, h)
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if counts[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

func addHash(counts *[64]int, h uint64) {
	for b := 0; b < 64; b++ {
		if h&(1<<b) != 0 {
			counts[b]++
		} else {
			counts[b]--
		}
	}
}

// HammingDistance returns the number of differing bits between two SimHashes.
func HammingDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
