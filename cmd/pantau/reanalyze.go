package main

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/pipeline"
	"github.com/pantau-id/pantau/storage"
)

func cmdReanalyze(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "reanalyze")
	from := fs.String("from", "", "first publication `DATE` (YYYY-MM-DD, WIB) to re-analyse; default: the oldest")
	to := fs.String("to", "", "last publication `DATE` (YYYY-MM-DD, WIB) to re-analyse, inclusive; default: the newest")
	source := fs.String("source", "", "re-analyse only this source `NAME`")
	batch := fs.Int("batch", 2000, "articles per read and write `N`")
	shard := fs.String("shard", "", "re-analyse only shard `i/n` of the articles (by url_hash), to split the work between n instances")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, err := dateFilter(*from, *to)
	if err != nil {
		return err
	}
	f.Source = *source
	if *shard != "" {
		if f.Shard, f.Shards, err = config.ParseShard(*shard); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
	}
	cfg, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	st, closeStore, err := openStore(ctx, e, cfg, migrated)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	total, err := storage.CountArticles(ctx, st, f)
	if err != nil {
		return err
	}
	bar := progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription("re-analysing"), progressbar.OptionShowCount(),
		progressbar.OptionSetVisibility(!*quiet), progressbar.OptionThrottle(200*time.Millisecond))
	start := time.Now()
	stats, err := pipeline.Reanalyze(ctx, st, analyzer.New(tax, sentiment.Default()), f, max(*batch, 1),
		func(done int) { bar.Set(done) })
	bar.Finish()
	if !*quiet {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "re-analysed %d articles (%d mentions) with %s in %s\n",
		stats.Articles, stats.Mentions, analyzer.Version, time.Since(start).Round(time.Millisecond))
	return nil
}

// dateFilter turns --from and --to dates (inclusive days, WIB) into an article filter.
func dateFilter(from, to string) (storage.ArticleFilter, error) {
	var f storage.ArticleFilter
	if from != "" {
		t, err := time.ParseInLocation(time.DateOnly, from, config.WIB)
		if err != nil {
			return f, fmt.Errorf("--from %q: want a date such as 2026-11-01", from)
		}
		f.From = t
	}
	if to != "" {
		t, err := time.ParseInLocation(time.DateOnly, to, config.WIB)
		if err != nil {
			return f, fmt.Errorf("--to %q: want a date such as 2026-11-30", to)
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, fmt.Errorf("--from %s is after --to %s", from, to)
	}
	return f, nil
}
