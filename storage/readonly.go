package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
		if toks[i+1] != "(" {
			continue
		}
		switch name := strings.ToLower(toks[i]); {
		case name == "`" || name == "\"":
			return fmt.Errorf("%w: a quoted name called as a function", ErrNotReadOnly)
		case slices.Contains(outsideFunctions, name):
			return fmt.Errorf("%w: %s(...) reaches outside the database (files, network, processes or server settings)", ErrNotReadOnly, toks[i])
		}
	}
	return nil
}

// outsideFunctions are the scalar and table functions of ClickHouse (18.16 to 26.7) that read
// files, reach the network, run processes, read the server's configuration or stall the
// engine, in lower case. CheckReadOnly refuses a call to any of them on every backend; the
// embedded store also checks the engine's own parse of the query (checkFunctions).
var outsideFunctions = []string{
	// files and processes
	"file", "filecluster", "executable", "executablepool", "input", "infile", "catboostevaluate",
	"modelevaluate", "filesystemavailable", "filesystemcapacity", "filesystemunreserved", "filesystemfree",
	// network and other engines
	"url", "urlcluster", "s3", "s3cluster", "gcs", "cosn", "oss", "hdfs", "hdfscluster", "remote",
	"remotesecure", "cluster", "clusterallreplicas", "mysql", "postgresql", "mongodb", "redis", "sqlite",
	"jdbc", "odbc", "azureblobstorage", "azureblobstoragecluster", "iceberg", "icebergs3", "icebergazure",
	"iceberghdfs", "iceberglocal", "icebergs3cluster", "icebergazurecluster", "iceberghdfscluster",
	"deltalake", "deltalakes3", "deltalakeazure", "deltalakelocal", "deltalakecluster", "hudi", "hudicluster",
	"arrowflight", "ytsaurus", "paimon", "dictionary",
	// the server's configuration and the engine's time
	"getsetting", "getserversetting", "getmacro", "hostname", "fqdn", "sleep", "sleepeachrow",
}

// checkFunctions refuses sql when the engine's own parse of it (EXPLAIN AST, run by explain)
// calls a table function other than those in allowedTableFunctions (tableFunctions lists every
// table function the engine knows) or one of outsideFunctions. It catches what a lexical check
// cannot: names ClickHouse resolves case-insensitively, aliases and new table functions.
func checkFunctions(ast []string, tableFunctions map[string]bool) error {
	for _, line := range ast {
		rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "Function ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " ")
		lower := strings.ToLower(name)
		switch {
		case slices.Contains(outsideFunctions, lower):
			return fmt.Errorf("%w: %s(...) reaches outside the database (files, network, processes or server settings)", ErrNotReadOnly, name)
		case tableFunctions[lower] && !slices.Contains(allowedTableFunctions, lower):
			return fmt.Errorf("%w: table function %s(...) is not allowed (allowed: numbers, zeros, values, generateRandom, generate_series, null, view, merge, format)", ErrNotReadOnly, name)
		}
	}
	return nil
}

// allowedTableFunctions are the table functions an analyst's query may use: they read nothing
// outside the database.
var allowedTableFunctions = []string{"numbers", "numbers_mt", "zeros", "zeros_mt", "values", "generaterandom",
	"generate_series", "generateseries", "null", "view", "viewifpermitted", "merge", "format"}

// QueryUser runs an analyst's query, the one way user SQL reaches a store. It checks sql with
// CheckReadOnly; on an engine that can explain a query (ClickHouse 20.6 and later, the embedded
// chDB among them) it also has the engine parse it (EXPLAIN AST, which runs nothing) and refuses
// it when the parse calls a function that reaches outside the database (checkFunctions); then it
// runs it with the backend's readonly setting. readonly alone does not stop file() or url():
// ClickHouse's local mode, which chDB is, lets file() read any path.
func QueryUser(ctx context.Context, s Store, sql string) (*Result, error) {
	if err := CheckReadOnly(sql); err != nil {
		return nil, err
	}
	if v, err := s.ServerVersion(ctx); err != nil {
		return nil, err
	} else if v.AtLeast(20, 6) {
		if err := checkEngineParse(ctx, s, sql); err != nil {
			return nil, err
		}
	}
	return s.QueryReadOnly(ctx, sql)
}

// checkEngineParse has the engine parse sql and checks the functions it calls.
func checkEngineParse(ctx context.Context, s Store, sql string) error {
	ast, err := s.QueryReadOnly(ctx, "EXPLAIN AST "+sql)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotReadOnly, err)
	}
	tf, err := s.QueryReadOnly(ctx, "SELECT lower(name) FROM system.table_functions")
	if err != nil {
		return fmt.Errorf("list table functions: %w", err)
	}
	tableFunctions := make(map[string]bool, len(tf.Rows))
	for _, r := range tf.Rows {
		if name, ok := r[0].(string); ok {
			tableFunctions[name] = true
		}
	}
	lines := make([]string, 0, len(ast.Rows))
	for _, r := range ast.Rows {
		if line, ok := r[0].(string); ok {
			lines = append(lines, line)
		}
	}
	return checkFunctions(lines, tableFunctions)
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
