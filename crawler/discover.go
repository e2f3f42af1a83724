package crawler

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// item is one article URL found in a feed, sitemap or portal page, with what the
// listing said about it.
type item struct {
	URL       string
	Title     string
	Author    string
	Published time.Time // zero if the listing gave none
}

// parseFeed parses an RSS, Atom or JSON feed and returns its items with absolute links.
// Items without a usable link are dropped. Dates written without a zone are read in
// zone (UTC when nil); a WIB, WITA or WIT suffix is honoured.
//
// A feed that does not parse as sent is parsed once more after repairCharset: one bad byte, or
// an encoding declaration its bytes do not follow, must not cost every item of the feed.
func parseFeed(body []byte, feedURL string, zone *time.Location) ([]item, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		fixed, ok := repairCharset(body)
		if !ok {
			return nil, &parseError{err}
		}
		if feed, err = gofeed.NewParser().Parse(bytes.NewReader(fixed)); err != nil {
			return nil, &parseError{err}
		}
	}
	base, _ := url.Parse(feedURL)
	items := make([]item, 0, len(feed.Items))
	for _, fi := range feed.Items {
		if fi == nil {
			continue
		}
		link := strings.TrimSpace(fi.Link)
		if link == "" && len(fi.Links) > 0 {
			link = strings.TrimSpace(fi.Links[0])
		}
		if link == "" && strings.HasPrefix(fi.GUID, "http") {
			link = fi.GUID
		}
		abs := absURL(base, link)
		if abs == "" {
			continue
		}
		it := item{URL: abs, Title: strings.TrimSpace(fi.Title)}
		switch {
		case fi.Published != "" || fi.PublishedParsed != nil:
			it.Published = feedTime(fi.Published, fi.PublishedParsed, zone)
		case fi.Updated != "" || fi.UpdatedParsed != nil:
			it.Published = feedTime(fi.Updated, fi.UpdatedParsed, zone)
		}
		if len(fi.Authors) > 0 && fi.Authors[0] != nil {
			it.Author = strings.TrimSpace(fi.Authors[0].Name)
		}
		items = append(items, it)
	}
	return items, nil
}

// feedTime returns an item's date in UTC. gofeed reads a date without a zone as UTC and
// an unknown abbreviation such as WIB as UTC too: those forms are parsed again here, in
// the source's zone or the one the abbreviation names.
func feedTime(raw string, parsed *time.Time, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	if t := parseLocalTime(raw, zone); !t.IsZero() {
		return t.UTC()
	}
	if parsed != nil {
		return parsed.UTC()
	}
	return time.Time{}
}

// absURL resolves ref against base and returns it if it is an http(s) URL, else "".
func absURL(base *url.URL, ref string) string {
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		r = base.ResolveReference(r)
	}
	if (r.Scheme != "http" && r.Scheme != "https") || r.Host == "" {
		return ""
	}
	return r.String()
}

// sitemap is a parsed sitemap: either a urlset (Items) or a sitemap index (Children).
type sitemap struct {
	Items    []item
	Children []item // child sitemaps, newest first
}

type xmlSitemap struct {
	XMLName xml.Name
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    struct {
			PublicationDate string `xml:"publication_date"`
			Title           string `xml:"title"`
		} `xml:"news"`
	} `xml:"url"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

// parseSitemap parses a sitemap urlset, a sitemap index or a Google News sitemap.
// Entries are sorted newest first (by news:publication_date, else lastmod); undated ones
// keep their order after the dated ones.
func parseSitemap(body []byte, sitemapURL string, zone *time.Location) (sitemap, error) {
	var x xmlSitemap
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charsetReader
	dec.Strict = false
	if err := dec.Decode(&x); err != nil {
		return sitemap{}, &parseError{err}
	}
	switch x.XMLName.Local {
	case "urlset", "sitemapindex":
	default:
		return sitemap{}, &parseError{errors.New("not a sitemap: root element <" + x.XMLName.Local + ">")}
	}
	base, _ := url.Parse(sitemapURL)
	var sm sitemap
	for _, u := range x.URLs {
		abs := absURL(base, strings.TrimSpace(u.Loc))
		if abs == "" {
			continue
		}
		it := item{URL: abs, Title: strings.TrimSpace(u.News.Title)}
		if t, ok := parseW3CDate(u.News.PublicationDate, zone); ok {
			it.Published = t
		} else if t, ok := parseW3CDate(u.LastMod, zone); ok {
			it.Published = t
		}
		sm.Items = append(sm.Items, it)
	}
	for _, s := range x.Sitemaps {
		abs := absURL(base, strings.TrimSpace(s.Loc))
		if abs == "" {
			continue
		}
		it := item{URL: abs}
		if t, ok := parseW3CDate(s.LastMod, zone); ok {
			it.Published = t
		}
		sm.Children = append(sm.Children, it)
	}
	newestFirst(sm.Items)
	newestFirst(sm.Children)
	return sm, nil
}

func newestFirst(items []item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Published, items[j].Published
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.After(b)
	})
}

// parseW3CDate parses the W3C datetime forms sitemaps use. A date without a zone is
// taken in zone (UTC when nil).
func parseW3CDate(s string, zone *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if zone == nil {
		zone = time.UTC
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
