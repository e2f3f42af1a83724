package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// openReader opens the configured store for a command that only reads: the store must exist
// and be migrated, and nothing is created or written.
func openReader(ctx context.Context, cfg *config.Config, e *env) (storage.Store, error) {
	st, err := storage.OpenExisting(ctx, cfg.Storage, newLogger(cfg.Log, e.stderr))
	if err != nil {
		return nil, err
	}
	if err := storage.CheckSchema(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// openStore opens and migrates the configured store.
func openStore(ctx context.Context, cfg *config.Config, e *env) (storage.Store, error) {
	logger := newLogger(cfg.Log, e.stderr)
	st, err := storage.Open(ctx, cfg.Storage, logger)
	if err != nil {
		return nil, err
	}
	if _, err := storage.Migrate(ctx, st, storage.MigrateOptions{Retention: cfg.Storage.Retention.D()}); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate")
	file := fs.String("config", "", "configuration `FILE` (default: the built-in configuration)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*file)
	if err != nil {
		return err
	}
	st, err := storage.Open(ctx, cfg.Storage, newLogger(cfg.Log, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := storage.Migrate(ctx, st, storage.MigrateOptions{Retention: cfg.Storage.Retention.D()})
	if err != nil {
		return err
	}
	v, _ := st.ServerVersion(ctx)
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "schema up to date (%s store, ClickHouse %s)\n", st.Kind(), v)
		return nil
	}
	for _, m := range applied {
		fmt.Fprintf(e.stdout, "applied %s\n", m)
	}
	return nil
}

func cmdSQL(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sql")
	file := fs.String("config", "", "configuration `FILE` (default: the built-in configuration)")
	asJSON := fs.Bool("json", false, "print JSON lines (one object per row) instead of TSV")
	header := fs.Bool("header", false, "print a header line of column names before TSV rows")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	query := fs.Arg(0)
	if err := storage.CheckReadOnly(query); err != nil {
		return err
	}
	cfg, err := config.Load(*file)
	if err != nil {
		return err
	}
	st, err := openReader(ctx, cfg, e)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.QueryReadOnly(ctx, query)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONRows(e.stdout, res)
	}
	return writeTSV(e.stdout, res, *header)
}

// writeJSONRows prints one JSON object per row, keyed by column name.
func writeJSONRows(w io.Writer, res *storage.Result) error {
	enc := json.NewEncoder(w)
	obj := make(map[string]any, len(res.Columns))
	for _, row := range res.Rows {
		for i, c := range res.Columns {
			obj[c.Name] = row[i]
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	return nil
}

// writeTSV prints rows as ClickHouse's TabSeparated format would: tabs, newlines and
// backslashes in values escaped, arrays as [a,b].
func writeTSV(w io.Writer, res *storage.Result, header bool) error {
	var b strings.Builder
	if header {
		for i, c := range res.Columns {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(tsvEscape(c.Name))
		}
		b.WriteByte('\n')
	}
	for _, row := range res.Rows {
		for i, v := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(tsvEscape(formatValue(v)))
		}
		b.WriteByte('\n')
		if b.Len() > 64<<10 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return `\N`
	case string:
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(x))
		for i, el := range x {
			if s, ok := el.(string); ok {
				parts[i] = "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
			} else {
				parts[i] = formatValue(el)
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

// tsvEscape escapes a value for TSV as ClickHouse does (backslash, tab, newline, carriage
// return) and, so that crawled text cannot drive the terminal it is printed on, every other
// control character: C0 and DEL as \xHH, C1 (such as U+009B, a one-character escape sequence)
// as \uHHHH.
func tsvEscape(s string) string {
	clean := true
	for _, r := range s {
		if r == '\\' || isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f }
