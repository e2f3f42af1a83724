package taxonomy

import (
	"cmp"
	"slices"
)

// Span is the byte range [Start, End) of a sentence in a text.
type Span struct{ Start, End int }

// Match is one programme found in an article.
type Match struct {
	// Programme indexes Programmes().
	Programme int
	// Terms are the aliases and query terms that matched, as written in the taxonomy: aliases in
	// order of first occurrence, then weak aliases likewise, then the query terms that made the query true.
	Terms []string
	// Sentences are the indices of the body sentences holding the matched terms, ascending.
	Sentences []int
	// InTitle is set when a matched term is in the title.
	InTitle bool
}

// LeadSentences is the number of body sentences that, with the title, make an article's lead: a
// weak alias found there counts on its own.
const LeadSentences = 3

// hit is one pattern occurrence.
type hit struct {
	pattern    int32
	sentence   int32 // index into the sentences, or -1 for the title
	start, end int32 // word positions, end exclusive; title and body are numbered separately
}

// entry is one hit as seen by one programme.
type entry struct {
	kind uint8
	idx  int32
	hit  int32
}

// ref is a hit that makes a query true, with the query term it satisfied.
type ref struct{ hit, term int32 }

// scratch is the per-call working memory of Match, pooled.
type scratch struct {
	hits    []hit
	entries [][]entry // per programme
	touched []int32
	excl    []int32
	refs    []ref    // the hits that make the query being evaluated hold (evaluator.add)
	used    []bool   // per right-hand hit of a NEAR being evaluated
	found   []uint64 // bit per query term with a hit, for the query being evaluated
}

// Match finds the programmes mentioned in an article. sentences cut body into sentences (nil means
// the whole body is one sentence); phrases never match across sentence boundaries, and Match reports
// sentences by their index in this slice.
//
// A programme matches when one of its aliases, or its query, is found outside any sentence holding
// one of its exclusions, or when its weak aliases are found there in the title or the lead (the
// first LeadSentences sentences) or at least twice. Matches are returned in programme order.
func (t *Taxonomy) Match(title, body string, sentences []Span) []Match {
	s := t.pool.Get().(*scratch)
	defer t.pool.Put(s)
	s.hits = s.hits[:0]

	t.scan(s, title, -1, 0)
	if sentences == nil {
		t.scan(s, body, 0, 0)
	} else {
		var pos int32
		for i, sp := range sentences {
			pos = t.scan(s, body[sp.Start:sp.End], int32(i), pos)
		}
	}
	return t.matches(s)
}

// MatchWords is Match on a body already split into words: it gives what Match(title,
// body.Text(), sentences) gives, without splitting the body again.
func (t *Taxonomy) MatchWords(title string, body *WordList, sentences []Span) []Match {
	s := t.pool.Get().(*scratch)
	defer t.pool.Put(s)
	s.hits = s.hits[:0]

	t.scan(s, title, -1, 0)
	if sentences == nil {
		t.scanWords(s, body, 0, body.Len(), 0, 0)
	} else {
		var pos int32
		next := 0 // the first word after the previous sentence
		for i, sp := range sentences {
			pos, next = t.scanSentence(s, body, sp, next, int32(i), pos)
		}
	}
	return t.matches(s)
}

// matches turns the hits in s into the programmes they match, in programme order.
func (t *Taxonomy) matches(s *scratch) []Match {
	for hi, h := range s.hits {
		for _, u := range t.uses[h.pattern] {
			if len(s.entries[u.prog]) == 0 {
				s.touched = append(s.touched, u.prog)
			}
			s.entries[u.prog] = append(s.entries[u.prog], entry{u.kind, u.idx, int32(hi)})
		}
	}
	slices.Sort(s.touched)
	var out []Match
	for _, p := range s.touched {
		if m, ok := t.judge(s, int(p)); ok {
			out = append(out, m)
		}
		s.entries[p] = s.entries[p][:0]
	}
	s.touched = s.touched[:0]
	return out
}

