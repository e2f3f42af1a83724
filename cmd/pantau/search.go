package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/search"
)

func cmdSearch(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "search")
	from := fs.String("from", "", "first publication `DATE` (WIB), such as 2026-11-01 (default: 30 days before --to)")
	to := fs.String("to", "", "last publication `DATE` (WIB), inclusive (default: now)")
	programme := fs.String("programme", "", "only articles with a mention of this programme `ID`")
	region := fs.String("region", "", "only articles from sources of this `REGION` (sources[].region), or about it when it names a province, regency or city (\"Kota Padang\", \"Sumbar\", \"13.71\")")
	label := fs.String("label", "", "only articles with a mention of this `LABEL`: negative, neutral, positive or critical")
	limit := fs.Int("limit", config.SearchLimit, fmt.Sprintf("most articles listed (`N`, at most %d)", search.MaxLimit))
	format := fs.String("format", "tsv", "output `FORMAT`: "+strings.Join(search.Formats, ", "))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	if *region != "" {
		r, err := config.RegionFilter(*region)
		if err != nil {
			fmt.Fprintf(e.stderr, "pantau search: --region: %v\n", err)
			return errUsage
		}
		*region = r
	}
	if !slices.Contains(search.Formats, *format) {
		return fmt.Errorf("--format %q: want %s", *format, strings.Join(search.Formats, ", "))
	}
	q, err := taxonomy.ParseQuery(fs.Arg(0))
	if err != nil {
		return err
	}
	f, err := dateFilter(*from, *to)
	if err != nil {
		return err
	}
	_, st, closeStore, err := loadStore(ctx, e, *file, readOnly)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	so := search.OptionsFor(f.From, f.To, time.Now())
	so.Programme, so.Region, so.Label, so.Limit = *programme, *region, *label, *limit
	res, err := search.Search(ctx, st, q, so)
	if errors.Is(err, search.ErrOptions) {
		return fmt.Errorf("search %q: %w", fs.Arg(0), err)
	}
	if err != nil {
		return err
	}
	if err := search.Write(e.stdout, res, *format); err != nil {
		return err
	}
	if res.Truncated {
		fmt.Fprintf(e.stderr, "pantau search: stopped after %d articles read and %d found; narrow the dates or raise --limit\n", res.Read, len(res.Articles))
	}
	return nil
}
