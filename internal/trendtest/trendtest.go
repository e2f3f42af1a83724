// Package trendtest stores a synthetic history of news coverage (a quiet two-week
// baseline and bursts of critical stories, with syndicated copies) in a real store, for
// the tests of the trend job and of the "needs a response" report.
package trendtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
)

// Now is the fixed "now" of the trend and report tests.
var Now = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// Coverage is one story for the synthetic history, with its syndicated copies.
type Coverage struct {
	programme, source, label, title string
	published                       time.Time
	copies                          []string
}

// Units are the responsible units of the synthetic history's programmes.
var Units = map[string]string{
	"ektp":       "Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil); nasional Ditjen Dukcapil Kemendagri",
	"bansos":     "Dinas Sosial; nasional Kementerian Sosial",
	"sampah_tps": "Dinas Lingkungan Hidup (DLH); nasional Kementerian Lingkungan Hidup",
}

// Regions are the regions of the synthetic history's sources: the regional outlet and the
// national ones.
var Regions = map[string]string{"langgam": "sumbar", "tempo-nasional": "national", "antara": "national", "republika": "national"}

// TextRegions are the regions the stories of a source name in their text (Kemendagri codes):
// the regional outlet writes about Kota Padang.
var TextRegions = map[string][]string{"langgam": {"13.71", "13"}}

// QuietHistory is two weeks of ordinary coverage of three programmes: a critical story
// every eight hours and a neutral one every four, per programme.
func QuietHistory(now time.Time) []Coverage {
	var cs []Coverage
	for _, p := range []string{"ektp", "bansos", "sampah_tps"} {
		for h := 2; h < 15*24; h += 4 {
			label := "neutral"
			if h%8 == 2 {
				label = "negative"
			}
			cs = append(cs, Coverage{programme: p, source: "langgam", label: label, published: now.Add(-time.Duration(h)*time.Hour - 7*time.Minute),
				title: fmt.Sprintf("Kabar %s %d jam lalu", p, h)})
		}
	}
	return cs
}

// Burst is n critical stories about programme in the last hour, each syndicated twice.
func Burst(programme string, n int, now time.Time) []Coverage {
	var cs []Coverage
	for i := range n {
		cs = append(cs, Coverage{programme: programme, source: "tempo-nasional", label: "negative",
			published: now.Add(-time.Duration(50-i*5) * time.Minute), copies: []string{"antara", "republika"},
			title: fmt.Sprintf("Warga keluhkan layanan %s, antrean mengular (%d)", programme, i+1)})
	}
	return cs
}

// Store writes the stories, their copies, and a mention per article.
func Store(t testing.TB, s storage.Store, cs []Coverage) {
	t.Helper()
	var arts []storage.Article
	var ments []storage.Mention
	for i, c := range cs {
		orig := fmt.Sprintf("https://%s.example.id/berita/%s-%d", c.source, c.programme, i)
		add := func(url, source string, dup uint64, published time.Time) {
			arts = append(arts, storage.Article{URL: url, CanonicalURL: url, Source: source, SourceKind: "feed",
				Title: c.title, Text: "isi", Lang: "id", PublishedAt: published, FetchedAt: published.Add(time.Minute), DuplicateOf: dup,
				Region: Regions[source], Regions: TextRegions[c.source]})
			ments = append(ments, storage.Mention{URLHash: storage.URLHash(url), Programme: c.programme, Unit: Units[c.programme],
				Label: c.label, Criticism: c.label == "negative", Score: map[string]float32{"negative": -0.8, "positive": 0.6}[c.label],
				Snippet: "Warga mengeluhkan antrean panjang dan blangko yang kosong di kantor layanan.", PublishedAt: published,
				Source: source, DuplicateOf: dup, Region: Regions[source], Regions: TextRegions[c.source]})
		}
		add(orig, c.source, 0, c.published)
		for j, src := range c.copies {
			add(fmt.Sprintf("https://%s.example.id/copy/%s-%d", src, c.programme, i), src, storage.URLHash(orig), c.published.Add(time.Duration(j+1)*3*time.Minute))
		}
	}
	ctx := context.Background()
	if err := storage.InsertRows(ctx, s, arts...); err != nil {
		t.Fatal(err)
	}
	if err := storage.InsertRows(ctx, s, ments...); err != nil {
		t.Fatal(err)
	}
}
