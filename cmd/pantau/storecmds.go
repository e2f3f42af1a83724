package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// storeMode is how a command opens the configured store.
type storeMode int

const (
	readOnly storeMode = iota // the store must exist with the current schema; nothing is created or written
	migrated                  // the store is created and its schema migrated as needed
	asIs                      // the store is created if need be and its schema left as it is (pantau migrate's own)
)

// openStore opens the configured store as mode says and returns with it the close to
// defer: closeStore(&err) closes the store and joins a failure to close into err.
func openStore(ctx context.Context, e *env, cfg *config.Config, mode storeMode) (storage.Store, func(*error), error) {
	open := storage.Open
	if mode == readOnly {
		open = storage.OpenExisting
	}
	st, err := open(ctx, cfg.Storage, newLogger(cfg.Log, e.stderr))
	if err != nil {
		return nil, nil, err
	}
	closeStore := func(err *error) {
		if cerr := st.Close(); cerr != nil {
			*err = errors.Join(*err, fmt.Errorf("close store: %w", cerr))
		}
	}
	switch mode {
	case readOnly:
		err = storage.CheckSchema(ctx, st)
	case migrated:
		_, err = storage.Migrate(ctx, st, storage.MigrateOptions{Retention: cfg.Storage.Retention.D()})
	}
	if err != nil {
		closeStore(&err)
		return nil, nil, err
	}
	return st, closeStore, nil
}

// loadStore loads the configuration file and opens its store as openStore does.
func loadStore(ctx context.Context, e *env, file string, mode storeMode) (*config.Config, storage.Store, func(*error), error) {
	cfg, err := config.Load(file)
	if err != nil {
		return nil, nil, nil, err
	}
	st, closeStore, err := openStore(ctx, e, cfg, mode)
	return cfg, st, closeStore, err
}

func cmdMigrate(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "migrate")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, st, closeStore, err := loadStore(ctx, e, *file, asIs)
	if err != nil {
		return err
	}
	defer closeStore(&err)
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

func cmdSQL(ctx context.Context, e *env, args []string) (err error) {
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
	st, run, closeStore, err := openForRead(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	if run != nil {
		return run.SQL(ctx, query, *asJSON, *header, e.stdout)
	}
	res, err := storage.QueryUser(ctx, st, query)
	if err != nil {
		return err
	}
	if *asJSON {
		return res.WriteJSONLines(e.stdout)
	}
	return res.WriteTSV(e.stdout, *header)
}
