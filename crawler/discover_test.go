package crawler

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

func TestParseFeed(t *testing.T) {
	tests := []struct {
		file      string
		feedURL   string
		wantFirst item
		wantLen   int
	}{
		{
			file: "rss_regional.xml", feedURL: "https://www.beritanusantara.co.id/rss/regional", wantLen: 2,
			wantFirst: item{
				URL:       "https://www.beritanusantara.co.id/regional/2024/05/02/warga-keluhkan-bansos-beras-terlambat?utm_source=rss&utm_medium=feed",
				Title:     "Warga Keluhkan Penyaluran Bansos Beras yang Terlambat di Padang",
				Author:    "Rina Marlina",
				Published: time.Date(2024, 5, 2, 7, 35, 0, 0, time.UTC),
			},
		},
		{
			file: "atom_nasional.xml", feedURL: "https://kabarnasional.example.id/atom.xml", wantLen: 1,
			wantFirst: item{
				URL:       "https://kabarnasional.example.id/nasional/percepat-blangko-ektp",
				Title:     "Pemerintah Percepat Pencetakan Blangko e-KTP",
				Author:    "Tim Redaksi",
				Published: time.Date(2024, 5, 2, 2, 0, 0, 0, time.UTC),
			},
		},
		{
			file: "feed_daerah.json", feedURL: "https://daerah.example.id/feed.json", wantLen: 2,
			wantFirst: item{
				URL:       "https://daerah.example.id/berita/101-tpa-terbakar",
				Title:     "TPA Terbakar Lagi",
				Author:    "Andi Saputra",
				Published: time.Date(2024, 6, 11, 1, 15, 0, 0, time.UTC),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			items, err := parseFeed(readTestdata(t, tt.file), tt.feedURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tt.wantLen {
				t.Fatalf("got %d items, want %d", len(items), tt.wantLen)
			}
			if got := items[0]; got != tt.wantFirst {
				t.Errorf("first item = %+v\nwant %+v", got, tt.wantFirst)
			}
			for _, it := range items {
				if !strings.HasPrefix(it.URL, "https://") {
					t.Errorf("relative link kept: %q", it.URL)
				}
			}
		})
	}
	if _, err := parseFeed([]byte("<html><body>not a feed</body></html>"), "https://x.id/", nil); errorClass(err) != "parse" {
		t.Errorf("HTML as feed: class %q (err %v), want parse", errorClass(err), err)
	}
}

func TestParseSitemap(t *testing.T) {
	sm, err := parseSitemap(readTestdata(t, "sitemap_news.xml"), "https://www.beritanusantara.co.id/sitemap-news.xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Items) != 3 || len(sm.Children) != 0 {
		t.Fatalf("got %d items, %d children", len(sm.Items), len(sm.Children))
	}
	if !strings.HasSuffix(sm.Items[0].URL, "warga-keluhkan-bansos-beras-terlambat") || sm.Items[0].Title == "" ||
		!sm.Items[0].Published.Equal(time.Date(2024, 5, 2, 7, 35, 0, 0, time.UTC)) {
		t.Errorf("newest first wrong: %+v", sm.Items[0])
	}
	if !sm.Items[2].Published.IsZero() {
		t.Errorf("undated entry not last: %+v", sm.Items)
	}

	idx, err := parseSitemap(readTestdata(t, "sitemap_index.xml"), "https://www.beritanusantara.co.id/sitemap.xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Children) != 2 || idx.Children[0].URL != "https://www.beritanusantara.co.id/sitemap-news.xml" {
		t.Errorf("children = %+v", idx.Children)
	}
	if _, err := parseSitemap([]byte(`<rss></rss>`), "", nil); errorClass(err) != "parse" {
		t.Errorf("rss as sitemap: %v", err)
	}
}

// seeds adds every testdata file matching pattern to a fuzz corpus.
func seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseFeed(f *testing.F) {
	seeds(f, "*.xml")
	seeds(f, "*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseFeed(body, "https://example.id/feed", nil)
		if err != nil {
			return
		}
		for _, it := range items {
			if !strings.HasPrefix(it.URL, "http://") && !strings.HasPrefix(it.URL, "https://") {
				t.Errorf("non-http link %q", it.URL)
			}
		}
	})
}

func FuzzParseSitemap(f *testing.F) {
	seeds(f, "sitemap*.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		sm, err := parseSitemap(body, "https://example.id/sitemap.xml", nil)
		if err != nil {
			return
		}
		for i := 1; i < len(sm.Items); i++ {
			a, b := sm.Items[i-1].Published, sm.Items[i].Published
			if !b.IsZero() && (a.IsZero() || b.After(a)) {
				t.Errorf("not newest first at %d: %v then %v", i, a, b)
			}
		}
	})
}

