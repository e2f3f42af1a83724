package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the display zone (Asia/Jakarta by default) works on hosts without a zone database

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

//go:embed report.html
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"hours": hours,
	"score": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(reportHTML))

// pageWindows are the windows the page offers to pick from.
var pageWindows = []time.Duration{6 * time.Hour, 24 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, storage.MaxReportWindow}

// ReportHandlerOptions tunes ReportHandler.
type ReportHandlerOptions struct {
	// Report selects the window, reach weights and sizes of the report.
	Report storage.ReportOptions
	// Location is the zone the page shows times in (display.time_zone).
	Location *time.Location
	// Lang is the page's language when the request names none: LangIndonesian or
	// LangEnglish (display.language).
	Lang string
	// Now returns the current time.
	Now func() time.Time
	// Timeout bounds one report query (config.RequestTimeout).
	Timeout time.Duration
	// Logger receives query failures.
	Logger *slog.Logger
	// Emerging, when set, adds the emerging issues outside the taxonomy to the page and
	// the JSON ("emerging").
	Emerging *storage.EmergingOptions
}

// apiReport is the report's JSON: the report and the emerging issues.
type apiReport struct {
	*storage.Report
	Emerging []storage.EmergingIssue `json:"emerging,omitempty"`
}

// reportPage is what the page template renders.
type reportPage struct {
	*storage.Report
	L       *messages
	Windows []windowChoice
	// Stamp formats a time in the page's zone and language; Ago says how long before
	// the report it was.
	Stamp func(time.Time) string
	Ago   func(time.Time) string
	// Emerging are the emerging issues outside the taxonomy, when the handler lists them.
	Emerging []storage.EmergingIssue
	// Corrected confirms the correction the analyst just posted (?corrected=1).
	Corrected bool
}

// windowChoice is one entry of the page's window picker.
type windowChoice struct {
	Label, Href string
	Current     bool
}

