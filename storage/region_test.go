package storage

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestRegionRoundTrip migrates a store of schema version 3 holding rows, then stores
// articles and mentions with their source's region and reads them back: the old rows have
// an empty region, the new ones theirs, and the report keeps one region when asked.
func TestRegionRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if _, err := Migrate(ctx, s, MigrateOptions{UpTo: 3}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		article := func(name, source, region string, at time.Time) Article {
			u := "https://" + source + ".example.id/berita/" + name
			return Article{URL: u, CanonicalURL: u, Source: source, SourceKind: "feed", Title: "Berita " + name,
				Text: "isi", Lang: "id", PublishedAt: at, FetchedAt: at, Region: region}
		}
		mention := func(a Article, programme string) Mention {
			return Mention{URLHash: URLHash(a.CanonicalURL), Programme: programme, Unit: "Unit " + programme,
				Label: "negative", Criticism: true, Score: -0.7, PublishedAt: a.PublishedAt, Source: a.Source, Region: a.Region}
		}
		insert := func(arts []Article, ments []Mention, old bool) {
			t.Helper()
			ab, err := blockOf(arts)
			if err != nil {
				t.Fatal(err)
			}
			mb, err := blockOf(ments)
			if err != nil {
				t.Fatal(err)
			}
			if old { // as a Pantau of schema version 3 wrote them: no region and regions columns
				ab.Columns, mb.Columns = ab.Columns[:len(ab.Columns)-2], mb.Columns[:len(mb.Columns)-2]
			}
			if err := s.Insert(ctx, ab); err != nil {
				t.Fatal(err)
			}
			if err := s.Insert(ctx, mb); err != nil {
				t.Fatal(err)
			}
		}
		old := article("lama", "antara", "", now.Add(-2*time.Hour))
		insert([]Article{old}, []Mention{mention(old, "bansos")}, true)

		for i, want := range [][]string{migrationNames(t, 3), nil} {
			if i == 0 && want[0] != "0004_region" {
				t.Fatalf("migrations after 3: %v", want)
			}
			applied, err := Migrate(ctx, s, MigrateOptions{})
			if err != nil || !slices.Equal(applied, want) {
				t.Fatalf("migrate %d: applied %v, %v; want %v", i+1, applied, err, want)
			}
		}
		for _, table := range []string{"articles", "mentions"} {
			if n := count(t, s, "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '"+table+"' AND name = 'region'"); n != 1 {
				t.Errorf("%s has %d region columns, want 1", table, n)
			}
		}

		var arts []Article
		var ments []Mention
		for i := range 3 {
			a := article(fmt.Sprintf("sumbar-%d", i), "langgam", "sumbar", now.Add(-time.Duration(i+1)*time.Minute))
			b := article(fmt.Sprintf("nasional-%d", i), "tempo-nasional", "national", now.Add(-time.Duration(i+1)*time.Minute))
			arts = append(arts, a, b)
			ments = append(ments, mention(a, "ektp"), mention(b, "bansos"))
		}
		insert(arts, ments, false)

		got, err := ArticlesAfter(ctx, s, ArticleFilter{}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{old.CanonicalURL: ""}
		for _, a := range arts {
			want[a.CanonicalURL] = a.Region
		}
		if len(got) != len(want) {
			t.Fatalf("read %d articles, want %d", len(got), len(want))
		}
		for _, a := range got {
			if r, ok := want[a.CanonicalURL]; !ok || a.Region != r {
				t.Errorf("article %s: region %q, want %q", a.CanonicalURL, a.Region, r)
			}
		}
		res, err := s.Query(ctx, "SELECT region, toUInt64(count()) FROM mentions FINAL GROUP BY region ORDER BY region")
		if err != nil {
			t.Fatal(err)
		}
		if g := fmt.Sprint(res.Rows); g != "[[ 1] [national 3] [sumbar 3]]" {
			t.Errorf("mentions by region %s, want [[ 1] [national 3] [sumbar 3]]", g)
		}

		for _, tt := range []struct {
			region     string
			programmes []string
		}{{"", []string{"bansos", "ektp"}}, {"sumbar", []string{"ektp"}}, {"national", []string{"bansos"}}, {"papua", nil}} {
			t.Run("report region "+tt.region, func(t *testing.T) {
				rep, err := ResponseReport(ctx, s, now, regionReport(tt.region))
				if err != nil {
					t.Fatal(err)
				}
				var ps []string
				for _, it := range rep.Items {
					ps = append(ps, it.Programme)
					for _, a := range it.Articles {
						if tt.region == "sumbar" && a.Source != "langgam" || tt.region == "national" && a.Source == "langgam" {
							t.Errorf("%s: article %s from %s is not in region %s", it.Programme, a.URL, a.Source, tt.region)
						}
					}
				}
				slices.Sort(ps)
				if !slices.Equal(ps, tt.programmes) || rep.Region != tt.region {
					t.Errorf("programmes %v, region %q; want %v, %q", ps, rep.Region, tt.programmes, tt.region)
				}
			})
		}
	})
}
