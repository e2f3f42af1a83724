package taxonomy

// wordTable maps words to classes by open addressing (linear probing) on their wordKey. It
// replaces a map[string]int32 on the matcher's hot path: the caller has already taken the key for
// the bitset in front of the table, so a look-up costs the probe and one string comparison
// instead of a map's own hashing of the word.
type wordTable struct {
	slots []wordSlot // a power of two in length, at most half full; an empty word marks a free slot
	n     int
}

type wordSlot struct {
	word  string
	class int32
}

// put adds w (non-empty) with its class, replacing an earlier class of w.
func (t *wordTable) put(w string, class int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	s := slot(t, w, wordKey(w))
	if s.word == "" {
		s.word = w
		t.n++
	}
	s.class = class
}

// get returns the class of w, whose wordKey is key, and whether w is in the table.
func (t *wordTable) get(w []byte, key uint16) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	s := slot(t, w, key)
	return s.class, s.word != ""
}

// slot returns w's slot in t, or the free slot where it would go.
func slot[T string | []byte](t *wordTable, w T, key uint16) *wordSlot {
	mask := len(t.slots) - 1
	for i := int(key) & mask; ; i = (i + 1) & mask {
		if s := &t.slots[i]; s.word == "" || s.word == string(w) {
			return s
		}
	}
}

func (t *wordTable) grow() {
	old := t.slots
	t.slots, t.n = make([]wordSlot, max(64, 2*len(old))), 0
	for _, s := range old {
		if s.word != "" {
			t.put(s.word, s.class)
		}
	}
}
