package sentiment

import (
	"bufio"
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// lexicon maps words and short phrases to a polarity score (negative < 0 < positive).
type lexicon struct {
	first map[string][]lexPhrase // keyed by the phrase's first normalised word
	keys  wordFilter             // the keys of first
}

type lexPhrase struct {
	rest     []string // the words after the first
	score    float32
	negation bool // the phrase itself starts with a negator ("tidak tepat sasaran")
}

// parseLexicon reads lines "phrase<TAB>score"; blank lines and lines starting with '#' are skipped.
// Phrases are normalised with the same rules as the text they are matched against.
func parseLexicon(data []byte, r *langRules) (*lexicon, error) {
	lx := &lexicon{first: make(map[string][]lexPhrase)}
	sc := &scratch{}
	s := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for s.Scan() {
		line++
		text := strings.TrimSpace(s.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		phrase, num, ok := strings.Cut(text, "\t")
		if !ok {
			return nil, fmt.Errorf("lexicon line %d: want phrase<TAB>score", line)
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(num), 32)
		if err != nil {
			return nil, fmt.Errorf("lexicon line %d: %w", line, err)
		}
		tokenize(sc, phrase, r)
		annotate(sc, r)
		var words []string
		for i := range sc.toks {
			if sc.toks[i].kind == kindWord {
				words = append(words, string(sc.word(&sc.toks[i])))
			}
		}
		if len(words) == 0 {
			continue
		}
		lx.keys.add(words[0])
		lx.first[words[0]] = append(lx.first[words[0]], lexPhrase{
			rest: words[1:], score: float32(score), negation: r.negators[words[0]],
		})
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	for k, ps := range lx.first {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].rest) > len(ps[j].rest) })
		lx.first[k] = ps
	}
	return lx, nil
}

// valence sums the lexicon scores found in the annotated tokens of sc into a positive and a
// negative total. A hit inside a negation scope is flipped (a negated negative counts half), and
// every hit carries its token's clause and intensity weight.
func (lx *lexicon) valence(sc *scratch) (pos, neg float32) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if t.kind != kindWord {
			continue
		}
		p, n, ok := lx.match(sc, i, sc.word(t))
		if !ok && (t.stemS != t.s || t.stemE != t.e) {
			p, n, ok = lx.match(sc, i, sc.stem(t))
		}
		if !ok {
			continue
		}
		score := p.score * t.w
		if t.neg && !p.negation {
			if score > 0 {
				score = -0.8 * score
			} else {
				score = -0.5 * score
			}
		}
		if score > 0 {
			pos += score
		} else {
			neg -= score
		}
		i += n - 1
	}
	return pos, neg
}

// match finds the longest phrase starting at token i whose first word is key; n is its length in tokens.
func (lx *lexicon) match(sc *scratch, i int, key []byte) (lexPhrase, int, bool) {
	if !lx.keys.mayHold(key) {
		return lexPhrase{}, 0, false
	}
	cands, ok := lx.first[string(key)]
	if !ok {
		return lexPhrase{}, 0, false
	}
next:
	for _, p := range cands {
		if i+len(p.rest) >= len(sc.toks) {
			continue
		}
		for k, w := range p.rest {
			t := &sc.toks[i+1+k]
			if t.kind != kindWord || (string(sc.word(t)) != w && string(sc.stem(t)) != w) {
				continue next
			}
		}
		return p, len(p.rest) + 1, true
	}
	return lexPhrase{}, 0, false
}

// EnglishValence returns the VADER valence (-4..4) of one lower-cased English word, 0 for a word
// the lexicon does not list.
func EnglishValence(word string) float32 {
	if loadLexicons() != nil {
		return 0
	}
	for _, p := range lexVaderEN.first[word] {
		if len(p.rest) == 0 {
			return p.score
		}
	}
	return 0
}
