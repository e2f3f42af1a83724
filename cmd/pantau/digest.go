package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/digest"
	"github.com/pantau-id/pantau/storage"
)

func cmdDigest(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "digest")
	unit := fs.String("unit", "", "the unit's `ID` (see --list) or a unique part of its name")
	date := fs.String("date", "", "the `DAY` (YYYY-MM-DD, WIB) whose digest to print (default: today)")
	format := fs.String("format", "md", "output `FORMAT`: html (printable page), md, text or json")
	list := fs.Bool("list", false, "list the units with their ids and programmes")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	units := digest.Units(tax)
	if *list {
		for _, u := range units {
			fmt.Fprintf(e.stdout, "%s\t%v\t%s\n", u.ID, u.Programmes, u.Name)
		}
		return nil
	}
	if *unit == "" {
		fmt.Fprintln(e.stderr, "pantau digest: give --unit (pantau digest --list shows them)")
		return errUsage
	}
	u, err := digest.FindUnit(units, *unit)
	if err != nil {
		return err
	}
	day := time.Now()
	if *date != "" {
		if day, err = digest.ParseDay(*date); err != nil {
			return err
		}
	}
	switch *format {
	case digest.FormatHTML, digest.FormatMarkdown, digest.FormatText, digest.FormatJSON:
	default:
		fmt.Fprintf(e.stderr, "pantau digest: --format must be html, md, text or json, got %q\n", *format)
		return errUsage
	}
	st, closeStore, err := openStore(ctx, e, cfg, readOnly)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	d, err := digest.Compose(ctx, st, u, day, digestOptions(cfg, tax))
	if err != nil {
		return err
	}
	return digest.Render(e.stdout, d, *format)
}

// digestOptions composes digests as configured: delivery time, sizes, reach weights,
// programme names and trend settings of the report.
func digestOptions(cfg *config.Config, tax *taxonomy.Taxonomy) digest.Options {
	ro := reportOptions(cfg, tax)
	o := digest.OptionsFrom(cfg.Digest, cfg.Trends)
	o.Reach, o.Names, o.Trend = ro.Reach, ro.Names, ro.Trend
	return o
}

// digestScheduler sends the configured digests; nil when digests are not enabled.
func digestScheduler(cfg *config.Config, tax *taxonomy.Taxonomy, st storage.Store, opts digest.SchedulerOptions) (*digest.Scheduler, error) {
	if !cfg.Digest.Enabled {
		return nil, nil
	}
	units := digest.Units(tax)
	if len(cfg.Digest.Units) > 0 {
		var chosen []digest.Unit
		for _, id := range cfg.Digest.Units {
			i := slices.IndexFunc(units, func(u digest.Unit) bool { return u.ID == id })
			if i < 0 {
				return nil, fmt.Errorf("digest.units: no unit %q in the taxonomy (pantau digest --list shows them)", id)
			}
			chosen = append(chosen, units[i])
		}
		units = chosen
	}
	opts.Digest = digestOptions(cfg, tax)
	opts.Units = units
	opts.SendEmpty = cfg.Digest.SendEmpty
	opts.Senders = func(u digest.Unit) []digest.Sender {
		var out []digest.Sender
		s := cfg.Digest.SMTP
		if to := s.RecipientsOf(u.ID); s.Addr != "" && len(to) > 0 {
			out = append(out, digest.MailerFrom(s, to))
		}
		for _, w := range cfg.Digest.Webhooks {
			if len(w.Units) > 0 && !slices.Contains(w.Units, u.ID) {
				continue
			}
			out = append(out, digest.WebhookFrom(w))
		}
		return out
	}
	return digest.NewScheduler(st, opts)
}
