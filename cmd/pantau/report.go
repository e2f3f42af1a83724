package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/web"
)

func cmdReport(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "report")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	window := fs.Duration("window", config.ReportWindow, "how far back the report looks (`DURATION`, 1h to 8760h)")
	region := fs.String("region", "", "only coverage from sources of this `REGION` (sources[].region), or about it when it names a province, regency or city (\"Kota Padang\", \"Sumbar\", \"13.71\")")
	emerging := fs.Bool("emerging", false, "list emerging issues outside the taxonomy instead: phrases rising in critical coverage no programme matched")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := storage.CheckReportWindow(*window); err != nil {
		fmt.Fprintf(e.stderr, "pantau report: --window: %v\n", err)
		return errUsage
	}
	if *region != "" {
		r, err := config.RegionFilter(*region)
		if err != nil {
			fmt.Fprintf(e.stderr, "pantau report: --region: %v\n", err)
			return errUsage
		}
		*region = r
	}
	cfg, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	st, run, closeStore, err := openForRead(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	if *emerging {
		var issues []storage.EmergingIssue
		if run != nil {
			issues, err = run.Emerging(ctx)
		} else {
			issues, err = storage.EmergingIssues(ctx, st, time.Now(), emergingOptions(cfg, tax))
		}
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(issues)
		}
		return web.WriteEmergingText(e.stdout, issues)
	}
	var rep *storage.Report
	if run != nil {
		rep, err = run.Report(ctx, *window, *region)
	} else {
		opts := reportOptions(cfg, tax)
		opts.Window = *window
		opts.Trend.Region = *region
		rep, err = storage.ResponseReport(ctx, st, time.Now(), opts)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	loc, _ := cfg.Display.Location() // validated with the configuration
	return web.WriteReportText(e.stdout, rep, loc)
}

// trendOptions limits trend detection to the taxonomy's programmes, which bounds the
// trend metrics' labels.
func trendOptions(cfg *config.Config, tax *taxonomy.Taxonomy) storage.TrendOptions {
	var ids []string
	for _, p := range tax.Programmes() {
		ids = append(ids, p.ID)
	}
	o := storage.TrendOptionsFrom(cfg.Trends)
	o.Programmes = ids
	return o
}

// reportOptions weighs sources by their configured reach and names programmes as the
// taxonomy does.
func reportOptions(cfg *config.Config, tax *taxonomy.Taxonomy) storage.ReportOptions {
	reach := map[string]float64{}
	for _, s := range cfg.Sources {
		if s.Reach > 0 {
			reach[s.Name] = s.Reach
		}
	}
	names := map[string]string{}
	for _, p := range tax.Programmes() {
		names[p.ID] = p.Name
	}
	o := storage.ReportOptionsFrom(cfg.Trends)
	o.Reach, o.Names, o.Trend = reach, names, trendOptions(cfg, tax)
	return o
}

// emergingOptions scores phrases as the programme trends are scored and leaves out phrases
// a programme of the taxonomy matches.
func emergingOptions(cfg *config.Config, tax *taxonomy.Taxonomy) storage.EmergingOptions {
	o := storage.EmergingOptionsFrom(cfg.Trends)
	o.Known = func(phrase string) bool { return len(tax.Match("", phrase, nil)) > 0 }
	return o
}
