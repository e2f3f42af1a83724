package whatlanggo

import (
	"sort"
	"sync"
	"unicode"
)

// convert punctuations and digits to space.
func toTrigramChar(ch rune) rune {
	if isStopChar(ch) {
		return ' '
	}
	return ch
}

// forEachTrigram calls f with every trigram of input, in order: the input lower-cased, with
// punctuation, digits and symbols turned into spaces, a space before it and one after it, and
// trigrams whose middle is a space on a space left out.
func forEachTrigram(input string, f func(r1, r2, r3 rune)) {
	first := true
	var r1, r2 rune = ' ', ' '
	for _, ch := range input {
		r3 := unicode.ToLower(toTrigramChar(ch))
		if first {
			r2, first = r3, false
			continue
		}
		if !(r2 == ' ' && (r1 == ' ' || r3 == ' ')) {
			f(r1, r2, r3)
		}
		r1, r2 = r2, r3
	}
	if !first && r2 != ' ' { // the last trigram ends with the space after the input
		f(r1, r2, ' ')
	}
}

// trigramKey is a trigram packed into an integer, 21 bits a rune, so that matching a text
// against the profiles hashes an integer and builds no string per trigram.
type trigramKey uint64

func keyOf(r1, r2, r3 rune) trigramKey {
	return trigramKey(r1)<<42 | trigramKey(r2)<<21 | trigramKey(r3)
}

// profileEntry is one trigram of one language's profile: the language's place in the
// index and the trigram's rank in the profile.
type profileEntry struct {
	lang, rank int32
}

// profileIndex inverts a langProfileList: for each trigram, the profiles that hold it and
// at which rank. Detection then looks up each trigram of the text once, instead of looking
// up every profile trigram of every language in a map of the text's trigrams.
type profileIndex struct {
	langs    []Lang // sorted, so that detection does not depend on map order
	trigrams map[trigramKey][]profileEntry
}

func newProfileIndex(list langProfileList) *profileIndex {
	idx := &profileIndex{trigrams: make(map[trigramKey][]profileEntry)}
	for lang := range list {
		idx.langs = append(idx.langs, lang)
	}
	sort.Slice(idx.langs, func(i, j int) bool { return idx.langs[i] < idx.langs[j] })
	for i, lang := range idx.langs {
		for rank, trigram := range list[lang] {
			runes := []rune(trigram)
			if len(runes) != 3 {
				continue // no text trigram can equal it
			}
			key := keyOf(runes[0], runes[1], runes[2])
			idx.trigrams[key] = append(idx.trigrams[key], profileEntry{int32(i), int32(rank)})
		}
	}
	return idx
}

// scratch is one detection's working memory, pooled because an extractor detects the
// language of every page.
type scratch struct {
	counts        map[trigramKey]int // the text's trigrams with their counts
	dist, matched []int              // by language of the index
}

var scratchPool = sync.Pool{New: func() any { return &scratch{counts: make(map[trigramKey]int)} }}

// distances returns, for each language of the index, what calculateDistance computes from
// count(text): the sum over the profile trigrams the text has of (maxTrigramDistance - rank)
// times the trigram's count in the text, and the number of those trigrams.
func (idx *profileIndex) distances(text string, f func(lang Lang, dist, matched int)) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	clear(s.counts)
	s.dist = append(s.dist[:0], make([]int, len(idx.langs))...)
	s.matched = append(s.matched[:0], make([]int, len(idx.langs))...)

	forEachTrigram(text, func(r1, r2, r3 rune) { s.counts[keyOf(r1, r2, r3)]++ })
	for key, n := range s.counts {
		for _, e := range idx.trigrams[key] {
			s.dist[e.lang] += (maxTrigramDistance - int(e.rank)) * n
			s.matched[e.lang]++
		}
	}
	for i, lang := range idx.langs {
		f(lang, s.dist[i], s.matched[i])
	}
}
