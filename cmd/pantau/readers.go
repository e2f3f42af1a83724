package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/web"
)

// openForRead opens the configured store for a read command (report, sql, sources) as
// openStore does with readOnly. When another process (a running pantau run) holds the
// embedded store, it returns instead a client of that process's local API, found through
// the endpoint file it wrote into the data folder, and a closeStore that does nothing; when
// that fails too, one error says both. Exactly one of st and run is non-nil on success.
func openForRead(ctx context.Context, e *env, cfg *config.Config) (st storage.Store, run *web.Client, closeStore func(*error), err error) {
	st, closeStore, err = openStore(ctx, e, cfg, readOnly)
	if err == nil || !errors.Is(err, storage.ErrEmbeddedLocked) {
		return st, nil, closeStore, err
	}
	c, err := dialRun(ctx, cfg.Storage.DataDir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the embedded store %s is in use by another process (a running pantau run?) and its local API could not be used: %v; "+
			"run pantau run with http.listen set (default 127.0.0.1:9464), stop it, or use a ClickHouse server (storage.dsn)", cfg.Storage.DataDir, err)
	}
	return nil, c, func(*error) {}, nil
}

// dialRun returns a client of the local API whose endpoint a running pantau run wrote into
// dataDir, after checking that it answers.
func dialRun(ctx context.Context, dataDir string) (*web.Client, error) {
	ep, err := web.ReadEndpoint(dataDir)
	if err != nil {
		return nil, err
	}
	c, err := web.NewClient(ep)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pingCtx); err != nil {
		return nil, err
	}
	return c, nil
}
