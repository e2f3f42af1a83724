// Package taxonomy holds the catalogue of government programmes Pantau watches and finds them in
// article text: each programme's aliases, exclusions and optional boolean query are compiled into
// one word-level Aho–Corasick automaton, so the cost per article barely grows with the catalogue.
//
// The file format and the query language are described in README.md.
package taxonomy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the taxonomy shipped in the binary, as YAML.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

var defaultTaxonomy = sync.OnceValue(func() *Taxonomy {
	t, err := Parse(defaultYAML, "default.yaml")
	if err != nil {
		panic("taxonomy: shipped default.yaml is invalid: " + err.Error())
	}
	return t
})

// Default returns the taxonomy shipped in the binary. It is shared and must not be modified.
func Default() *Taxonomy { return defaultTaxonomy() }

// Programme is one government programme or public service that articles are matched against.
type Programme struct {
	// ID is the stable identifier stored with each mention and used as a metric label.
	ID string `yaml:"id"`
	// Name is the programme's human-readable name.
	Name string `yaml:"name"`
	// Unit is the office responsible for answering about the programme.
	Unit string `yaml:"unit"`
	// UnitID is a stable id of that office, such as "disdukcapil": alerts carry it and
	// Alertmanager routes on it, so rewording Unit does not change where alerts go. Optional;
	// programmes sharing a Unit share their UnitID.
	UnitID string `yaml:"unit_id,omitempty"`
	// Description is free text for people maintaining the taxonomy.
	Description string `yaml:"description,omitempty"`
	// Aliases are phrases that each signal the programme.
	Aliases []string `yaml:"aliases,omitempty"`
	// WeakAliases are generic phrases that signal the programme only where it is salient: in the
	// title or the lead, twice or more, or next to a match of an alias or the query.
	WeakAliases []string `yaml:"weak_aliases,omitempty"`
	// Exclusions are phrases that cancel any match in the same sentence.
	Exclusions []string `yaml:"exclusions,omitempty"`
	// Query is an optional boolean query that also signals the programme.
	Query string `yaml:"query,omitempty"`
}

// file is the YAML document.
type file struct {
	Programmes []Programme `yaml:"programmes"`
}

// use is one role a pattern plays in one programme.
type use struct {
	prog int32
	kind uint8
	idx  int32 // index of the alias, exclusion or query term
}

const (
	kindAlias uint8 = iota
	kindExclusion
	kindTerm
	kindWeak
)

// compiled is a programme ready for matching.
type compiled struct {
	query *query
}

