package taxonomy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// field restricts where a term may match.
type field uint8

const (
	anyField field = iota
	titleField
	bodyField
)

var fieldNames = map[string]field{"title": titleField, "body": bodyField}

// op is the kind of a query node.
type op uint8

const (
	opTerm op = iota
	opAnd
	opOr
	opNot
	opNear
)

// node is a parsed query expression.
type node struct {
	op    op
	term  int   // opTerm: index into the query's terms
	field field // opTerm: where the term may match
	near  int   // opNear: most words allowed between the two sides
	kids  []*node
	// needs is, for an OR, AND or NEAR node, a bit per query term such that the node can hold
	// only when one of those terms has a hit (nil when there is no such set, as under a NOT).
	// eval turns such a node away with one test against the terms found, instead of visiting
	// its kids: an OR of forty words would visit forty.
	needs []uint64
}

// queryTerm is a phrase or word of a query, with its text as written (without quotes).
type queryTerm struct {
	text   string
	phrase phrase
}

// QueryError is a query that does not parse; Offset is the byte offset in the query.
type QueryError struct {
	Offset int
	Msg    string
}

func (e *QueryError) Error() string { return e.Msg }

// query is a compiled query: its expression and its terms.
type query struct {
	root  *node
	terms []queryTerm
}

// parseQuery parses a query expression (see README.md for the language).
func parseQuery(src string) (*query, error) {
	p := &parser{src: src, q: &query{}}
	p.advance()
	if p.tok.kind == tEOF {
		return nil, p.errAt(0, "empty query")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		switch p.tok.kind {
		case tRParen:
			return nil, p.errAt(p.tok.pos, "unbalanced )")
		case tBad:
			return nil, p.errAt(p.tok.pos, "%s", p.tok.text)
		case tWord, tPhrase, tLParen, tNot, tField:
			return nil, p.errAt(p.tok.pos, "expected AND, OR or NEAR/n before %s (operators are upper case; quote phrases)", p.tok.describe())
		}
		return nil, p.errAt(p.tok.pos, "unexpected %s", p.tok.describe())
	}
	p.q.root = n
	setNeeds(n, (len(p.q.terms)+63)/64)
	return p.q, nil
}

// setNeeds sets node.needs in the tree under n, whose query has words*64 term bits, and returns
// n's set of needed terms (nil when n may hold without any term hit). An OR needs one of its
// kids' terms when every kid has such a set; an AND or a NEAR needs its first kid's, since eval
// gives up on them as soon as their first kid fails (it gives up on any failed kid, with the same
// result); a NOT needs nothing.
func setNeeds(n *node, words int) []uint64 {
	var kidNeeds [][]uint64
	for _, k := range n.kids {
		kidNeeds = append(kidNeeds, setNeeds(k, words))
	}
	switch n.op {
	case opTerm:
		set := make([]uint64, words)
		set[n.term/64] |= 1 << (n.term % 64)
		return set // eval tests a term's own bit directly
	case opOr:
		set := make([]uint64, words)
		for _, kn := range kidNeeds {
			if kn == nil {
				return nil
			}
			for i := range set {
				set[i] |= kn[i]
			}
		}
		n.needs = set
	case opAnd, opNear:
		n.needs = kidNeeds[0]
	}
	return n.needs
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tPhrase
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tNear
	tField
	tBad
)

type qtoken struct {
	kind tokKind
	pos  int    // byte offset
	text string // tWord, tPhrase: content; tField: field name; tBad: message
	n    int    // tNear: distance
}

func (t qtoken) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tWord:
		return "word " + strconv.Quote(t.text)
	case tPhrase:
		return "phrase " + strconv.Quote(t.text)
	case tLParen:
		return "("
	case tRParen:
		return ")"
	case tAnd:
		return "AND"
	case tOr:
		return "OR"
	case tNot:
		return "NOT"
	case tNear:
		return "NEAR/" + strconv.Itoa(t.n)
	case tField:
		return t.text + ":"
	}
	return t.text
}

type parser struct {
	src string
	pos int
	tok qtoken
	q   *query
}

