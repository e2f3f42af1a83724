package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
)

// loadConfig loads the file (or the built-in default) and its taxonomy.
func loadConfig(path string) (*config.Config, *taxonomy.Taxonomy, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	tax, err := loadTaxonomy(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, tax, nil
}

func loadTaxonomy(cfg *config.Config) (*taxonomy.Taxonomy, error) {
	if cfg.Taxonomy == "" {
		return taxonomy.Default(), nil
	}
	data, err := os.ReadFile(cfg.Taxonomy)
	if err != nil {
		return nil, fmt.Errorf("read taxonomy: %w", err)
	}
	return taxonomy.Parse(data, cfg.Taxonomy)
}

// newLogger builds the process logger from the configuration; logs go to w (stderr).
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdCheckConfig(_ context.Context, e *env, args []string) error {
	fs, file := newConfigFlags(e, "check-config")
	print := fs.Bool("print", false, "print the effective configuration, defaults included (secrets hidden)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 1 { // pantau check-config FILE
		if *file != "" {
			fmt.Fprintln(e.stderr, "pantau check-config: give the file once, as FILE or with --config")
			return errUsage
		}
		*file = fs.Arg(0)
	}
	name := *file
	if name == "" {
		name = "<built-in default>"
	}
	cfg, err := config.Load(*file)
	var problems config.Problems
	switch {
	case errors.As(err, &problems):
		// Go on to check the taxonomy too, so one run shows everything.
	case err != nil:
		return err
	}
	if cfg != nil {
		if _, terr := loadTaxonomy(cfg); terr != nil {
			problems = append(problems, terr.Error())
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p)
		}
		fmt.Fprintf(e.stderr, "%s: %d problem(s)\n", name, len(problems))
		return errSilent
	}
	if *print {
		shown := *cfg
		shown.Storage.DSN = redactDSN(cfg.Storage.DSN)
		out, err := yaml.Marshal(&shown)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(out)
		return err
	}
	store := "embedded (" + cfg.Storage.DataDir + ")"
	if cfg.Storage.DSN != "" {
		store = "server " + redactDSN(cfg.Storage.DSN)
	}
	fmt.Fprintf(e.stdout, "%s: ok: %d sources, storage %s\n", name, len(cfg.Sources), store)
	return nil
}

// redactDSN hides a password written inside a DSN.
func redactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return dsn
	}
	if user, _, hasPw := strings.Cut(userinfo, ":"); hasPw {
		return scheme + "://" + user + ":<secret>@" + host
	}
	return dsn
}
