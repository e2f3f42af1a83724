package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/web"
)

func cmdSources(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sources")
	file := fs.String("config", "", "configuration `FILE` (default: the built-in configuration)")
	window := fs.Duration("window", 24*time.Hour, "count fetches, errors and articles over this `DURATION`")
	if err := parse(fs, args); err != nil {
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
	now := time.Now()
	health, err := storage.SourcesHealth(ctx, st, now.Add(-*window))
	if err != nil {
		return err
	}
	states, err := storage.LoadSourceStates(ctx, st)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SOURCE\tKIND\tSTATE\tLAST SUCCESS\tLAST ERROR\tINTERVAL\tFETCHES\tERRORS\tARTICLES\n")
	for _, s := range cfg.Sources {
		h, st := health[s.Name], states[s.Name]
		state := "ok"
		switch {
		case s.Disabled:
			state = "disabled"
		case st.Dead:
			state = "dead"
		case h.Fetches == 0 && st.LastSuccess.IsZero():
			state = "never polled"
		case h.LastError.After(h.LastSuccess):
			state = "failing"
		}
		lastSuccess := h.LastSuccess
		if lastSuccess.IsZero() {
			lastSuccess = st.LastSuccess
		}
		lastErr := "-"
		if !h.LastError.IsZero() {
			lastErr = web.Ago(now, h.LastError) + " " + h.LastErrorClass
		} else if st.LastError != "" {
			lastErr = web.Ago(now, st.LastErrorAt) + " " + st.LastError
		}
		interval := "-"
		if st.Interval > 0 {
			interval = st.Interval.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", s.Name, s.Kind, state,
			web.Ago(now, lastSuccess), lastErr, interval, h.Fetches, h.Errors, h.Articles)
	}
	return tw.Flush()
}
