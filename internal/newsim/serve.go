package newsim

import (
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
)

// handler serves one host: robots.txt, its feeds, its section pages and its articles,
// each article only once published.
func (w *Web) handler(hs *host) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(rw, "User-agent: *\nDisallow: /private/\n")
			return
		}
		var body string
		var l *listing
		switch {
		case strings.HasPrefix(r.URL.Path, "/feed/"):
			l = findListing(hs.feeds, r.URL.Path)
		case strings.HasPrefix(r.URL.Path, "/kanal/"):
			l = findListing(hs.sections, r.URL.Path)
		}
		a := hs.articles[r.URL.Path]
		if (l == nil && a == nil) || (a != nil && a.Published.After(now)) {
			http.NotFound(rw, r)
			return
		}
		answered := w.fault(rw)
		malformed := answered && rand.Float64() < w.opts.Faults.Malformed
		if l != nil {
			l.mu.Lock()
			l.polls = append(l.polls, Poll{At: now, Faulted: !answered || malformed})
			l.mu.Unlock()
			if l.section {
				w.stats.sectionPolls.Add(1)
			} else {
				w.stats.feedPolls.Add(1)
			}
		} else {
			w.stats.pages.Add(1)
		}
		if malformed {
			w.stats.malformed.Add(1)
		}
		if a != nil && (!answered || malformed) {
			a.faults.Add(1)
		}
		if !answered {
			return
		}
		if l != nil {
			n := visible(l.articles, now)
			etag := fmt.Sprintf(`"%s-%d"`, l.name, n)
			if r.Header.Get("If-None-Match") == etag {
				w.stats.notModified.Add(1)
				rw.WriteHeader(http.StatusNotModified)
				return
			}
			rw.Header().Set("ETag", etag)
			shown := l.articles[max(0, n-w.opts.Listed):n]
			if l.section {
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				body = w.sectionPage(hs, l, shown)
			} else {
				rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
				body = w.feed(hs, l, shown)
			}
		} else {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			body = w.articlePage(hs, a)
		}
		if malformed {
			body = body[:len(body)/3] + "\xff\xfe<<"
		}
		fmt.Fprint(rw, body)
	})
}

// fault answers a request badly at the configured rates (or delays it) and reports
// whether the request should still be answered.
func (w *Web) fault(rw http.ResponseWriter) bool {
	f := w.opts.Faults
	x := rand.Float64()
	switch {
	case x < f.Server:
		w.stats.server.Add(1)
		http.Error(rw, "layanan sedang sibuk", http.StatusServiceUnavailable)
		return false
	case x < f.Server+f.TooMany:
		w.stats.tooMany.Add(1)
		rw.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Seconds())))
		http.Error(rw, "terlalu banyak permintaan", http.StatusTooManyRequests)
		return false
	case x < f.Server+f.TooMany+f.Slow:
		w.stats.slow.Add(1)
		time.Sleep(f.SlowDelay)
	}
	return true
}

func findListing(ls []*listing, path string) *listing {
	for _, l := range ls {
		if l.path == path {
			return l
		}
	}
	return nil
}

// visible returns how many of articles (by publication time) are published at now.
func visible(articles []*Article, now time.Time) int {
	n, _ := slices.BinarySearchFunc(articles, now, func(a *Article, now time.Time) int {
		if a.Published.After(now) {
			return 1
		}
		return -1
	})
	return n
}

func (w *Web) feed(hs *host, l *listing, shown []*Article) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Portal %d: %s</title><link>%s/</link><language>id</language>
`, hs.id, l.name, hs.base)
	for i := len(shown) - 1; i >= 0; i-- {
		a := shown[i]
		lead := w.opts.Corpus.Leads[a.lead].Text
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			html.EscapeString(a.Title), a.URL, a.URL, a.Published.In(config.WIB).Format(time.RFC1123Z), html.EscapeString(lead))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// chrome is the boilerplate around every page: navigation, an advertisement and a footer.
func chrome(hs *host, title, head, main string) string {
	var nav strings.Builder
	for s := range max(len(hs.sections), 4) {
		fmt.Fprintf(&nav, `<li><a href="/kanal/%d/">%s</a></li>`, s, []string{"Nasional", "Daerah", "Ekonomi", "Politik", "Olahraga"}[s%5])
	}
	return fmt.Sprintf(`<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>%[2]s - Portal %[1]d</title>%[3]s</head>
<body>
<header><a class="logo" href="/">Portal Berita %[1]d</a><nav><ul>%[4]s<li><a href="/indeks/">Indeks</a></li><li><a href="/private/login">Masuk</a></li></ul></nav></header>
<div class="ad" id="ad-top">ADVERTISEMENT<br><a href="/iklan/promo">Promo kredit rumah bunga 0%% khusus bulan ini, daftar sekarang!</a></div>
%[5]s
<footer><p>&copy; 2026 Portal Berita %[1]d. Hak cipta dilindungi undang-undang.</p><ul><li><a href="/redaksi/">Redaksi</a></li><li><a href="/pedoman/">Pedoman Media Siber</a></li><li><a href="/kontak/">Kontak</a></li></ul></footer>
</body></html>
`, hs.id, html.EscapeString(title), head, nav.String(), main)
}

func (w *Web) sectionPage(hs *host, l *listing, shown []*Article) string {
	var b strings.Builder
	b.WriteString(`<main><h1>Berita Terkini</h1><ul class="list">`)
	for i := len(shown) - 1; i >= 0; i-- {
		a := shown[i]
		fmt.Fprintf(&b, `<li><a href="%s">%s</a> <time>%s</time></li>`, strings.TrimPrefix(a.URL, hs.base), html.EscapeString(a.Title), a.Published.In(config.WIB).Format("02/01/2006 15:04"))
	}
	b.WriteString(`</ul><a class="more" href="?page=2">Selanjutnya</a></main>`)
	return chrome(hs, "Kanal "+l.name, "", b.String())
}

func (w *Web) articlePage(hs *host, a *Article) string {
	c := w.opts.Corpus
	pub := a.Published.In(config.WIB)
	head := fmt.Sprintf(`<meta property="og:title" content="%s"><meta property="article:published_time" content="%s"><link rel="canonical" href="%s">`,
		html.EscapeString(a.Title), pub.Format(time.RFC3339), a.URL)
	var b strings.Builder
	fmt.Fprintf(&b, `<main><article><h1>%s</h1><div class="byline">Oleh <span class="author">Redaksi Portal %d</span> &middot; <time datetime="%s">%s WIB</time></div>`,
		html.EscapeString(a.Title), hs.id, pub.Format(time.RFC3339), pub.Format("Senin, 02/01/2006 15:04"))
	fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(c.Leads[a.lead].Text))
	for i, f := range a.filler {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(c.Filler[f].Text))
		if i == 2 {
			b.WriteString(`<div class="ad" id="ad-inline">ADVERTISEMENT<br>Baca juga: <a href="/iklan/promo">Cek promo hari ini</a></div>` + "\n")
		}
	}
	b.WriteString(`<div class="tags">Tag: <a href="/tag/nasional">nasional</a> <a href="/tag/pemerintah">pemerintah</a></div></article>`)
	b.WriteString(`<aside class="related"><h3>Berita Terkait</h3><ul>`)
	l := hs.feeds[0]
	n := visible(l.articles, a.Published)
	for _, r := range l.articles[max(0, n-5):n] {
		if r != a {
			fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, strings.TrimPrefix(r.URL, hs.base), html.EscapeString(r.Title))
		}
	}
	b.WriteString(`</ul></aside></main>`)
	return chrome(hs, a.Title, head, b.String())
}