// scan runs the automaton over one sentence (or the title), appending hits. Word positions continue
// from pos; the next free position is returned.
func (t *Taxonomy) scan(s *scratch, text string, sentence int32, pos int32) int32 {
	var state int32
	var arr [64]byte
	buf := arr[:0]
	for i := 0; ; pos++ {
		var start, end int
		start, end, buf = nextWord(text, i, buf[:0])
		if start == len(text) {
			return pos
		}
		i = end
		state = t.step(s, state, buf, sentence, pos)
	}
}

// scanSentence scans the words of body within sentence span sp as scan scans body's text there,
// and returns the next free position and the first word after the sentence. A word the span
// cuts (a long run of text cut inside a word) is a different word in the span's own text, so
// such a span's text is scanned instead. from is where to look for the sentence's first word:
// the first word after the previous sentence when sentences come in order, as they do.
func (t *Taxonomy) scanSentence(s *scratch, body *WordList, sp Span, from int, sentence int32, pos int32) (int32, int) {
	words := body.words
	if from > len(words) || from > 0 && words[from-1].end > sp.Start {
		from, _ = slices.BinarySearchFunc(words, sp.Start, func(w listWord, at int) int { return cmp.Compare(w.end, at+1) })
	}
	for from < len(words) && words[from].end <= sp.Start {
		from++
	}
	to := from
	for to < len(words) && words[to].start < sp.End {
		to++
	}
	if from < to && (words[from].start < sp.Start || words[to-1].end > sp.End) {
		return t.scan(s, body.text[sp.Start:sp.End], sentence, pos), to
	}
	return t.scanWords(s, body, from, to, sentence, pos), to
}

// scanWords is scan over words from..to-1 of body.
func (t *Taxonomy) scanWords(s *scratch, body *WordList, from, to int, sentence int32, pos int32) int32 {
	var state int32
	for _, w := range body.words[from:to] {
		state = t.step(s, state, body.lower[w.lo:w.hi], sentence, pos)
		pos++
	}
	return pos
}

// step moves the automaton from state over the lower-cased word w at position pos, appending the
// hits it recognises, and returns the new state.
func (t *Taxonomy) step(s *scratch, state int32, w []byte, sentence int32, pos int32) int32 {
	state = t.ac.step(state, t.ac.class(w))
	for _, p := range t.ac.out[state] {
		s.hits = append(s.hits, hit{pattern: p, sentence: sentence, start: pos + 1 - t.ac.patLen[p], end: pos + 1})
	}
	return state
}

