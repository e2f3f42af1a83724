package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/pantau-id/pantau/config"
)

// discoverer is the crawler's discovery part: it lists the article URLs of a source's
// feed, sitemap or portal pages (and the feeds those pages advertise). It fetches
// through the shared fetcher and holds no state of its own: a source's validators come
// from its SourceState.
type discoverer struct {
	f   *fetcher
	m   *metrics
	log *slog.Logger
	now func() time.Time
}

// listing is what one discovery found.
type listing struct {
	items       []item
	notModified bool
	etag, lm    string      // the response's validators (feeds)
	feeds       []FeedState // the feeds a portal's pages advertise, with their validators
	fresh       time.Duration
}

// discover lists a source's items, newest first where the listing tells. Backfill
// (full true) asks for the whole listing: no conditional GET, every child sitemap.
func (d *discoverer) discover(ctx context.Context, s *source, full bool) (listing, error) {
	switch s.Kind {
	case config.KindFeed:
		return d.discoverFeed(ctx, s, full)
	case config.KindSitemap:
		return d.discoverSitemap(ctx, s, full, time.Time{})
	default:
		return d.discoverPortal(ctx, s, full)
	}
}

func (d *discoverer) discoverFeed(ctx context.Context, s *source, full bool) (listing, error) {
	var v FeedState
	if !full {
		st := s.state()
		v.ETag, v.LastModified = st.ETag, st.LastModified
	}
	return d.fetchFeed(ctx, s, s.URL, v)
}

