package crawler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	htmldate "github.com/markusmobius/go-htmldate"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/publicsuffix"

	"github.com/pantau-id/pantau/config"
)

// minTextRunes is the shortest body text taken as an article; shorter extractions are
// menus or captions.
const minTextRunes = 80

// Extracted is what Extract finds in one article page.
type Extracted struct {
	URL       string // canonical URL: the page's rel=canonical on the same site, else its own, canonicalized
	Title     string
	Text      string // main body text, paragraphs separated by newlines
	Author    string
	Published time.Time // UTC; zero if unknown
	Lang      string    // ISO 639-1 from the page's metadata; empty if it declares none
}

// extractHints is what the crawler knows about a page beyond its bytes.
type extractHints struct {
	contentType   string         // the response's Content-Type, charset included
	lang          string         // the source's configured language
	feedPublished time.Time      // the listing's date for the item
	zone          *time.Location // zone for dates written without one; nil guesses from lang and host
}

// Extract extracts an article's canonical URL, title, text, author, publication time and
// language from one HTML page. pageURL is where the page was fetched from; it may be
// empty. Dates without a zone on Indonesian pages (lang "id" or an .id host) are read as
// WIB (UTC+7); "WITA" and "WIT" suffixes are read as UTC+8 and UTC+9. It returns
// ErrNoContent if the page holds no article text and ErrExtractLimit if the page is too
// large or too deeply nested to extract safely.
func Extract(page []byte, pageURL string) (Extracted, error) {
	return extract(page, pageURL, extractHints{})
}

func extract(page []byte, pageURL string, h extractHints) (Extracted, error) {
	if len(page) > maxExtractBytes {
		return Extracted{}, fmt.Errorf("%d bytes: %w", len(page), ErrExtractLimit)
	}
	doc, err := html.Parse(bytes.NewReader(toUTF8(page, h.contentType)))
	if err != nil {
		return Extracted{}, &parseError{err}
	}
	if err := checkDOM(doc); err != nil {
		return Extracted{}, err
	}
	base, _ := url.Parse(pageURL)
	meta := scanMeta(doc)

	var out Extracted
	out.Lang = h.lang
	if out.Lang == "" {
		out.Lang = primaryLang(meta.lang)
	}
	zone := h.zone
	if zone == nil {
		// A page without its source's zone takes the default a source would get (WIB for an
		// Indonesian page), else UTC. Without a time_zone, Location cannot fail.
		zone, _ = config.Source{URL: pageURL, Lang: out.Lang}.Location()
		if zone == nil {
			zone = time.UTC
		}
	}

	// Publication time: a precise page timestamp first, then the listing's date, then
	// whatever day htmldate finds. htmldate reads the document as parsed (before
	// separateBlocks), and only when neither the page's metadata nor the listing dates it.
	local := parseLocalTime(meta.publishedRaw, zone)
	switch {
	case !meta.published.IsZero():
		out.Published = meta.published
	case !local.IsZero():
		out.Published = local
	case !h.feedPublished.IsZero():
		out.Published = h.feedPublished
	default:
		dateOpts := htmldate.Options{ExtractTime: true, UseOriginalDate: true, URL: pageURL, SkipExtensiveSearch: true}
		if hd, err := htmldate.FromDocument(doc, dateOpts); err == nil && !hd.DateTime.IsZero() {
			t := hd.DateTime
			if !hd.HasTimezone {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zone)
			}
			out.Published = t
		}
	}
	if !out.Published.IsZero() {
		out.Published = out.Published.UTC()
	}

	// The date comes from the page or htmldate above (with the time of day), so
	// trafilatura skips its own.
	opts := trafilatura.Options{
		OriginalURL:     base,
		ExcludeComments: true,
		EnableFallback:  false, // DESIGN.md: as accurate and about twice as fast without
		HtmlDateMode:    trafilatura.Disabled,
	}
	separateBlocks(doc) // trafilatura joins some text without a separator
	res, err := trafilatura.ExtractDocument(doc, opts)
	if err != nil {
		return Extracted{}, fmt.Errorf("%w: %v", ErrNoContent, err)
	}
	out.Title = strings.TrimSpace(res.Metadata.Title)
	if out.Title == "" {
		out.Title = meta.title
	}
	out.Author = strings.TrimSpace(res.Metadata.Author)
	out.Text = bodyText(res, out.Title, out.Author)
	if utf8.RuneCountInString(out.Text) < minTextRunes {
		return Extracted{}, ErrNoContent
	}
	if out.Lang == "" {
		out.Lang = primaryLang(res.Metadata.Language)
	}

	out.URL = canonicalOf(base, meta.canonical)
	return out, nil
}

// bodyText is the article text of a trafilatura result, one paragraph a line, without
// the title and byline lines an article container often starts with. It reads the
// result's node, which keeps block boundaries, and only falls back to its flat text
// when there is no node.
func bodyText(res *trafilatura.ExtractResult, title, author string) string {
	if res.ContentNode == nil {
		return strings.TrimSpace(res.ContentText)
	}
	return strings.Join(stripHead(nodeText(res.ContentNode), title, author), "\n")
}

