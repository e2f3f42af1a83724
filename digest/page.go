package digest

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/pantau-id/pantau/storage"
)

// HandlerOptions tunes Handler.
type HandlerOptions struct {
	// Digest composes the digests: delivery time, sizes, reach, names.
	Digest Options
	// Now returns the current time.
	Now func() time.Time
	// Timeout bounds composing one digest (config.RequestTimeout).
	Timeout time.Duration
	// Logger receives query failures.
	Logger *slog.Logger
}

var unitsTemplate = template.Must(template.New("units").Parse(`<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Kliping harian Pantau</title></head>
<body style="font-family: Arial, sans-serif; max-width: 50rem; margin: 2rem auto">
<h1>Kliping harian Pantau — {{.Date}}</h1>
<ul>{{range .Units}}<li><a href="digest?unit={{.ID}}&amp;date={{$.Date}}">{{.Name}}</a> <small>({{.ID}})</small></li>{{end}}</ul>
</body></html>`))

// Handler serves the printable daily clipping: /digest?unit=ID&date=YYYY-MM-DD (date
// defaults to today in WIB; format=json, md or text for other renderings). Without unit
// it lists the units. Register it for "GET /digest".
func Handler(q storage.Querier, units []Unit, opts HandlerOptions) (http.Handler, error) {
	if opts.Now == nil || opts.Timeout <= 0 || opts.Logger == nil {
		return nil, fmt.Errorf("digest: handler needs a clock, a positive timeout (config.RequestTimeout) and a logger; got timeout %s", opts.Timeout)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		day := opts.Now()
		if s := r.URL.Query().Get("date"); s != "" {
			d, err := ParseDay(s)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			day = d
		}
		id := r.URL.Query().Get("unit")
		if id == "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = unitsTemplate.Execute(w, map[string]any{"Date": Day(day), "Units": units})
			return
		}
		unit, ok := findUnit(units, id)
		if !ok {
			http.Error(w, fmt.Sprintf("unit %q: no such unit id", id), http.StatusNotFound)
			return
		}
		format := r.URL.Query().Get("format")
		contentType := map[string]string{"": "text/html; charset=utf-8", FormatHTML: "text/html; charset=utf-8",
			FormatJSON: "application/json", FormatMarkdown: "text/markdown; charset=utf-8", FormatText: "text/plain; charset=utf-8"}[format]
		if contentType == "" {
			http.Error(w, fmt.Sprintf("format %q: want html, json, md or text", format), http.StatusBadRequest)
			return
		}
		if format == "" {
			format = FormatHTML
		}
		ctx, cancel := context.WithTimeout(r.Context(), opts.Timeout)
		defer cancel()
		d, err := Compose(ctx, q, unit, day, opts.Digest)
		if err != nil {
			opts.Logger.Error("digest failed", "unit", unit.ID, "err", err)
			http.Error(w, "digest unavailable: the store did not answer", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		if err := Render(w, d, format); err != nil {
			opts.Logger.Error("render digest", "unit", unit.ID, "err", err)
		}
	}), nil
}

// findUnit returns the unit with the id; names are not matched on the web.
func findUnit(units []Unit, id string) (Unit, bool) {
	for _, u := range units {
		if u.ID == id {
			return u, true
		}
	}
	return Unit{}, false
}