// fetchFeed GETs one feed of s, conditionally when v holds validators, and parses it.
func (d *discoverer) fetchFeed(ctx context.Context, s *source, feedURL string, v FeedState) (listing, error) {
	hdr := http.Header{"Accept": {"application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, */*;q=0.5"}}
	if v.ETag != "" {
		hdr.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		hdr.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := d.f.fetch(ctx, s.Name, FetchFeed, feedURL, fetchOpts{header: hdr})
	if err != nil {
		return listing{}, err
	}
	l := listing{fresh: freshness(resp.Header, resp.Body, d.now())}
	if resp.Status == http.StatusNotModified {
		l.notModified = true
		return l, nil
	}
	if l.items, err = parseFeed(resp.Body, resp.URL, s.zone); err != nil {
		return listing{}, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	l.etag, l.lm = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	newestFirst(l.items)
	return l, nil
}

// maxBackfillChildren bounds the child sitemaps one backfill reads from an index.
const maxBackfillChildren = 1000

func (d *discoverer) discoverSitemap(ctx context.Context, s *source, full bool, from time.Time) (listing, error) {
	resp, err := d.f.fetch(ctx, s.Name, FetchSitemap, s.URL, fetchOpts{})
	if err != nil {
		return listing{}, err
	}
	sm, err := parseSitemap(resp.Body, resp.URL, s.zone)
	if err != nil {
		return listing{}, fmt.Errorf("sitemap %s: %w", s.URL, err)
	}
	l := listing{items: sm.Items, fresh: freshness(resp.Header, nil, d.now())}
	limit := maxChildSitemaps
	if full {
		limit = maxBackfillChildren
	}
	read := 0
	for _, child := range sm.Children {
		if read >= limit || ctx.Err() != nil {
			break
		}
		if full && !from.IsZero() && !child.Published.IsZero() && child.Published.Before(from) {
			continue // changed last before the range began: holds nothing published in it
		}
		read++
		resp, err := d.f.fetch(ctx, s.Name, FetchSitemap, child.URL, fetchOpts{})
		if err == nil {
			var csm sitemap
			if csm, err = parseSitemap(resp.Body, resp.URL, s.zone); err == nil {
				l.items = append(l.items, csm.Items...)
				continue
			}
		}
		d.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
		d.log.Warn("child sitemap failed", "source", s.Name, "url", child.URL, "err", err)
	}
	newestFirst(l.items)
	return l, nil
}

// discoverPortal lists the article links of a portal's pages and the items of the feeds
// those pages advertise (<link rel="alternate"> RSS, Atom or JSON Feed; at most
// maxPortalFeeds, on the page's registrable domain only). Feed items come first, so that
// an article both linked and listed keeps the feed's date, title and author. Both kinds
// of link must match the source's link_pattern (without one: be on the page's site). A
// failing feed is counted and logged and keeps its validators; the poll fails only when
// every page does.
func (d *discoverer) discoverPortal(ctx context.Context, s *source, full bool) (listing, error) {
	pages := append([]string{s.URL}, s.URLs...)
	var pageItems []item
	var feeds []string
	seen := map[string]bool{}
	failed := 0
	var lastErr error
	for _, p := range pages {
		if p == "" {
			continue
		}
		resp, err := d.f.fetch(ctx, s.Name, FetchPage, p, fetchOpts{links: true})
		if err != nil {
			failed++
			lastErr = err
			if len(pages) > 1 {
				d.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
				d.log.Warn("portal page failed", "source", s.Name, "url", p, "err", err)
			}
			continue
		}
		pu, _ := url.Parse(resp.URL)
		cu, _ := url.Parse(p)
		for _, f := range resp.FeedLinks {
			if seen[f] {
				continue
			}
			seen[f] = true
			fu, err := url.Parse(f)
			switch {
			case err != nil || (fu.Scheme != "http" && fu.Scheme != "https") || cu == nil || !sameSite(fu.Hostname(), cu.Hostname()):
				d.log.Debug("feed advertised off the portal's site ignored", "source", s.Name, "page", p, "feed", f)
			case len(feeds) >= maxPortalFeeds:
				d.log.Debug("feed advertised beyond the portal's limit ignored", "source", s.Name, "page", p, "feed", f, "limit", maxPortalFeeds)
			default:
				feeds = append(feeds, f)
			}
		}
		for _, link := range resp.Links {
			if seen[link] {
				continue
			}
			seen[link] = true
			if s.portalLink(link, pu) {
				pageItems = append(pageItems, item{URL: link})
			}
		}
	}
	if failed > 0 && failed == len(pages) {
		return listing{}, lastErr
	}
	var l listing
	l.items, l.feeds = d.portalFeeds(ctx, s, feeds, full)
	listed := make(map[string]bool, len(l.items))
	for _, it := range l.items {
		listed[it.URL] = true
	}
	for _, it := range pageItems {
		if !listed[it.URL] {
			l.items = append(l.items, it)
		}
	}
	return l, nil
}

// portalFeeds reads the feeds a portal advertises, conditionally with the validators of
// the last acknowledged poll unless full, and returns their items (newest first) that
// the portal takes, and each feed's validators for the next poll.
func (d *discoverer) portalFeeds(ctx context.Context, s *source, feeds []string, full bool) ([]item, []FeedState) {
	if len(feeds) == 0 {
		return nil, nil
	}
	prev := map[string]FeedState{}
	if !full {
		for _, f := range s.state().Feeds {
			prev[f.URL] = f
		}
	}
	var items []item
	states := make([]FeedState, 0, len(feeds))
	for _, f := range feeds {
		if ctx.Err() != nil {
			break
		}
		v := prev[f]
		v.URL = f
		fl, err := d.fetchFeed(ctx, s, f, v)
		if err != nil {
			if ctx.Err() == nil {
				d.m.sourceErrors.WithLabelValues(s.Name, errorClass(err)).Inc()
				d.log.Warn("portal feed failed", "source", s.Name, "feed", f, "err", err)
			}
			states = append(states, v) // try again from the same validators
			continue
		}
		if !fl.notModified {
			v.ETag, v.LastModified = fl.etag, fl.lm
			fu, _ := url.Parse(f)
			for _, it := range fl.items {
				if s.portalLink(it.URL, fu) {
					items = append(items, it)
				}
			}
		}
		states = append(states, v)
	}
	newestFirst(items)
	return items, states
}

// portalLink reports whether a portal takes link, found on the page or feed at from, as
// an article: it matches the source's link_pattern or, without one, is on from's site.
func (s *source) portalLink(link string, from *url.URL) bool {
	if s.linkRE != nil {
		return s.linkRE.MatchString(link)
	}
	lu, err := url.Parse(link)
	return err == nil && from != nil && sameSite(lu.Hostname(), from.Hostname())
}
