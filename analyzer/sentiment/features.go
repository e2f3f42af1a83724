package sentiment

import (
	"math"
	"slices"
)

// feature is one hashed feature with its value.
type feature struct {
	idx uint32
	val float32
}

// Hash seeds keep the feature families apart in the shared hashed space.
const (
	seedUni    uint64  = 0x9e3779b97f4a7c15
	seedStem   uint64  = 0xc2b2ae3d27d4eb4f
	seedBi     uint64  = 0x165667b19e3779f9
	seedChar   uint64  = 0x27d4eb2f165667c5
	seedPunct  uint64  = 0x85ebca77c2b2ae63
	seedLex    uint64  = 0xff51afd7ed558ccd
	negFlip    uint64  = 0x5bd1e9955bd1e995
	fnvPrime   uint64  = 1099511628211
	maxCharLen         = 40   // longer words contribute char n-grams of their first 40 bytes only
	charWeight float32 = 0.25 // character n-grams count a quarter of a word feature
)

func hashBytes(seed uint64, b []byte) uint64 {
	h := seed
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return mix(h)
}

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// extract appends the hashed features of the annotated tokens in sc to sc.feats and scales them to
// unit length. Lexicon features (English valences) are appended after scaling, as raw values.
func extract(sc *scratch, r *langRules, bits uint8, vader *lexicon) {
	sc.feats = extractRaw(sc, r, bits, sc.feats[:0])
	normalize(sc.feats)
	if vader != nil {
		pos, neg := vader.valence(sc)
		sc.feats = appendValences(sc.feats, bits, pos, neg)
	}
}

// normalize scales feats to unit length.
func normalize(feats []feature) {
	var ss float64
	for _, f := range feats {
		ss += float64(f.val) * float64(f.val)
	}
	if ss > 0 {
		inv := float32(1 / math.Sqrt(ss))
		for i := range feats {
			feats[i].val *= inv
		}
	}
}

// appendValences appends the two lexicon valence features (positive and negative sums).
func appendValences(feats []feature, bits uint8, pos, neg float32) []feature {
	mask := uint64(1)<<bits - 1
	return append(feats,
		feature{uint32(hashBytes(seedLex, []byte("pos")) & mask), squash(pos)},
		feature{uint32(hashBytes(seedLex, []byte("neg")) & mask), squash(neg)})
}

// extractRaw appends the hashed features of the annotated tokens in sc to dst, unscaled, with the
// character n-grams of the lengths r asks for.
func extractRaw(sc *scratch, r *langRules, bits uint8, dst []feature) []feature {
	mask := uint64(1)<<bits - 1
	var prev uint64
	havePrev := false
	var cbuf [maxCharLen + 2]byte
	lo, hi := max(r.charN[0], 1), r.charN[1] // an n-gram of 0 bytes is none
	for i := range sc.toks {
		t := &sc.toks[i]
		switch t.kind {
		case kindStop:
			havePrev = false
			if t.punct == '!' || t.punct == '?' {
				dst = append(dst, feature{uint32(hashBytes(seedPunct, []byte{t.punct}) & mask), 1})
			}
			continue
		case kindComma:
			havePrev = false
			continue
		}
		var flip uint64
		if t.neg {
			flip = negFlip
		}
		w := sc.word(t)
		h := hashBytes(seedUni^flip, w)
		dst = append(dst, feature{uint32(h & mask), t.w})
		if t.stemS != t.s || t.stemE != t.e {
			dst = append(dst, feature{uint32(hashBytes(seedStem^flip, sc.stem(t)) & mask), t.w})
		}
		if havePrev {
			dst = append(dst, feature{uint32(mix(prev*31+h^seedBi) & mask), t.w})
		}
		prev, havePrev = h, true
		// Character n-grams of "<word>".
		n := len(w)
		if n > maxCharLen {
			n = maxCharLen
		}
		cbuf[0] = '<'
		copy(cbuf[1:], w[:n])
		cbuf[n+1] = '>'
		cw := cbuf[:n+2]
		dst = appendCharGrams(dst, &sc.grams, cw, lo, hi, seedChar^flip, mask, t.w*charWeight)
	}
	return dst
}

// maxGramLengths bounds the number of n-gram lengths of a language (charN[1]-charN[0]+1), and
// maxGrams the character n-grams of one word.
const (
	maxGramLengths = 4
	maxGrams       = (maxCharLen + 2) * maxGramLengths
)

// appendCharGrams appends the hashed n-grams of cw of lo to hi bytes, except cw itself, by start
// and then length, with the value val.
func appendCharGrams(dst []feature, hs *[maxGrams]uint64, cw []byte, lo, hi int, seed, mask uint64, val float32) []feature {
	n := charGramHashes(hs, cw, lo, hi, seed)
	dst = slices.Grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	for i, h := range hs[:n] {
		out[i] = feature{uint32(mix(h) & mask), val}
	}
	return dst[:len(dst)+n]
}

// charGramHashes puts the unmixed hashes of appendCharGrams' n-grams in hs and returns how many
// there are. Each start's hash is taken over its first lo-1 bytes before any is noted, and
// starts too near the end for an n-gram of lo bytes are not read at all. It makes no call, so
// that the compiler keeps its values in registers.
func charGramHashes(hs *[maxGrams]uint64, cw []byte, lo, hi int, seed uint64) int {
	n := 0
	for a := 0; a+lo <= len(cw); a++ {
		from, end := a+lo-1, min(a+hi, len(cw)) // the n-grams of this start end at from..end-1
		if a == 0 && end == len(cw) {
			end-- // the whole "<word>" is not an n-gram of it
		}
		h, k := seed, a
		for ; k < from; k++ {
			h = (h ^ uint64(cw[k])) * fnvPrime
		}
		for ; k < end; k++ {
			h = (h ^ uint64(cw[k])) * fnvPrime
			hs[n] = h
			n++
		}
	}
	return n
}

// squash maps a summed valence to [0, 1).
func squash(x float32) float32 { return x / (x + 2) }