// canonicalOf picks the page's canonical URL: rel=canonical when it is on the same
// registrable domain as the page, else the page URL; then Canonicalize.
func canonicalOf(base *url.URL, canonical string) string {
	own := ""
	if base != nil {
		own = base.String()
	}
	pick := own
	if c := absURL(base, strings.TrimSpace(canonical)); c != "" {
		cu, _ := url.Parse(c)
		if base == nil || base.Host == "" || sameSite(base.Hostname(), cu.Hostname()) {
			pick = c
		}
	}
	if pick == "" {
		return ""
	}
	if cu, err := Canonicalize(pick); err == nil {
		return cu
	}
	return pick
}

// sameSite reports whether two hosts share a registrable domain (eTLD+1).
func sameSite(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	ra, errA := publicsuffix.EffectiveTLDPlusOne(a)
	rb, errB := publicsuffix.EffectiveTLDPlusOne(b)
	return errA == nil && errB == nil && ra == rb
}

func primaryLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	if tag == "in" { // the old code for Indonesian, still seen in lang attributes
		tag = "id"
	}
	return tag
}

// pageMeta is what one walk over the document finds in <head> and JSON-LD.
type pageMeta struct {
	lang         string
	title        string
	canonical    string
	published    time.Time // from a timestamp with a zone
	publishedRaw string    // a timestamp without a zone, resolved by the caller
}

// publishedMetaNames are <meta> names and properties that carry the publication time,
// most trusted first.
var publishedMetaNames = []string{
	"article:published_time", "og:article:published_time", "datepublished", "publishdate",
	"dtk:publishdate", "content_publisheddate", "pubdate", "publish-date", "date",
}

func scanMeta(doc *html.Node) pageMeta {
	var m pageMeta
	metaDates := map[string]string{}
	var ldDates []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				m.lang = attr(n, "lang")
			case atom.Title:
				if m.title == "" && n.FirstChild != nil {
					m.title = strings.TrimSpace(n.FirstChild.Data)
				}
			case atom.Link:
				if m.canonical == "" && strings.EqualFold(attr(n, "rel"), "canonical") {
					m.canonical = attr(n, "href")
				}
			case atom.Meta:
				key := strings.ToLower(attr(n, "property"))
				if key == "" {
					key = strings.ToLower(attr(n, "name"))
				}
				if key == "" {
					key = strings.ToLower(attr(n, "itemprop"))
				}
				if key != "" {
					if _, ok := metaDates[key]; !ok {
						metaDates[key] = strings.TrimSpace(attr(n, "content"))
					}
				}
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
					ldDates = append(ldDates, jsonLDDates(n.FirstChild.Data)...)
				}
			case atom.Body:
				// Metadata lives in <head>, JSON-LD may sit in <body>: keep walking.
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	candidates := make([]string, 0, 4)
	for _, k := range publishedMetaNames[:1] {
		candidates = append(candidates, metaDates[k])
	}
	candidates = append(candidates, ldDates...)
	for _, k := range publishedMetaNames[1:] {
		candidates = append(candidates, metaDates[k])
	}
	for _, s := range candidates {
		if s == "" {
			continue
		}
		if t, ok := parseZonedTime(s); ok {
			m.published = t
			return m
		}
		if m.publishedRaw == "" && hasClock(s) {
			m.publishedRaw = s
		}
	}
	return m
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// jsonLDDates returns the datePublished values found anywhere in a JSON-LD block.
func jsonLDDates(src string) []string {
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return nil
	}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["datePublished"].(string); ok {
				out = append(out, s)
			}
			for _, c := range x {
				walk(c, depth+1)
			}
		case []any:
			for _, c := range x {
				walk(c, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

var zonedLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05-07:00",
	"2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05.000-0700", time.RFC1123Z, time.RFC1123,
}

var localLayouts = []string{
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "02/01/2006 15:04:05", "02/01/2006 15:04",
	"Mon, 02 Jan 2006 15:04:05", "Mon, 2 Jan 2006 15:04:05", "Mon, 02 Jan 2006 15:04", "02 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05", "02 Jan 2006 15:04", "2 Jan 2006 15:04",
}

func parseZonedTime(s string) (time.Time, bool) {
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// cutIndonesianZone removes a trailing WIB, WITA or WIT and returns its zone, or nil.
func cutIndonesianZone(s string) (string, *time.Location) {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	for abbr, loc := range config.IndonesianZones { // no abbreviation ends another
		if strings.HasSuffix(up, abbr) {
			rest := s[:len(s)-len(abbr)]
			if rest == "" || rest[len(rest)-1] == ' ' || (rest[len(rest)-1] >= '0' && rest[len(rest)-1] <= '9') {
				return strings.TrimSpace(rest), loc
			}
		}
	}
	return s, nil
}

// parseLocalTime parses a timestamp without a zone as wall-clock time in zone; a WIB,
// WITA or WIT suffix overrides zone.
func parseLocalTime(s string, zone *time.Location) time.Time {
	s, z := cutIndonesianZone(s)
	if z != nil {
		zone = z
	}
	if s == "" {
		return time.Time{}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			return t
		}
	}
	return time.Time{}
}

func hasClock(s string) bool { return strings.Count(s, ":") >= 1 }
