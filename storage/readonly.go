package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrNotReadOnly reports SQL that CheckReadOnly refuses.
var ErrNotReadOnly = errors.New("storage: not a read-only query")

// readOnlyKinds are the statements CheckReadOnly allows.
var readOnlyKinds = map[string]bool{
	"SELECT": true, "WITH": true, "SHOW": true, "DESCRIBE": true, "DESC": true,
	"EXPLAIN": true, "EXISTS": true,
}

// CheckReadOnly accepts a single SELECT, WITH, SHOW, DESCRIBE, DESC, EXPLAIN or EXISTS
// statement, optionally preceded by comments and ended by one semicolon. It refuses
// several statements, INTO OUTFILE and every other kind of statement with an error that
// wraps ErrNotReadOnly and names what it found. It is a first line of defence for user
// SQL; Store.QueryReadOnly adds the server's own readonly setting.
func CheckReadOnly(sql string) error {
	toks, err := sqlTokens(sql)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotReadOnly, err)
	}
	// Statement boundaries: one trailing semicolon is allowed.
	for i, t := range toks {
		if t == ";" && i != len(toks)-1 {
			return fmt.Errorf("%w: multiple statements (only one is allowed)", ErrNotReadOnly)
		}
	}
	if len(toks) > 0 && toks[len(toks)-1] == ";" {
		toks = toks[:len(toks)-1]
	}
	first := 0
	for first < len(toks) && toks[first] == "(" {
		first++
	}
	if first == len(toks) {
		return fmt.Errorf("%w: empty query", ErrNotReadOnly)
	}
	kind := strings.ToUpper(toks[first])
	if !readOnlyKinds[kind] {
		return fmt.Errorf("%w: %s statement (allowed: SELECT, WITH, SHOW, DESCRIBE, DESC, EXPLAIN, EXISTS)", ErrNotReadOnly, kind)
	}
	for i := first; i+1 < len(toks); i++ {
		if strings.EqualFold(toks[i], "INTO") && strings.EqualFold(toks[i+1], "OUTFILE") {
			return fmt.Errorf("%w: %s ... INTO OUTFILE writes a file", ErrNotReadOnly, kind)
		}
	}
	return nil
}

// QueryUser checks sql with CheckReadOnly and runs it with the backend's readonly setting.
func QueryUser(ctx context.Context, s Store, sql string) (*Result, error) {
	if err := CheckReadOnly(sql); err != nil {
		return nil, err
	}
	return s.QueryReadOnly(ctx, sql)
}

// sqlTokens splits SQL into words, punctuation and placeholders for literals, dropping
// whitespace and comments. Quoted strings and identifiers become a single "'" or "`"
// token so that their contents are never mistaken for keywords.
func sqlTokens(sql string) ([]string, error) {
	var toks []string
	r := []rune(sql)
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '-' && i+1 < len(r) && r[i+1] == '-', c == '#':
			for i < len(r) && r[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(r) && r[i+1] == '*':
			j := i + 2
			for j+1 < len(r) && (r[j] != '*' || r[j+1] != '/') {
				j++
			}
			if j+1 >= len(r) {
				return nil, errors.New("unterminated comment")
			}
			i = j + 2
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for ; j < len(r); j++ {
				if r[j] == '\\' {
					j++
					continue
				}
				if r[j] == c {
					if j+1 < len(r) && r[j+1] == c { // doubled quote
						j++
						continue
					}
					break
				}
			}
			if j >= len(r) {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}
			toks = append(toks, string(c))
			i = j + 1
		case c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c):
			j := i
			for j < len(r) && (r[j] == '_' || unicode.IsLetter(r[j]) || unicode.IsDigit(r[j])) {
				j++
			}
			toks = append(toks, string(r[i:j]))
			i = j
		default:
			toks = append(toks, string(c))
			i++
		}
	}
	return toks, nil
}
