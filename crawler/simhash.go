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
	var counts bitCounts
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
			counts.add(h)
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
		counts.add(h)
	}
	return counts.majority()
}

// bitCounts counts, for each of 64 bit positions, the hashes added with that bit set. The
// counts are bit-sliced: planes[i] holds bit i of all 64 counts, so that adding a hash
// is a ripple-carry addition over words (two on average), not a loop over its bits.
type bitCounts struct {
	planes [32]uint64
	n      uint64 // hashes added
}

func (c *bitCounts) add(h uint64) {
	c.n++
	for i := 0; h != 0 && i < len(c.planes); i++ {
		carry := c.planes[i] & h
		c.planes[i] ^= h
		h = carry
	}
}

// majority returns the hash whose bit b is set when more than half of the hashes added
// had bit b set: each bit-sliced count is compared with n/2, most significant bit first.
func (c *bitCounts) majority() uint64 {
	half := c.n / 2
	var gt uint64
	eq := ^uint64(0)
	for i := len(c.planes) - 1; i >= 0; i-- {
		if half>>i&1 == 1 {
			eq &= c.planes[i]
		} else {
			gt |= eq & c.planes[i]
			eq &^= c.planes[i]
		}
	}
	return gt
}

// HammingDistance returns the number of differing bits between two SimHashes.
func HammingDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