// judge decides whether programme p matched, given its entries.
func (t *Taxonomy) judge(s *scratch, p int) (Match, bool) {
	entries := s.entries[p]
	s.excl = s.excl[:0]
	for _, e := range entries {
		if e.kind == kindExclusion {
			s.excl = append(s.excl, s.hits[e.hit].sentence)
		}
	}
	// s.excl is in sentence order, as entries are (hits are made title first, then sentence by
	// sentence), so both lookups below are binary searches: matching stays linear in the text.
	excluded := func(h int32) bool {
		_, found := slices.BinarySearch(s.excl, s.hits[h].sentence)
		return found
	}

	m := Match{Programme: p}
	var sentences []int
	note := func(h int32) {
		if sn := s.hits[h].sentence; sn < 0 {
			m.InTitle = true
		} else {
			sentences = append(sentences, int(sn))
		}
	}
	prog := &t.progs[p]
	var seen [2]uint64 // bit per alias and per weak alias, for the first 64; others checked by value
	addAlias := func(e entry) {
		names, bit := prog.Aliases, &seen[0]
		if e.kind == kindWeak {
			names, bit = prog.WeakAliases, &seen[1]
		}
		if e.idx < 64 {
			if *bit&(1<<e.idx) != 0 {
				return
			}
			*bit |= 1 << e.idx
		} else if slices.Contains(m.Terms, names[e.idx]) {
			return
		}
		m.Terms = append(m.Terms, names[e.idx])
	}
	counts := func(e entry, kind uint8) bool {
		return e.kind == kind && !excluded(e.hit) && !insideAlias(s, entries, e.hit, true)
	}
	for _, e := range entries {
		if counts(e, kindAlias) {
			note(e.hit)
			addAlias(e)
		}
	}
	matched := len(m.Terms) > 0
	var queryRefs []ref
	q := t.compiled[p].query
	if q != nil {
		e := newEvaluator(s, q, entries, excluded)
		if ok, refs := e.eval(q.root); ok {
			matched = true
			queryRefs = refs
		}
	}
	// Weak aliases count only where the programme is salient.
	weakHits, salient := 0, matched
	for _, e := range entries {
		if counts(e, kindWeak) {
			weakHits++
			salient = salient || s.hits[e.hit].sentence < LeadSentences
		}
	}
	if weakHits > 0 && (salient || weakHits >= 2) {
		matched = true
		for _, e := range entries {
			if counts(e, kindWeak) {
				note(e.hit)
				addAlias(e)
			}
		}
	}
	if len(queryRefs) > 0 {
		terms := make([]int32, 0, len(queryRefs))
		for _, r := range queryRefs {
			note(r.hit)
			if !insideAlias(s, entries, r.hit, false) {
				terms = append(terms, r.term) // a term within a reported alias adds nothing
			}
		}
		slices.Sort(terms)
		for _, ti := range slices.Compact(terms) {
			if text := q.terms[ti].text; !slices.Contains(m.Terms, text) {
				m.Terms = append(m.Terms, text)
			}
		}
	}
	if !matched {
		return Match{}, false
	}
	slices.Sort(sentences)
	m.Sentences = slices.Compact(sentences)
	return m, true
}

// insideAlias reports whether hit h lies within an alias hit of the same programme: a longer one
// when strict (only "blangko KTP" is reported, not "KTP" within it), or possibly the same span.
//
// entries are in sentence order, so only the entries of h's sentence are looked at.
func insideAlias(s *scratch, entries []entry, h int32, strict bool) bool {
	a := s.hits[h]
	i, _ := slices.BinarySearchFunc(entries, a.sentence, func(e entry, sentence int32) int {
		return cmp.Compare(s.hits[e.hit].sentence, sentence)
	})
	for ; i < len(entries) && s.hits[entries[i].hit].sentence == a.sentence; i++ {
		e := entries[i]
		if e.kind != kindAlias && e.kind != kindWeak {
			continue
		}
		b := s.hits[e.hit]
		if b.start <= a.start && a.end <= b.end && (!strict || b.end-b.start > a.end-a.start) {
			return true
		}
	}
	return false
}

// evaluator evaluates a query over one programme's hits.
type evaluator struct {
	s        *scratch
	entries  []entry
	excluded func(int32) bool
}

// newEvaluator returns an evaluator of q over entries, noting in s.found the terms they hit.
func newEvaluator(s *scratch, q *query, entries []entry, excluded func(int32) bool) *evaluator {
	s.found = s.found[:0]
	for range (len(q.terms) + 63) / 64 {
		s.found = append(s.found, 0)
	}
	for _, en := range entries {
		if en.kind == kindTerm {
			s.found[en.idx/64] |= 1 << (en.idx % 64)
		}
	}
	return &evaluator{s: s, entries: entries, excluded: excluded}
}

// eval reports whether n holds, and the hits that make it hold (in the scratch memory: valid
// until the next evaluation).
func (e *evaluator) eval(n *node) (bool, []ref) {
	e.s.refs = e.s.refs[:0]
	ok := e.add(n)
	return ok, e.s.refs
}

