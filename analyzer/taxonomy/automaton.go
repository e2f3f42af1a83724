package taxonomy

import (
	"fmt"
	"slices"
	"strings"
)

// phrase is a sequence of normalised words; a word marked wild matches any word it is a prefix of.
type phrase struct {
	words []string
	wild  []bool
}

// key identifies a phrase independently of how it was written.
func (p phrase) key() string {
	var b strings.Builder
	for i, w := range p.words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if p.wild[i] {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// minWildcard is the shortest prefix a wildcard may have, in bytes.
const minWildcard = 3

// maxExpansions bounds the trie paths one phrase may expand into through its wildcards.
const maxExpansions = 1024

// automaton is an Aho–Corasick automaton whose alphabet is word classes rather than bytes.
//
// Each article word is mapped to one class: the set of pattern elements it satisfies (its exact
// form if some pattern uses it, plus every wildcard prefix it starts with). Classes are built at
// compile time so that the mapping is a single lookup and the automaton stays deterministic; a word
// no pattern can use maps to no class and sends the automaton back to its root at no cost.
type automaton struct {
	vocab     wordTable        // exact word → class
	wild      wordTable        // wildcard prefix → class of words sharing no exact entry
	wildLens  []int            // distinct wildcard prefix lengths, longest first
	root      []int32          // class → state reached from the root (0 when none)
	next      map[uint64]int32 // state<<32 | class → state, for states other than the root
	fail      []int32
	out       [][]int32 // patterns recognised on entering a state, including through failure links
	patLen    []int32   // words per pattern
	exactKeys bitset    // the wordKey of every exact word
	wildKeys  bitset    // the first two bytes of every wildcard prefix
}

// bitset is a set of 16-bit keys.
type bitset [1 << 16 / 64]uint64

func (b *bitset) add(k uint16)      { b[k/64] |= 1 << (k % 64) }
func (b *bitset) has(k uint16) bool { return b[k/64]&(1<<(k%64)) != 0 }
func startKey[T string | []byte](w T) uint16 {
	if len(w) < 2 {
		return uint16(w[0]) << 8
	}
	return uint16(w[0])<<8 | uint16(w[1])
}

// wordKey hashes a word's length and its first, middle and last bytes to 16 bits: equal words
// have equal keys, and with a thousand exact words most other words' keys are in no set.
func wordKey[T string | []byte](w T) uint16 {
	k := uint32(len(w)) | uint32(w[0])<<8 | uint32(w[len(w)/2])<<16 | uint32(w[len(w)-1])<<24
	return uint16(k * 0x9e3779b1 >> 16)
}

// buildAutomaton compiles the patterns; pattern i is reported as i.
func buildAutomaton(pats []phrase) (*automaton, error) {
	a := &automaton{next: map[uint64]int32{}}
	var exact, prefixes []string
	seenE, seenW := map[string]bool{}, map[string]bool{}
	for _, p := range pats {
		for i, w := range p.words {
			switch {
			case p.wild[i] && !seenW[w]:
				seenW[w] = true
				prefixes = append(prefixes, w)
			case !p.wild[i] && !seenE[w]:
				seenE[w] = true
				exact = append(exact, w)
			}
		}
	}
	slices.Sort(exact)
	slices.Sort(prefixes)
	for i, w := range exact {
		a.vocab.put(w, int32(i))
		a.exactKeys.add(wordKey(w))
	}
	lens := map[int]bool{}
	for i, w := range prefixes {
		a.wild.put(w, int32(len(exact)+i))
		a.wildKeys.add(startKey(w))
		lens[len(w)] = true
	}
	for l := range lens {
		a.wildLens = append(a.wildLens, l)
	}
	slices.Sort(a.wildLens)
	slices.Reverse(a.wildLens)

	// The classes a wildcard element matches: every exact word and every longer wildcard it prefixes.
	wildClasses := map[string][]int32{}
	for _, w := range prefixes {
		var cs []int32
		for i, e := range exact {
			if strings.HasPrefix(e, w) {
				cs = append(cs, int32(i))
			}
		}
		for j, o := range prefixes {
			if strings.HasPrefix(o, w) {
				cs = append(cs, int32(len(exact)+j))
			}
		}
		wildClasses[w] = cs
	}

	// Trie over classes.
	type edge struct{ class, to int32 }
	children := [][]edge{nil}
	a.out = [][]int32{nil}
	a.root = make([]int32, len(exact)+len(prefixes))
	child := func(s, c int32) int32 {
		if s == 0 {
			return a.root[c]
		}
		return a.next[uint64(s)<<32|uint64(c)]
	}
	for pi, p := range pats {
		a.patLen = append(a.patLen, int32(len(p.words)))
		states := []int32{0}
		for i, w := range p.words {
			c, _ := a.vocab.get([]byte(w), wordKey(w))
			cs := []int32{c}
			if p.wild[i] {
				cs = wildClasses[w]
			}
			if len(states)*len(cs) > maxExpansions {
				return nil, fmt.Errorf("%q: wildcards match too many word combinations (more than %d)", p.key(), maxExpansions)
			}
			var nexts []int32
			for _, s := range states {
				for _, c := range cs {
					t := child(s, c)
					if t == 0 {
						t = int32(len(children))
						children = append(children, nil)
						a.out = append(a.out, nil)
						children[s] = append(children[s], edge{c, t})
						if s == 0 {
							a.root[c] = t
						} else {
							a.next[uint64(s)<<32|uint64(c)] = t
						}
					}
					nexts = append(nexts, t)
				}
			}
			states = nexts
		}
		for _, s := range states {
			if !slices.Contains(a.out[s], int32(pi)) {
				a.out[s] = append(a.out[s], int32(pi))
			}
		}
	}

	// Failure links, breadth first, merging outputs along them.
	a.fail = make([]int32, len(children))
	queue := make([]int32, 0, len(children))
	for _, e := range children[0] {
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range children[u] {
			f := a.step(a.fail[u], e.class)
			if f == e.to {
				f = 0
			}
			a.fail[e.to] = f
			a.out[e.to] = append(a.out[e.to], a.out[f]...)
			queue = append(queue, e.to)
		}
	}
	return a, nil
}

// step returns the state after reading a word of class c in state s.
func (a *automaton) step(s, c int32) int32 {
	if c < 0 {
		return 0
	}
	for s != 0 {
		if t, ok := a.next[uint64(s)<<32|uint64(c)]; ok {
			return t
		}
		s = a.fail[s]
	}
	return a.root[c]
}

// class returns the class of a lower-cased article word, or -1 when no pattern can use it.
//
// Most words are turned away by two bitsets before any map is read: one of the keys of the exact
// words, one of the first two bytes of the wildcard prefixes. A word no pattern uses exactly is
// retried without the Indonesian enclitic "-nya" ("KTPnya", "sampahnya"), then against the
// wildcard prefixes, longest first.
func (a *automaton) class(w []byte) int32 {
	if len(w) == 0 {
		return -1
	}
	if k := wordKey(w); a.exactKeys.has(k) {
		if c, ok := a.vocab.get(w, k); ok {
			return c
		}
	}
	if n := len(w); n >= 5 && string(w[n-3:]) == "nya" {
		if k := wordKey(w[:n-3]); a.exactKeys.has(k) {
			if c, ok := a.vocab.get(w[:n-3], k); ok {
				return c
			}
		}
	}
	if !a.wildKeys.has(startKey(w)) {
		return -1 // no wildcard prefix starts like w (each is at least minWildcard bytes long)
	}
	for _, l := range a.wildLens {
		if l <= len(w) {
			if c, ok := a.wild.get(w[:l], wordKey(w[:l])); ok {
				return c
			}
		}
	}
	return -1
}