// Taxonomy is a compiled set of programmes. It is safe for concurrent use.
type Taxonomy struct {
	progs    []Programme
	compiled []compiled
	ac       *automaton
	uses     [][]use // per pattern
	pool     sync.Pool
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Parse decodes and compiles a taxonomy. Unknown keys are errors. Every problem found is reported,
// each naming the file, the line and, where it applies, the programme and the column in its query.
func Parse(data []byte, name string) (*Taxonomy, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no programmes", name)
		}
		return nil, yamlError(name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	lines := programmeLines(&doc)

	t := &Taxonomy{progs: f.Programmes, compiled: make([]compiled, len(f.Programmes))}
	var errs []error
	if len(f.Programmes) == 0 {
		errs = append(errs, fmt.Errorf("%s: no programmes", name))
	}
	pats := patterns{index: map[string]int{}}
	add := pats.add
	ids := map[string]int{}
	type unitRef struct {
		id   string
		line int
	}
	unitIDs := map[string]unitRef{}
	for pi, p := range f.Programmes {
		pl := lines[pi]
		where := fmt.Sprintf("%s:%d: programme %q", name, pl.line, p.ID)
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
		}
		switch {
		case p.ID == "":
			where = fmt.Sprintf("%s:%d: programme #%d", name, pl.line, pi+1)
			fail("missing id")
		case !idPattern.MatchString(p.ID):
			fail("id must be lower-case letters, digits and _, starting with a letter")
		}
		if first, dup := ids[p.ID]; dup && p.ID != "" {
			fail("duplicate id (first at line %d)", lines[first].line)
		}
		ids[p.ID] = pi
		if strings.TrimSpace(p.Name) == "" {
			fail("missing name")
		}
		if strings.TrimSpace(p.Unit) == "" {
			fail("missing unit")
		}
		if p.UnitID != "" && !idPattern.MatchString(p.UnitID) {
			fail("unit_id must be lower-case letters, digits and _, starting with a letter")
		}
		if first, ok := unitIDs[p.Unit]; ok && first.id != p.UnitID {
			fail("unit_id %q differs from %q of the same unit at line %d", p.UnitID, first.id, first.line)
		} else if !ok {
			unitIDs[p.Unit] = unitRef{p.UnitID, pl.line}
		}
		if len(p.Aliases) == 0 && len(p.WeakAliases) == 0 && p.Query == "" {
			fail("needs aliases or a query")
		}
		for i, a := range p.Aliases {
			ph, err := parsePhrase(a)
			if err != nil {
				fail("alias %q: %v", a, err)
				continue
			}
			add(ph, use{int32(pi), kindAlias, int32(i)})
		}
		for i, a := range p.WeakAliases {
			ph, err := parsePhrase(a)
			if err != nil {
				fail("weak alias %q: %v", a, err)
				continue
			}
			add(ph, use{int32(pi), kindWeak, int32(i)})
		}
		for i, x := range p.Exclusions {
			ph, err := parsePhrase(x)
			if err != nil {
				fail("exclusion %q: %v", x, err)
				continue
			}
			add(ph, use{int32(pi), kindExclusion, int32(i)})
		}
		if p.Query == "" {
			continue
		}
		q, err := parseQuery(p.Query)
		if err != nil {
			var qe *QueryError
			if errors.As(err, &qe) {
				line, col := pl.queryPosition(p.Query, qe.Offset)
				errs = append(errs, fmt.Errorf("%s:%d: programme %q: query column %d: %s", name, line, p.ID, col, qe.Msg))
			} else {
				fail("query: %v", err)
			}
			continue
		}
		if q.root.matchesNothing() {
			fail("query is true for an article holding none of its terms; combine NOT with a positive term")
			continue
		}
		t.compiled[pi].query = q
		for i, term := range q.terms {
			add(term.phrase, use{int32(pi), kindTerm, int32(i)})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := t.build(&pats); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// patterns collects the distinct phrases of a taxonomy and the uses of each.
type patterns struct {
	pats  []phrase
	index map[string]int
	uses  [][]use
}

// add records that phrase p plays role u, adding p if it is new.
func (ps *patterns) add(p phrase, u use) {
	k := p.key()
	i, ok := ps.index[k]
	if !ok {
		i = len(ps.pats)
		ps.index[k] = i
		ps.pats = append(ps.pats, p)
		ps.uses = append(ps.uses, nil)
	}
	ps.uses[i] = append(ps.uses[i], u)
}

// build compiles the patterns into t's automaton.
func (t *Taxonomy) build(ps *patterns) error {
	ac, err := buildAutomaton(ps.pats)
	if err != nil {
		return err
	}
	t.ac, t.uses = ac, ps.uses
	t.pool.New = func() any { return &scratch{entries: make([][]entry, len(t.progs))} }
	return nil
}

// Programmes returns the programmes in file order; Match.Programme indexes this slice.
func (t *Taxonomy) Programmes() []Programme { return t.progs }

// UnitID returns the unit_id of the programme with id programme, or, when no programme has
// that id, of the first programme whose Unit is unit; "" when neither is found or it has none.
// Programme ids are stable, so a mention stored before its unit was reworded still finds it.
func (t *Taxonomy) UnitID(programme, unit string) string {
	for _, p := range t.progs {
		if p.ID == programme {
			return p.UnitID
		}
	}
	for _, p := range t.progs {
		if p.Unit == unit {
			return p.UnitID
		}
	}
	return ""
}

// Len returns the number of programmes.
func (t *Taxonomy) Len() int { return len(t.progs) }

// yamlLine matches the line reference in the YAML library's messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlError rewrites the YAML library's errors as file:line: message, one per problem.
func yamlError(name string, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	errs := make([]error, 0, len(msgs))
	for _, m := range msgs {
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			errs = append(errs, fmt.Errorf("%s:%s: %s", name, sm[1], m[len(sm[0]):]))
		} else {
			errs = append(errs, fmt.Errorf("%s: %s", name, strings.TrimPrefix(m, "yaml: ")))
		}
	}
	return errors.Join(errs...)
}

// progLines is where a programme and its query sit in the file.
type progLines struct {
	line       int
	queryLine  int
	queryCol   int
	queryBlock bool // the query is a literal or folded block: its text starts on the next line
}

// programmeLines finds the line of each programme entry in the parsed document.
func programmeLines(doc *yaml.Node) []progLines {
	var out []progLines
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return out
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "programmes" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range m.Content[i+1].Content {
			pl := progLines{line: item.Line}
			for j := 0; j+1 < len(item.Content); j += 2 {
				if item.Content[j].Value == "query" {
					v := item.Content[j+1]
					pl.queryLine, pl.queryCol = v.Line, v.Column
					pl.queryBlock = v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
				}
			}
			out = append(out, pl)
		}
	}
	return out
}

// queryPosition returns the file line of byte offset off in the query, and the column within the
// query's line (1-based, in characters).
func (pl progLines) queryPosition(q string, off int) (line, col int) {
	line = pl.queryLine
	if line == 0 {
		line = pl.line
	}
	if pl.queryBlock {
		line++
	}
	if off > len(q) {
		off = len(q)
	}
	line += strings.Count(q[:off], "\n")
	return line, column(q, off)
}

// matchesNothing reports whether the expression is true for an article in which none of its terms occur.
func (n *node) matchesNothing() bool {
	switch n.op {
	case opTerm, opNear:
		return false
	case opNot:
		return !n.kids[0].matchesNothing()
	case opAnd:
		for _, k := range n.kids {
			if !k.matchesNothing() {
				return false
			}
		}
		return true
	default: // opOr
		for _, k := range n.kids {
			if k.matchesNothing() {
				return true
			}
		}
		return false
	}
}