func (p *parser) errAt(pos int, format string, args ...any) *QueryError {
	return &QueryError{Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

// isBareWordRune reports whether r may appear in an unquoted word.
func isBareWordRune(r rune) bool {
	return !unicode.IsSpace(r) && r != '(' && r != ')' && r != '"' && r != ':' && r != '\u201c' && r != '\u201d'
}

// advance reads the next token into p.tok.
func (p *parser) advance() {
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		p.pos += size
	}
	start := p.pos
	if p.pos >= len(p.src) {
		// Report the end of a query at its last character, not after trailing space or newlines.
		p.tok = qtoken{kind: tEOF, pos: len(strings.TrimRightFunc(p.src, unicode.IsSpace))}
		return
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	switch r {
	case '(':
		p.pos += size
		p.tok = qtoken{kind: tLParen, pos: start}
		return
	case ')':
		p.pos += size
		p.tok = qtoken{kind: tRParen, pos: start}
		return
	case '"', '\u201c', '\u201d':
		p.pos += size
		end := strings.IndexAny(p.src[p.pos:], "\"\u201c\u201d")
		if end < 0 {
			p.tok = qtoken{kind: tBad, pos: start, text: "unterminated quoted phrase"}
			p.pos = len(p.src)
			return
		}
		text := p.src[p.pos : p.pos+end]
		_, qsize := utf8.DecodeRuneInString(p.src[p.pos+end:])
		p.pos += end + qsize
		p.tok = qtoken{kind: tPhrase, pos: start, text: text}
		return
	case ':':
		p.pos += size
		p.tok = qtoken{kind: tBad, pos: start, text: "unexpected :"}
		return
	}
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isBareWordRune(r) {
			break
		}
		p.pos += size
	}
	word := p.src[start:p.pos]
	if p.pos < len(p.src) && p.src[p.pos] == ':' {
		p.pos++
		p.tok = qtoken{kind: tField, pos: start, text: word}
		return
	}
	switch {
	case word == "AND":
		p.tok = qtoken{kind: tAnd, pos: start}
	case word == "OR":
		p.tok = qtoken{kind: tOr, pos: start}
	case word == "NOT":
		p.tok = qtoken{kind: tNot, pos: start}
	case word == "NEAR" || strings.HasPrefix(word, "NEAR/"):
		n, err := strconv.Atoi(strings.TrimPrefix(word, "NEAR/"))
		if word == "NEAR" || err != nil || n < 0 || n > 100 {
			p.tok = qtoken{kind: tBad, pos: start, text: "NEAR needs a distance from 0 to 100, as in NEAR/5"}
			return
		}
		p.tok = qtoken{kind: tNear, pos: start, n: n}
	default:
		p.tok = qtoken{kind: tWord, pos: start, text: word}
	}
}

func (p *parser) parseOr() (*node, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for p.tok.kind == tOr {
		p.advance()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &node{op: opOr, kids: kids}, nil
}

func (p *parser) parseAnd() (*node, error) {
	left, err := p.parseNear()
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for p.tok.kind == tAnd {
		p.advance()
		right, err := p.parseNear()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &node{op: opAnd, kids: kids}, nil
}

func (p *parser) parseNear() (*node, error) {
	leftPos := p.tok.pos
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tNear {
		n := p.tok.n
		if left.op == opNot {
			return nil, p.errAt(leftPos, "NOT cannot be an operand of NEAR")
		}
		p.advance()
		rightPos := p.tok.pos
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if right.op == opNot {
			return nil, p.errAt(rightPos, "NOT cannot be an operand of NEAR")
		}
		left = &node{op: opNear, near: n, kids: []*node{left, right}}
	}
	return left, nil
}

func (p *parser) parseUnary() (*node, error) {
	if p.tok.kind == tNot {
		p.advance()
		kid, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{kid}}, nil
	}
	return p.parsePrimary(anyField)
}

func (p *parser) parsePrimary(f field) (*node, error) {
	tok := p.tok
	switch tok.kind {
	case tLParen:
		p.advance()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errAt(p.tok.pos, "expected ) to close ( at column %d, found %s", column(p.src, tok.pos), p.tok.describe())
		}
		p.advance()
		if f != anyField {
			restrict(n, f)
		}
		return n, nil
	case tField:
		nf, ok := fieldNames[tok.text]
		if !ok {
			return nil, p.errAt(tok.pos, "unknown field %q (fields: title, body)", tok.text)
		}
		if f != anyField && f != nf {
			return nil, p.errAt(tok.pos, "field %s: inside another field", tok.text)
		}
		p.advance()
		if p.tok.kind != tWord && p.tok.kind != tPhrase && p.tok.kind != tLParen {
			return nil, p.errAt(p.tok.pos, "expected a term or ( after %s:, found %s", tok.text, p.tok.describe())
		}
		return p.parsePrimary(nf)
	case tWord, tPhrase:
		ph, err := parsePhrase(tok.text)
		if err != nil {
			return nil, p.errAt(tok.pos, "%s: %v", tok.describe(), err)
		}
		p.advance()
		p.q.terms = append(p.q.terms, queryTerm{text: tok.text, phrase: ph})
		return &node{op: opTerm, term: len(p.q.terms) - 1, field: f}, nil
	case tBad:
		return nil, p.errAt(tok.pos, "%s", tok.text)
	}
	return nil, p.errAt(tok.pos, "expected a term, found %s", tok.describe())
}

// restrict applies a field to every term under n that has none of its own.
func restrict(n *node, f field) {
	if n.op == opTerm && n.field == anyField {
		n.field = f
	}
	for _, k := range n.kids {
		restrict(k, f)
	}
}

// parsePhrase normalises a phrase as written in an alias, an exclusion or a query term.
// A trailing * on a space-separated word makes its last normalised word a prefix.
func parsePhrase(s string) (phrase, error) {
	var p phrase
	for _, chunk := range strings.Fields(s) {
		wild := strings.HasSuffix(chunk, "*")
		body := strings.TrimSuffix(chunk, "*")
		if strings.Contains(body, "*") {
			return p, fmt.Errorf("* is allowed only at the end of a word")
		}
		words := Normalize(body)
		if len(words) == 0 {
			if wild {
				return p, fmt.Errorf("* needs a word prefix before it")
			}
			continue
		}
		for i, w := range words {
			p.words = append(p.words, w)
			p.wild = append(p.wild, wild && i == len(words)-1)
		}
		if wild {
			if last := words[len(words)-1]; len(last) < minWildcard {
				return p, fmt.Errorf("wildcard prefix %q is shorter than %d letters", last, minWildcard)
			}
		}
	}
	if len(p.words) == 0 {
		return p, fmt.Errorf("no letters or digits")
	}
	return p, nil
}

// column returns the 1-based column, in characters, of byte offset off in the last line of s[:off].
func column(s string, off int) int {
	if off > len(s) {
		off = len(s)
	}
	line := s[:off]
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	return utf8.RuneCountInString(line) + 1
}

// String renders the query in canonical form; parsing the result yields the same query.
func (q *query) String() string {
	var b strings.Builder
	q.write(&b, q.root, anyField)
	return b.String()
}

func (q *query) write(b *strings.Builder, n *node, outer field) {
	switch n.op {
	case opTerm:
		if n.field != outer {
			for name, f := range fieldNames {
				if f == n.field {
					b.WriteString(name + ":")
				}
			}
		}
		b.WriteString(strconv.Quote(q.terms[n.term].phrase.key()))
	case opNot:
		b.WriteString("NOT ")
		q.writeGroup(b, n.kids[0], outer)
	default:
		sep := map[op]string{opAnd: " AND ", opOr: " OR ", opNear: " NEAR/" + strconv.Itoa(n.near) + " "}[n.op]
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			q.writeGroup(b, k, outer)
		}
	}
}

func (q *query) writeGroup(b *strings.Builder, n *node, outer field) {
	if n.op == opTerm {
		q.write(b, n, outer)
		return
	}
	b.WriteByte('(')
	q.write(b, n, outer)
	b.WriteByte(')')
}
