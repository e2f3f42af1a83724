package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// articleFetcher is the crawler's fetching part: it fetches queued article URLs through
// the shared fetcher, extracts them, checks the name a page gives itself against what
// was handled, and hands each article on with its acknowledgement.
type articleFetcher struct {
	f   *fetcher
	ex  *extractor
	d   *dedup
	m   *metrics
	log *slog.Logger
	now func() time.Time
}

// handle fetches one article job and sends the article to out, settling the job's
// acknowledgement: skipped, failed, given back to fetch again on a later poll, or
// (through Article.Ack) stored.
func (a *articleFetcher) handle(ctx context.Context, j job, out chan<- Article) {
	if ctx.Err() != nil {
		a.d.recent.release(j.canonical)
		j.ack(retry(ctx.Err()))
		return
	}
	art, err := a.fetchArticle(ctx, j)
	if err == nil && j.filter != nil && !j.filter(art) {
		err = errOutOfRange
	}
	if err != nil {
		switch {
		case errors.Is(err, errDuplicate), errors.Is(err, errOutOfRange):
			j.ack(err)
			return
		case transient(err) || ctx.Err() != nil:
			a.d.recent.release(j.canonical) // try again on a later poll
			j.ack(retry(err))
		default:
			j.ack(err)
		}
		if ctx.Err() == nil {
			class := errorClass(err)
			a.m.sourceErrors.WithLabelValues(j.src.Name, class).Inc()
			// A robots.txt refusal is the site's policy, not a fault: counted, logged quietly.
			level := slog.LevelWarn
			if errors.Is(err, ErrRobotsDisallowed) {
				level = slog.LevelInfo
			}
			a.log.Log(ctx, level, "article skipped", "source", j.src.Name, "url", j.item.URL, "error_class", class, "err", err)
		}
		return
	}
	var once sync.Once
	art.Ack = func(err error) {
		once.Do(func() {
			if err != nil {
				a.d.recent.release(art.CanonicalURL)
				a.d.recent.release(j.canonical)
				err = retry(err)
			}
			j.ack(err)
		})
	}
	select {
	case out <- art:
		a.m.articles.WithLabelValues(j.src.Name).Inc()
	case <-ctx.Done():
		art.Ack(ctx.Err())
	}
}

var (
	errDuplicate  = errors.New("duplicate of an article already handled")
	errOutOfRange = errors.New("published outside the backfill range")
	errNotQueued  = errors.New("not queued: cancelled, or the host queues are full")
)

func (a *articleFetcher) fetchArticle(ctx context.Context, j job) (Article, error) {
	resp, err := a.f.fetch(ctx, j.src.Name, FetchArticle, j.item.URL, fetchOpts{})
	if err != nil {
		return Article{}, err
	}
	fetched := a.now()
	if ct := strings.ToLower(resp.ContentType); ct != "" && !strings.Contains(ct, "html") {
		return Article{}, fmt.Errorf("article %s: %w", j.item.URL, &parseError{fmt.Errorf("content type %q is not HTML", resp.ContentType)})
	}
	ex, err := a.ex.extract(ctx, resp.Body, resp.URL, extractHints{
		contentType: resp.ContentType, lang: j.src.Lang, feedPublished: j.item.Published, zone: j.src.zone,
	})
	if err != nil {
		return Article{}, fmt.Errorf("extract %s: %w", resp.URL, err)
	}
	canon := ex.URL
	if canon == "" {
		canon = j.canonical
	}
	if canon != j.canonical {
		// The page names another canonical URL: it may have been handled under that name.
		if !a.d.claimAlias(ctx, canon) {
			return Article{}, errDuplicate
		}
	}
	art := Article{
		URL: j.item.URL, CanonicalURL: canon, Source: j.src.Name, SourceKind: j.src.Kind, Region: j.src.Region,
		Title: ex.Title, Text: ex.Text, Author: ex.Author, Lang: ex.Lang, Published: ex.Published,
		Discovered: j.discovered.UTC(), Fetched: fetched.UTC(), SimHash: SimHash(ex.Text),
	}
	if art.Title == "" {
		art.Title = j.item.Title
	}
	if art.Author == "" {
		art.Author = j.item.Author
	}
	art.Published = a.plausibleDate(art.Published, j.item.Published, fetched, j.src.Name, j.item.URL)
	return art, nil
}

// earliestPlausible is the oldest publication date taken at face value; older ones are
// parsing accidents (a zero year, a copyright line) and fall back to the listing's date.
var earliestPlausible = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// plausibleDate corrects a page's publication date: one in the future (beyond an hour of
// clock skew) or before 1995 is replaced by the listing's date when that one is
// plausible, else by the fetch time (future) or dropped (too old). Each correction is logged.
func (a *articleFetcher) plausibleDate(pub, listed, fetched time.Time, source, u string) time.Time {
	ok := func(t time.Time) bool {
		return !t.IsZero() && !t.After(fetched.Add(futureTolerance)) && !t.Before(earliestPlausible)
	}
	if pub.IsZero() || ok(pub) {
		return pub
	}
	fixed := time.Time{}
	switch {
	case ok(listed):
		fixed = listed.UTC()
	case pub.After(fetched):
		fixed = fetched.UTC()
	}
	a.m.dateCorrections.WithLabelValues(source).Inc()
	a.log.Warn("implausible publication date corrected", "source", source, "url", u, "published", pub, "corrected_to", fixed)
	return fixed
}