// ReportHandler serves the "needs a response" report: JSON when the path ends in
// /api/report or the request asks for ?format=json, else a readable HTML page in
// Bahasa Indonesia or English (?lang=id or en; default opts.Lang) with times in
// opts.Location and a window picker. The query parameter window (a Go duration within
// storage.MinReportWindow and storage.MaxReportWindow, as for pantau report) overrides the
// report window, and region keeps the coverage of the sources of one region
// (sources[].region). Register it for both "GET /report" and "GET /api/report".
func ReportHandler(q storage.Querier, opts ReportHandlerOptions) (http.Handler, error) {
	if err := needs("report", opts.Now, opts.Timeout, opts.Logger); err != nil {
		return nil, err
	}
	if _, ok := pageMessages[opts.Lang]; !ok || opts.Location == nil {
		return nil, fmt.Errorf("web: report handler: language %q and location %v: want id or en and a time zone (display)", opts.Lang, opts.Location)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msgs, err := pageLang(r, opts.Lang)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		asJSON := strings.HasSuffix(r.URL.Path, "/api/report") || r.URL.Query().Get("format") == "json"
		refusal := msgs // the words of a refused parameter: the page's, or English for JSON
		if asJSON {
			refusal = pageMessages[LangEnglish]
		}
		ro := opts.Report
		if s := r.URL.Query().Get("window"); s != "" {
			d, err := time.ParseDuration(s)
			if err == nil {
				err = storage.CheckReportWindow(d)
			}
			if err != nil {
				http.Error(w, fmt.Sprintf(refusal.BadWindow, s, hours(storage.MinReportWindow)+"h", hours(storage.MaxReportWindow)+"h"), http.StatusBadRequest)
				return
			}
			ro.Window = d
		}
		if s := r.URL.Query().Get("region"); s != "" {
			region, err := config.RegionFilter(s)
			if err != nil {
				msg := err.Error()
				if !asJSON {
					msg = refusal.BadRegion + ": " + msg
				}
				http.Error(w, msg, http.StatusBadRequest)
				return
			}
			ro.Trend.Region = region
		}
		ctx, cancel := context.WithTimeout(r.Context(), opts.Timeout)
		defer cancel()
		rep, err := storage.ResponseReport(ctx, q, opts.Now(), ro)
		if err != nil {
			opts.Logger.Error("report failed", "err", err)
			http.Error(w, "report unavailable: the store did not answer", http.StatusServiceUnavailable)
			return
		}
		var emerging []storage.EmergingIssue
		if opts.Emerging != nil {
			emerging, err = storage.EmergingIssues(ctx, q, opts.Now(), *opts.Emerging)
			if err != nil {
				opts.Logger.Error("emerging issues failed", "err", err) // the report itself is still served
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		if asJSON {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			_ = enc.Encode(apiReport{Report: rep, Emerging: emerging})
			return
		}
		page := reportPage{
			Report: rep, L: msgs, Emerging: emerging, Corrected: r.URL.Query().Get("corrected") != "",
			Stamp: func(t time.Time) string { return msgs.stamp(t, opts.Location) },
			Ago:   func(t time.Time) string { return ago(rep.GeneratedAt, t, msgs.ago) },
		}
		for _, d := range pageWindows {
			v := url.Values{"window": {hours(d) + "h"}, "lang": {msgs.Lang}}
			if rep.Region != "" {
				v.Set("region", rep.Region)
			}
			page.Windows = append(page.Windows, windowChoice{Label: msgs.windowLabel(d), Href: "?" + v.Encode(), Current: d == rep.Window})
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := reportTemplate.Execute(w, page); err != nil {
			opts.Logger.Error("render report", "err", err)
		}
	}), nil
}

// hours prints d in hours: "24", "1.5".
func hours(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', -1, 64) }

// WriteReportText prints the report for a terminal, with times in loc (nil: UTC).
func WriteReportText(w io.Writer, r *storage.Report, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	ew := &errWriter{w: w}
	region := ""
	if r.Region != "" {
		region = ", region " + r.Region
	}
	ew.printf("Needs a public response: last %s%s, generated %s\n", fmtWindow(r.Window), region, r.GeneratedAt.In(loc).Format("2006-01-02 15:04 MST"))
	if len(r.Items) == 0 {
		ew.printf("\nNo critical coverage in the window.\n")
		return ew.err
	}
	for _, it := range r.Items {
		name := it.Programme
		if it.Name != "" {
			name += " — " + it.Name
		}
		ew.printf("\n%2d. %s\n", it.Rank, name)
		if it.Trending {
			ew.printf("    TRENDING: score %.1f in the %s window (threshold %.0f)\n", it.Spike, it.SpikeWindow, r.TrendThreshold)
		}
		ew.printf("    Unit: %s\n", it.Unit)
		if len(it.Regions) > 0 {
			named := make([]string, len(it.Regions))
			for i, g := range it.Regions {
				named[i] = fmt.Sprintf("%s (%d)", g.Name, g.CriticalStories)
			}
			ew.printf("    Regions: %s\n", strings.Join(named, ", "))
		}
		ew.printf("    %d critical of %d stories · reach %.1f · responses %.1f · spike %.1f · priority %.1f\n",
			it.CriticalStories, it.Stories, it.CriticalReach, it.Responses, it.Spike, it.Priority)
		for _, a := range it.Articles {
			title := a.Title
			if title == "" {
				title = "(untitled)"
			}
			copies := ""
			if a.Copies > 0 {
				copies = fmt.Sprintf(", +%d copies", a.Copies)
			}
			ew.printf("    - %s [%s%s, %s]\n", title, a.Source, copies, a.Published.In(loc).Format("02 Jan 15:04 MST"))
			if a.Snippet != "" {
				ew.printf("      %q\n", a.Snippet)
			}
			ew.printf("      %s\n", a.URL)
		}
	}
	return ew.err
}

// errWriter keeps the first write error so that a report is written without checks per line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// fmtWindow prints 24h as "24h" and 48h as "2d".
func fmtWindow(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

// Ago formats the age of t at now, rounded: "just now", "5 min ago", "3 h ago",
// "2 days ago"; "-" for the zero time.
func Ago(now, t time.Time) string { return ago(now, t, agoEnglish) }
