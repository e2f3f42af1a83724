package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/storage"
)

// maxCorrectionBytes bounds a correction request's body.
const maxCorrectionBytes = 16 << 10

// CorrectionHandler takes an analyst's correction of a mention (POST /api/corrections, an
// HTML form or form-encoded fields): url (the article's canonical URL), programme, and either
// label (negative, neutral, positive; criticism=true for criticism) or kind=programme with an
// optional new_programme; analyst (who) is required, note optional. It answers 303 to the
// report for the report's form (return=report; the form's lang, window and region are kept
// and corrected=1 has the report confirm it), else the stored correction as JSON. A refused
// correction is answered with the error as plain text, or for the report's form with a page
// in the form's language (lang) saying why.
//
// Writes are taken only from loopback clients, whatever address the server listens on, and
// never from a cross-origin browser request (a page elsewhere posting to the analyst's local
// server): the same reach as the rest of the server, which binds to 127.0.0.1 by default.
func CorrectionHandler(s storage.Store, tax *taxonomy.Taxonomy, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxCorrectionBytes)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "correction: "+err.Error(), http.StatusBadRequest)
			return
		}
		fromReport := r.PostForm.Get("return") == "report"
		refuse := func(status int, err error, reason func(*messages) string) {
			if !fromReport {
				http.Error(w, err.Error(), status)
				return
			}
			refuseOnPage(w, r, status, err, reason)
		}
		c, err := correctionFromForm(r, tax)
		if err != nil {
			reason := func(m *messages) string { return m.CorrectionInvalid }
			if c.Analyst == "" {
				reason = func(m *messages) string { return m.CorrectionNoAnalyst }
			}
			refuse(http.StatusBadRequest, err, reason)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
		defer cancel()
		c, err = storage.Correct(ctx, s, c, tax.UnitOf)
		switch {
		case errors.Is(err, storage.ErrNoMention):
			refuse(http.StatusNotFound, err, func(m *messages) string { return m.CorrectionNoMention })
			return
		case err != nil:
			logger.Error("correction failed", "programme", c.Programme, "url_hash", c.URLHash, "err", err)
			refuse(http.StatusServiceUnavailable, errors.New("correction not stored: the store did not answer"),
				func(m *messages) string { return m.CorrectionUnavailable })
			return
		}
		logger.Info("mention corrected", "programme", c.Programme, "kind", c.Kind, "story", c.Story, "analyst", c.Analyst)
		if fromReport {
			http.Redirect(w, r, "../report?"+reportQuery(r, url.Values{"corrected": {"1"}}).Encode(), http.StatusSeeOther)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"story": fmt.Sprint(c.Story), "url_hash": fmt.Sprint(c.URLHash),
			"programme": c.Programme, "kind": c.Kind, "label": c.Label, "criticism": c.Criticism, "new_programme": c.NewProgramme,
			"was_label": c.WasLabel, "analyst": c.Analyst, "corrected_at": c.CorrectedAt})
	})
	return LoopbackOnly(http.NewCrossOriginProtection().Handler(h))
}

// correctionRefusedTemplate is the page the report's form gets when a correction is not stored.
var correctionRefusedTemplate = template.Must(template.New("refused").Parse(`<!DOCTYPE html>
<html lang="{{.L.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.L.CorrectionFailed}}</title></head>
<body>
<main>
<h1>{{.L.CorrectionFailed}}</h1>
<p id="correction-error" role="alert">{{.Reason}}</p>
{{- with .Detail}}
<p><code lang="en">{{.}}</code></p>
{{- end}}
<p><a href="{{.Back}}">{{.L.BackToReport}}</a></p>
</main>
</body>
</html>
`))

// refuseOnPage answers the report's correction form with status and a page giving the
// reason in the form's language (its lang field), the detail of err when the reason is
// the generic one, and a link back to the report.
func refuseOnPage(w http.ResponseWriter, r *http.Request, status int, err error, reason func(*messages) string) {
	m, lerr := pageLang(r, LangIndonesian)
	if lerr != nil {
		m = pageMessages[LangIndonesian]
	}
	page := struct {
		L                    *messages
		Reason, Detail, Back string
	}{L: m, Reason: reason(m), Back: "../report?" + reportQuery(r, nil).Encode()}
	if page.Reason == m.CorrectionInvalid {
		page.Detail = err.Error()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = correctionRefusedTemplate.Execute(w, page)
}

// reportQuery is the query of the report the form was posted from (its lang, window and
// region fields), plus extra.
func reportQuery(r *http.Request, extra url.Values) url.Values {
	v := url.Values{}
	for _, k := range []string{"lang", "window", "region"} {
		if s := r.PostForm.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

// correctionFromForm reads a correction from the request's form.
func correctionFromForm(r *http.Request, tax *taxonomy.Taxonomy) (storage.Correction, error) {
	f := r.PostForm
	c := storage.Correction{URLHash: storage.URLHash(f.Get("url")), Programme: f.Get("programme"),
		Analyst: strings.TrimSpace(f.Get("analyst")), Note: f.Get("note")}
	if f.Get("url") == "" {
		return c, errors.New("correction: no url")
	}
	if f.Get("label") != "" {
		c.Kind, c.Label, c.Criticism = storage.CorrectStance, f.Get("label"), f.Get("criticism") == "true"
	} else if f.Get("kind") == storage.CorrectProgramme {
		c.Kind, c.NewProgramme = storage.CorrectProgramme, f.Get("new_programme")
	} else {
		return c, errors.New("correction: give label, or kind=programme")
	}
	for _, id := range []string{c.Programme, c.NewProgramme} {
		if _, ok := tax.Programme(id); id != "" && !ok {
			return c, fmt.Errorf("correction: programme %q is not in the taxonomy", id)
		}
	}
	return c, c.Validate()
}

// LoopbackOnly refuses requests whose client is not on a loopback address with 403.
func LoopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, "corrections are taken from this machine only", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
