package web

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/search"
	"github.com/pantau-id/pantau/storage"
)

//go:embed search.html
var searchHTML string

var searchTemplate = template.Must(template.New("search").Parse(searchHTML))

// SearchHandlerOptions tunes SearchHandler.
type SearchHandlerOptions struct {
	// Programmes are the programme ids offered in the form; optional.
	Programmes []string
	// Lang is the page's language when the request names none: LangIndonesian or
	// LangEnglish (display.language).
	Lang string
	// Now returns the current time.
	Now func() time.Time
	// Timeout bounds one search (config.RequestTimeout).
	Timeout time.Duration
	// Logger receives store failures.
	Logger *slog.Logger
}

// searchPage is what search.html renders.
type searchPage struct {
	L                                         *messages
	Query, From, To, Programme, Region, Label string
	Limit                                     string
	Programmes                                []string
	Labels                                    []labelChoice
	// Error says in the page's language why the search was refused or failed; Detail is
	// the query parser's or the search's own explanation (in English), when there is one.
	Error, Detail string
	Result        *search.Result
	Summary       string
	CSV           string // the link to the same search as CSV
	OtherLang     string // the link to the same search in the other language
	// Stamp formats a time (UTC) in the page's language.
	Stamp func(time.Time) string
}

// labelChoice is one search label of the form: its value and its name in the page's language.
type labelChoice struct{ Value, Name string }

// searchError is a refused or failed search: its status, what the page says, and the
// detail of the parser or the search, if any.
type searchError struct {
	status int
	msg    string
	detail error
}

// text is the error as one line: the detail when there is one, else the message.
func (e *searchError) text() string {
	if e.detail != nil {
		return e.detail.Error()
	}
	return e.msg
}

// SearchHandler serves /search: a form, and for ?q=QUERY the matching stored articles
// with the matched terms marked, in Bahasa Indonesia or English (?lang=id or en; default
// opts.Lang). Parameters: from and to (dates, UTC, to inclusive),
// programme, region, label, limit, and format=csv or json for an export of the same results. A
// query that does not parse is answered with 400 and the message naming its column; the
// page says in its language what was refused, an export (csv, json) in English.
func SearchHandler(q storage.Querier, opts SearchHandlerOptions) (http.Handler, error) {
	if err := needs("search", opts.Now, opts.Timeout, opts.Logger); err != nil {
		return nil, err
	}
	if _, ok := pageMessages[opts.Lang]; !ok {
		return nil, fmt.Errorf("web: search handler: language %q: want id or en (display.language)", opts.Lang)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		msgs, err := pageLang(r, opts.Lang)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		format := v.Get("format")
		if format == "csv" || format == "json" {
			msgs = pageMessages[LangEnglish] // an export's errors are for scripts as much as people
		}
		page := searchPage{L: msgs, Query: v.Get("q"), From: v.Get("from"), To: v.Get("to"), Programme: v.Get("programme"), Region: v.Get("region"),
			Label: v.Get("label"), Limit: v.Get("limit"), Programmes: opts.Programmes,
			Stamp: func(t time.Time) string { return msgs.stamp(t, time.UTC) }}
		for _, l := range storage.SearchLabels {
			page.Labels = append(page.Labels, labelChoice{Value: l, Name: msgs.labels[l]})
		}
		other := maps.Clone(v)
		other.Set("lang", msgs.OtherLang)
		page.OtherLang = "?" + other.Encode()
		v.Set("format", "csv")
		page.CSV = "?" + v.Encode()
		var serr *searchError
		if format != "" && format != "csv" && format != "json" {
			serr = &searchError{status: http.StatusBadRequest, msg: fmt.Sprintf(msgs.BadFormat, format)}
		} else {
			serr = page.run(r.Context(), q, opts)
		}
		if serr != nil && serr.status == http.StatusServiceUnavailable {
			opts.Logger.Error("search failed", "query", page.Query, "err", serr.detail)
			serr.detail = nil
		}
		w.Header().Set("Cache-Control", "no-store")
		if serr == nil && page.Result != nil && (format == "csv" || format == "json") {
			if format == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", `attachment; filename="pantau-search.csv"`)
			} else {
				w.Header().Set("Content-Type", "application/json")
			}
			_ = search.Write(w, page.Result, format)
			return
		}
		status := http.StatusOK
		if serr != nil {
			if format == "csv" || format == "json" {
				http.Error(w, serr.text(), serr.status)
				return
			}
			status, page.Error = serr.status, serr.msg
			if serr.detail != nil {
				page.Detail = serr.detail.Error()
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if err := searchTemplate.Execute(w, page); err != nil {
			opts.Logger.Error("render search", "err", err)
		}
	}), nil
}

// run checks the parameters and searches; it returns why it refused or failed, in the
// page's language.
func (p *searchPage) run(ctx context.Context, q storage.Querier, opts SearchHandlerOptions) *searchError {
	refused := func(format string, args ...any) *searchError {
		return &searchError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
	}
	if p.Query == "" {
		return nil
	}
	query, err := taxonomy.ParseQuery(p.Query)
	if err != nil {
		return &searchError{status: http.StatusBadRequest, msg: p.L.BadQuery, detail: err}
	}
	from, ok := day(p.From)
	if !ok {
		return refused(p.L.BadDate, p.L.From, p.From)
	}
	to, ok := day(p.To)
	if !ok {
		return refused(p.L.BadDate, p.L.To, p.To)
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	so := search.OptionsFor(from, to, opts.Now())
	so.Programme, so.Region, so.Label = p.Programme, p.Region, p.Label
	if p.Limit != "" {
		n, err := strconv.Atoi(p.Limit)
		if err != nil || n < 1 || n > search.MaxLimit {
			return refused(p.L.BadLimit, p.Limit, search.MaxLimit)
		}
		so.Limit = n
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	res, err := search.Search(ctx, q, query, so)
	if errors.Is(err, search.ErrOptions) {
		return &searchError{status: http.StatusBadRequest, msg: p.L.BadSearch, detail: err}
	}
	if err != nil {
		return &searchError{status: http.StatusServiceUnavailable, msg: p.L.SearchUnavailable, detail: err}
	}
	p.Result = res
	p.Summary = p.L.summary(len(res.Articles), res.From, res.To)
	return nil
}

// day parses a date parameter (UTC); empty gives the zero time. It reports whether s is
// empty or a date.
func day(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}