// add reports whether n holds and appends to s.refs the hits that make it hold; when n does not
// hold, s.refs is left as it was. Each node's hits thus follow its first kid's in one slice, and
// evaluating a query allocates nothing once the scratch memory has grown.
func (e *evaluator) add(n *node) bool {
	s := e.s
	mark := len(s.refs)
	if n.needs != nil && !anyFound(s.found, n.needs) {
		return false // what visiting the kids would find, see node.needs
	}
	switch n.op {
	case opTerm:
		if s.found[n.term/64]&(1<<(n.term%64)) == 0 {
			return false // no hit of the term: the common case in a query of many terms
		}
		for _, en := range e.entries {
			if en.kind != kindTerm || en.idx != int32(n.term) || e.excluded(en.hit) {
				continue
			}
			inTitle := s.hits[en.hit].sentence < 0
			if n.field == titleField && !inTitle || n.field == bodyField && inTitle {
				continue
			}
			s.refs = append(s.refs, ref{en.hit, en.idx})
		}
		return len(s.refs) > mark
	case opAnd:
		for _, k := range n.kids {
			if !e.add(k) {
				s.refs = s.refs[:mark]
				return false
			}
		}
		return true
	case opOr:
		any := false
		for _, k := range n.kids {
			if e.add(k) {
				any = true
			}
		}
		return any
	case opNot:
		ok := e.add(n.kids[0])
		s.refs = s.refs[:mark]
		return !ok
	default: // opNear
		if !e.add(n.kids[0]) {
			return false
		}
		mid := len(s.refs)
		if !e.add(n.kids[1]) {
			s.refs = s.refs[:mark]
			return false
		}
		end := len(s.refs)
		// The hits found near each other are appended after both sides, then moved down over
		// them; left and right keep reading the sides even if appending moves s.refs.
		left, right := s.refs[mark:mid:mid], s.refs[mid:end:end]
		// Both sides sorted by place, each left hit looks only at the right hits that start
		// within reach of it: linear in the hits, not their product.
		// place orders hits: the title's (half 0) before the body's (half 1), then by position.
		place := func(r ref) (int, int32) {
			h := s.hits[r.hit]
			if h.sentence < 0 {
				return 0, h.start
			}
			return 1, h.start
		}
		cmpPlace := func(ah int, as int32, bh int, bs int32) int {
			if c := cmp.Compare(ah, bh); c != 0 {
				return c
			}
			return cmp.Compare(as, bs)
		}
		slices.SortFunc(right, func(a, b ref) int {
			ah, as := place(a)
			bh, bs := place(b)
			return cmpPlace(ah, as, bh, bs)
		})
		var longest int32
		for _, r := range right {
			h := s.hits[r.hit]
			longest = max(longest, h.end-h.start)
		}
		s.used = append(s.used[:0], make([]bool, len(right))...)
		for _, l := range left {
			lh := s.hits[l.hit]
			half, _ := place(l)
			from := lh.start - int32(n.near) - longest
			lo, _ := slices.BinarySearchFunc(right, l, func(r, _ ref) int {
				rh, rs := place(r)
				return cmpPlace(rh, rs, half, from)
			})
			near := false
			for j := lo; j < len(right); j++ {
				rh := s.hits[right[j].hit]
				if (lh.sentence < 0) != (rh.sentence < 0) || rh.start > lh.end+int32(n.near) {
					break
				}
				if gap(lh, rh) > n.near {
					continue
				}
				near = true
				if !s.used[j] {
					s.used[j] = true
					s.refs = append(s.refs, right[j])
				}
			}
			if near {
				s.refs = append(s.refs, l)
			}
		}
		found := copy(s.refs[mark:], s.refs[end:])
		s.refs = s.refs[:mark+found]
		return found > 0
	}
}

// anyFound reports whether found and needs share a bit.
func anyFound(found, needs []uint64) bool {
	for i, w := range needs {
		if found[i]&w != 0 {
			return true
		}
	}
	return false
}

// gap returns the number of words between two hits (0 when adjacent or overlapping).
func gap(a, b hit) int {
	switch {
	case a.end <= b.start:
		return int(b.start - a.end)
	case b.end <= a.start:
		return int(a.start - b.end)
	}
	return 0
}
