package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/web"
)

func cmdSources(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "sources")
	window := fs.Duration("window", 24*time.Hour, "count fetches, errors and articles over this `DURATION`")
	asJSON := fs.Bool("json", false, "print one JSON object per source (times in UTC, RFC 3339)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *window <= 0 {
		fmt.Fprintf(e.stderr, "pantau sources: --window %s: want a positive duration such as 24h\n", *window)
		return errUsage
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
	now := time.Now()
	var sources []storage.SourceStatus
	if run != nil {
		sources, err = run.Sources(ctx, *window)
	} else {
		sources, err = storage.SourceStatuses(ctx, st, cfg.Sources, now.Add(-*window))
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, s := range sources {
			if err := enc.Encode(s); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SOURCE\tKIND\tSTATE\tLAST SUCCESS\tLAST ERROR\tINTERVAL\tFETCHES\tERRORS\tARTICLES\n")
	for _, s := range sources {
		lastErr := "-"
		if !s.LastError.IsZero() || s.LastErrorText != "" {
			lastErr = web.Ago(now, s.LastError) + " " + s.LastErrorText
		}
		interval := "-"
		if s.IntervalSeconds > 0 {
			interval = (time.Duration(s.IntervalSeconds) * time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", s.Name, s.Kind, s.State,
			web.Ago(now, s.LastSuccess), lastErr, interval, s.Fetches, s.Errors, s.Articles)
	}
	return tw.Flush()
}