// FuzzExtract feeds mutated pages to Extract. Each call takes a few milliseconds, but
// coverage spans trafilatura, htmldate, go-dateparser and whatlanggo, so almost every
// mutation finds new edges and the fuzzer minimizes it (up to -fuzzminimizetime, 60 s by
// default) before it counts the execs: the "execs" column then stays low although the
// workers are busy. For a higher exec rate run with -fuzzminimizetime 5s.
func FuzzExtract(f *testing.F) {
	seeds(f, "*.html")
	seeds(f, "layouts/*.html")
	f.Fuzz(func(t *testing.T, page []byte) {
		ex, err := Extract(page, "https://example.co.id/berita/1")
		if err != nil {
			return
		}
		if ex.Text == "" {
			t.Error("nil error with empty text")
		}
		for _, l := range strings.Split(ex.Text, "\n") {
			if l == "" || l != strings.TrimSpace(l) {
				t.Errorf("empty or untrimmed line %q", l)
			}
		}
		if !ex.Published.IsZero() && ex.Published.Location() != time.UTC {
			t.Errorf("Published not UTC: %v", ex.Published)
		}
	})
}

func TestFeedDatesInIndonesianZones(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>T</title>
<item><link>https://a.id/1</link><pubDate>Tue, 24 Nov 2026 08:45:00</pubDate></item>
<item><link>https://a.id/2</link><pubDate>Tue, 24 Nov 2026 08:45:00 WITA</pubDate></item>
<item><link>https://a.id/3</link><pubDate>Tue, 24 Nov 2026 08:45:00 WIT</pubDate></item>
<item><link>https://a.id/4</link><pubDate>Tue, 24 Nov 2026 08:45:00 +0000</pubDate></item>
</channel></rss>`)
	items, err := parseFeed(body, "https://a.id/rss", config.WIB)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2026, 11, 24, 1, 45, 0, 0, time.UTC), // zone-less: the source's WIB
		time.Date(2026, 11, 24, 0, 45, 0, 0, time.UTC),
		time.Date(2026, 11, 23, 23, 45, 0, 0, time.UTC),
		time.Date(2026, 11, 24, 8, 45, 0, 0, time.UTC),
	}
	for i, it := range items {
		if !it.Published.Equal(want[i]) {
			t.Errorf("item %d: %v, want %v", i+1, it.Published, want[i])
		}
	}
	sm, err := parseSitemap([]byte(`<urlset><url><loc>https://a.id/5</loc><lastmod>2026-11-24T08:45:00</lastmod></url></urlset>`), "https://a.id/s.xml", config.WIB)
	if err != nil || len(sm.Items) != 1 || !sm.Items[0].Published.Equal(want[0]) {
		t.Errorf("sitemap zone-less lastmod: %+v, %v; want %v", sm.Items, err, want[0])
	}
}

// TestParseFeedRepairsCharset checks that one bad byte, or a declaration the bytes do not
// follow, costs at most the damaged characters and never the feed's other items.
func TestParseFeedRepairsCharset(t *testing.T) {
	items := func(titles ...string) string {
		var b strings.Builder
		for i, ti := range titles {
			fmt.Fprintf(&b, "<item><title>%s</title><link>https://example.id/%d</link></item>", ti, i)
		}
		return b.String()
	}
	tests := []struct {
		name      string
		body      string
		wantTitle []string
	}{
		{"invalid byte in one item",
			`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>` +
				items("Satu", "Dua \xff rusak", "Tiga", "Empat café", "Lima") + `</channel></rss>`,
			[]string{"Satu", "Dua \uFFFD rusak", "Tiga", "Empat café", "Lima"}},
		{"UTF-16 declared over latin-1 bytes",
			`<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>T</title>` +
				items("Satu", "Dua caf\xe9", "Tiga", "Empat", "Lima") + `</channel></rss>`,
			[]string{"Satu", "Dua café", "Tiga", "Empat", "Lima"}},
		{"undeclared latin-1",
			`<rss version="2.0"><channel><title>T</title>` + items("Se\xf1or", "Dua") + `</channel></rss>`,
			[]string{"Señor", "Dua"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFeed([]byte(tt.body), "https://example.id/feed", nil)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, it := range got {
				titles = append(titles, it.Title)
			}
			if !slices.Equal(titles, tt.wantTitle) {
				t.Errorf("titles %q, want %q", titles, tt.wantTitle)
			}
		})
	}
}

// TestToUTF8WhenTheCharsetLies checks pages whose declared charset their bytes contradict.
func TestToUTF8WhenTheCharsetLies(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"latin-1 declared, UTF-8 sent", "text/html; charset=ISO-8859-1", "<p>Warga kecewa, café tutup</p>", "<p>Warga kecewa, café tutup</p>"},
		{"UTF-8 declared, latin-1 sent", "text/html; charset=utf-8", "<p>Warga kecewa, caf\xe9 tutup</p>", "<p>Warga kecewa, café tutup</p>"},
		{"UTF-8 declared, one bad byte", "text/html; charset=utf-8", "<p>café \xff tutup</p>", "<p>café \uFFFD tutup</p>"},
		{"latin-1 declared and sent", "text/html; charset=ISO-8859-1", "<p>caf\xe9</p>", "<p>café</p>"},
		{"undeclared latin-1", "text/html", "<p>caf\xe9</p>", "<p>café</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(toUTF8([]byte(tt.body), tt.contentType)); got != tt.want {
				t.Errorf("toUTF8 = %q, want %q", got, tt.want)
			}
		})
	}
}
