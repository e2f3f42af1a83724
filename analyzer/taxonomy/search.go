package taxonomy

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Limits of a search query, which comes from a user.
const (
	// MaxQueryBytes bounds the length of a search query.
	MaxQueryBytes = 2000
	// MaxQueryTerms bounds the number of terms in a search query.
	MaxQueryTerms = 64
)

// Query is a search query in the taxonomy's query language (README.md), compiled for
// finding articles and the places of its terms in them. It is safe for concurrent use.
type Query struct {
	src string
	q   *query
	t   *Taxonomy // one programme: the query
}

// ParseQuery compiles a search query. An error names the query and the column of the
// problem, and wraps a *QueryError holding its byte offset.
func ParseQuery(src string) (*Query, error) {
	fail := func(qe *QueryError) error {
		return fmt.Errorf("query %q: column %d: %w", src, column(src, qe.Offset), qe)
	}
	if len(src) > MaxQueryBytes {
		return nil, fail(&QueryError{Offset: MaxQueryBytes, Msg: fmt.Sprintf("longer than %d bytes", MaxQueryBytes)})
	}
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("query %q: not valid UTF-8", src)
	}
	q, err := parseQuery(src)
	if err != nil {
		if qe, ok := err.(*QueryError); ok {
			return nil, fail(qe)
		}
		return nil, fmt.Errorf("query %q: %w", src, err)
	}
	if len(q.terms) > MaxQueryTerms {
		return nil, fail(&QueryError{Msg: fmt.Sprintf("%d terms; at most %d are allowed", len(q.terms), MaxQueryTerms)})
	}
	if q.root.matchesNothing() {
		return nil, fail(&QueryError{Msg: "true for an article holding none of its terms; combine NOT with a positive term"})
	}
	t := &Taxonomy{progs: []Programme{{ID: "query", Query: src}}, compiled: []compiled{{query: q}}}
	pats := patterns{index: map[string]int{}}
	for i, term := range q.terms {
		pats.add(term.phrase, use{0, kindTerm, int32(i)})
	}
	if err := t.build(&pats); err != nil {
		return nil, fmt.Errorf("query %q: %w", src, err)
	}
	return &Query{src: src, q: q, t: t}, nil
}

// String returns the query as written.
func (q *Query) String() string { return q.src }

// Hit is the byte range [Start, End) of a query term found in an article's title (Title
// set) or body.
type Hit struct {
	Title      bool
	Start, End int
}

// Find reports whether an article matches the query and, when it does, where the terms
// that make it true are: title hits first, then body hits, each in text order, without
// overlaps. sentences cut body as for Taxonomy.Match (nil: one sentence); phrases never reach
// across them. Terms under NOT are never reported.
func (q *Query) Find(title, body string, sentences []Span) ([]Hit, bool) {
	t := q.t
	s := t.pool.Get().(*scratch)
	defer t.pool.Put(s)
	s.hits = s.hits[:0]
	t.scan(s, title, -1, 0)
	if sentences == nil {
		sentences = []Span{{0, len(body)}}
	}
	var pos int32
	for i, sp := range sentences {
		pos = t.scan(s, body[sp.Start:sp.End], int32(i), pos)
	}
	entries := s.entries[0][:0]
	for hi, h := range s.hits {
		for _, u := range t.uses[h.pattern] {
			entries = append(entries, entry{u.kind, u.idx, int32(hi)})
		}
	}
	s.entries[0] = entries
	e := newEvaluator(s, q.q, entries, func(int32) bool { return false })
	ok, refs := e.eval(q.q.root)
	if !ok {
		return nil, false
	}
	// Word positions to byte ranges: walk the title and the sentences again.
	want := make(map[[2]int32]bool, len(refs)) // (half, word position); half 0 title, 1 body
	for _, r := range refs {
		h := s.hits[r.hit]
		half := int32(1)
		if h.sentence < 0 {
			half = 0
		}
		for p := h.start; p < h.end; p++ {
			want[[2]int32{half, p}] = true
		}
	}
	var hits []Hit
	mark := func(inTitle bool, half int32, text string, offset int, pos int32) int32 {
		Words(text, func(_ []byte, start, end int) {
			if want[[2]int32{half, pos}] {
				if n := len(hits); n > 0 && hits[n-1].Title == inTitle && hits[n-1].End >= offset+start-1 &&
					onlySpace(title, body, inTitle, hits[n-1].End, offset+start) {
					hits[n-1].End = offset + end // the next word of a phrase: one hit
				} else {
					hits = append(hits, Hit{Title: inTitle, Start: offset + start, End: offset + end})
				}
			}
			pos++
		})
		return pos
	}
	mark(true, 0, title, 0, 0)
	pos = 0
	for _, sp := range sentences {
		pos = mark(false, 1, body[sp.Start:sp.End], sp.Start, pos)
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if a.Title != b.Title {
			if a.Title {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Start, b.Start)
	})
	return hits, true
}

// onlySpace reports whether the text between two byte offsets is a single separator.
func onlySpace(title, body string, inTitle bool, from, to int) bool {
	text := body
	if inTitle {
		text = title
	}
	gap := text[from:to]
	return len(gap) <= 1 && (gap == "" || gap == " " || gap == "-")
}

// Required returns words an article must contain for the query to match: every inner
// slice lists lower-case words one of which occurs in the title or body, as a
// case-insensitive substring. It is a necessary condition only, meant for a pre-filter
// before Find; words that are not plain ASCII are left out (a store may fold their case
// otherwise), so the result may be empty.
func (q *Query) Required() [][]string {
	return q.required(q.q.root)
}

func (q *Query) required(n *node) [][]string {
	switch n.op {
	case opTerm:
		var best string
		for _, w := range q.q.terms[n.term].phrase.words {
			if len(w) > len(best) && isASCIIWord(w) {
				best = w
			}
		}
		if best == "" {
			return nil
		}
		return [][]string{{best}}
	case opAnd, opNear:
		var out [][]string
		for _, k := range n.kids {
			out = append(out, q.required(k)...)
		}
		return out
	case opOr:
		var any []string
		for _, k := range n.kids {
			r := q.required(k)
			if len(r) == 0 {
				return nil // this side needs no fixed word
			}
			any = append(any, r[0]...)
		}
		slices.Sort(any)
		return [][]string{slices.Compact(any)}
	}
	return nil // NOT requires nothing
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || !isWordByte[w[i]] {
			return false
		}
	}
	return true
}
