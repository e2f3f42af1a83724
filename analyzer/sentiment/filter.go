package sentiment

// wordFilter is a set of 16-bit keys of words, put in front of a map of words: a word whose key
// is not in the filter is not in the map, and learning that costs a few instructions instead of
// a map lookup that misses (most words of a text are in none of the word lists).
type wordFilter [1 << 16 / 64]uint64

func (f *wordFilter) add(w string) {
	k := filterKey(w)
	f[k/64] |= 1 << (k % 64)
}

// mayHold reports whether w may be one of the words added; false is certain.
func (f *wordFilter) mayHold(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	k := filterKey(w)
	return f[k/64]&(1<<(k%64)) != 0
}

// filterKey hashes a word's length and its first, middle and last bytes to 16 bits.
func filterKey[T string | []byte](w T) uint16 {
	k := uint32(len(w)) | uint32(w[0])<<8 | uint32(w[len(w)/2])<<16 | uint32(w[len(w)-1])<<24
	return uint16(k * 0x9e3779b1 >> 16)
}
