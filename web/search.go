package web

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/search"
	"github.com/pantau-id/pantau/storage"
)

//go:embed search.html
var searchHTML string

var searchTemplate = template.Must(template.New("search").Funcs(template.FuncMap{
	"stamp": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") },
}).Parse(searchHTML))

// SearchHandlerOptions tunes SearchHandler.
type SearchHandlerOptions struct {
	// Programmes are the programme ids offered in the form; optional.
	Programmes []string
	// Now returns the current time.
	Now func() time.Time
	// Timeout bounds one search (config.RequestTimeout).
	Timeout time.Duration
	// Logger receives store failures.
	Logger *slog.Logger
}

// searchPage is what search.html renders.
type searchPage struct {
	Query, From, To, Programme, Region, Label string
	Limit                                     string
	Programmes, Labels                        []string
	Error                                     string
	Result                                    *search.Result
	CSV                                       string // the link to the same search as CSV
}

// SearchHandler serves /search: a form, and for ?q=QUERY the matching stored articles
// with the matched terms marked. Parameters: from and to (dates, UTC, to inclusive),
// programme, region, label, limit, and format=csv or json for an export of the same results. A
// query that does not parse is answered with 400 and the message naming its column.
func SearchHandler(q storage.Querier, opts SearchHandlerOptions) (http.Handler, error) {
	if err := needs("search", opts.Now, opts.Timeout, opts.Logger); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		page := searchPage{Query: v.Get("q"), From: v.Get("from"), To: v.Get("to"), Programme: v.Get("programme"), Region: v.Get("region"),
			Label: v.Get("label"), Limit: v.Get("limit"), Programmes: opts.Programmes, Labels: storage.SearchLabels}
		format := v.Get("format")
		v.Set("format", "csv")
		page.CSV = "?" + v.Encode()
		status, err := page.run(r.Context(), q, opts, format)
		if status == http.StatusServiceUnavailable {
			opts.Logger.Error("search failed", "query", page.Query, "err", err)
			err = errors.New("search unavailable: the store did not answer")
		}
		w.Header().Set("Cache-Control", "no-store")
		if err == nil && page.Result != nil && (format == "csv" || format == "json") {
			if format == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", `attachment; filename="pantau-search.csv"`)
			} else {
				w.Header().Set("Content-Type", "application/json")
			}
			_ = search.Write(w, page.Result, format)
			return
		}
		if err != nil {
			page.Error = err.Error()
			if format == "csv" || format == "json" {
				http.Error(w, page.Error, status)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if err := searchTemplate.Execute(w, page); err != nil {
			opts.Logger.Error("render search", "err", err)
		}
	}), nil
}

// run checks the parameters and searches; it returns the HTTP status and the error to show.
func (p *searchPage) run(ctx context.Context, q storage.Querier, opts SearchHandlerOptions, format string) (int, error) {
	if format != "" && format != "csv" && format != "json" {
		return http.StatusBadRequest, fmt.Errorf("format %q: want csv or json", format)
	}
	if p.Query == "" {
		return http.StatusOK, nil
	}
	query, err := taxonomy.ParseQuery(p.Query)
	if err != nil {
		return http.StatusBadRequest, err
	}
	so := search.Options{Programme: p.Programme, Region: p.Region, Label: p.Label, Now: opts.Now}
	if so.From, err = day(p.From, "from"); err != nil {
		return http.StatusBadRequest, err
	}
	if so.To, err = day(p.To, "to"); err != nil {
		return http.StatusBadRequest, err
	}
	if !so.To.IsZero() {
		so.To = so.To.AddDate(0, 0, 1)
	}
	if p.Limit != "" {
		n, err := strconv.Atoi(p.Limit)
		if err != nil || n < 1 || n > search.MaxLimit {
			return http.StatusBadRequest, fmt.Errorf("limit %q: want 1 to %d", p.Limit, search.MaxLimit)
		}
		so.Limit = n
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	res, err := search.Search(ctx, q, query, so)
	if errors.Is(err, search.ErrOptions) {
		return http.StatusBadRequest, err
	}
	if err != nil {
		return http.StatusServiceUnavailable, err
	}
	p.Result = res
	return http.StatusOK, nil
}

// day parses a date parameter (UTC); empty gives the zero time.
func day(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want a date such as 2026-11-01", name, s)
	}
	return t, nil
}
