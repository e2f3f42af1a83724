package main

import (
	"context"
	"fmt"

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
	fs, file := newConfigFlags(e, "migrate")
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
	fs, file := newConfigFlags(e, "sql")
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
	st, run, err := openForRead(ctx, cfg, e)
	if err != nil {
		return err
	}
	if run != nil {
		return run.SQL(ctx, query, *asJSON, *header, e.stdout)
	}
	defer st.Close()
	res, err := storage.QueryUser(ctx, st, query)
	if err != nil {
		return err
	}
	if *asJSON {
		return res.WriteJSONLines(e.stdout)
	}
	return res.WriteTSV(e.stdout, *header)
}
