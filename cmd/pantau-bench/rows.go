package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/web"
)

// rowReader reads the article URLs a child pantau has stored, as a user would query
// them: from the server's database, or from the embedded store through the running
// pantau's local API (the process owns its data folder) and, once it has exited, from
// the folder itself. Until the child has created its schema, reads fail.
type rowReader struct {
	run *pantauRun
	st  storage.Store // the server's database, or the embedded folder after exit
	api *web.Client
}

var quiet = slog.New(slog.DiscardHandler)

// query returns the single-column rows of sql.
func (r *rowReader) query(ctx context.Context, sql string) ([]string, error) {
	if r.run.dsn != "" || r.exitedEmbedded() {
		if r.st == nil {
			cfg := config.Storage{DSN: r.run.dsn}
			if r.run.dsn == "" {
				cfg = config.Storage{DataDir: filepath.Join(r.run.dir, "data")}
			}
			st, err := storage.OpenExisting(ctx, cfg, quiet)
			if err != nil {
				return nil, err
			}
			r.st = st
		}
		res, err := r.st.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(res.Rows))
		for i, row := range res.Rows {
			out[i] = fmt.Sprint(row[0])
		}
		return out, nil
	}
	if r.api == nil {
		ep, err := web.ReadEndpoint(filepath.Join(r.run.dir, "data"))
		if err != nil {
			return nil, err
		}
		if r.api, err = web.NewClient(ep); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := r.api.SQL(ctx, sql, false, false, &buf); err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

func (r *rowReader) exitedEmbedded() bool {
	select {
	case <-r.run.exited:
		return r.run.dsn == ""
	default:
		return false
	}
}

// urls returns the distinct article URLs stored.
func (r *rowReader) urls(ctx context.Context) ([]string, error) {
	return r.query(ctx, "SELECT DISTINCT url FROM articles")
}

// count returns the number of distinct articles stored.
func (r *rowReader) count(ctx context.Context) (int, error) {
	rows, err := r.query(ctx, "SELECT uniqExact(url) FROM articles")
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 {
		return 0, fmt.Errorf("count: %d rows", len(rows))
	}
	return strconv.Atoi(strings.TrimSpace(rows[0]))
}

// close closes what the reader opened and drops a server run's database.
func (r *rowReader) close(ctx context.Context) error {
	if r.st == nil {
		return nil
	}
	var err error
	if r.run.dsn != "" {
		db := r.run.dsn[strings.LastIndex(r.run.dsn, "/")+1:]
		err = r.st.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
	}
	return errors.Join(err, r.st.Close())
}
