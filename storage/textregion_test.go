package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
)

// TestTextRegionFilter stores articles and mentions about regions named in their text and
// checks the region filter of the report and of search on both backends: a regency's code keeps
// the coverage about it, a province's code also that of its regencies, and a source region
// (a slug) still keeps the coverage of that region's sources.
func TestTextRegionFilter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		type story struct {
			name, programme, source string
			regions                 []string
		}
		stories := []story{
			{"padang", "ektp", "langgam", []string{"13.71", "13"}},
			{"agam", "jalan", "langgam", []string{"13.06"}}, // a regency without its province
			{"bogor", "bansos", "tempo", []string{"32.01", "32"}},
			{"nowhere", "sampah", "tempo", nil},
			{"prefix", "air", "tempo", []string{"31.71"}}, // "13" must not match "31.71" nor "1"-prefixed codes
		}
		var arts []Article
		var ments []Mention
		for i, st := range stories {
			u := "https://" + st.source + ".example.id/berita/" + st.name
			at := now.Add(-time.Duration(i+1) * time.Minute)
			region := map[string]string{"langgam": "sumbar", "tempo": "national"}[st.source]
			a := Article{URL: u, CanonicalURL: u, Source: st.source, SourceKind: "feed", Title: "Berita " + st.name,
				Text: "sampah menumpuk", Lang: "id", PublishedAt: at, FetchedAt: at, Region: region, Regions: st.regions}
			arts = append(arts, a)
			ments = append(ments, Mention{URLHash: URLHash(u), Programme: st.programme, Unit: "u", Label: "negative",
				Criticism: true, Score: -0.7, PublishedAt: at, Source: st.source, Region: region, Regions: st.regions})
		}
		if err := InsertRows(ctx, s, arts...); err != nil {
			t.Fatal(err)
		}
		if err := InsertRows(ctx, s, ments...); err != nil {
			t.Fatal(err)
		}
		t.Run("regions named per programme", func(t *testing.T) {
			rep, err := ResponseReport(ctx, s, now, reportDefaults())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, it := range rep.Items {
				got[it.Programme] = fmt.Sprint(it.Regions)
			}
			want := map[string]string{
				"ektp":   "[{13.71 Kota Padang 1} {13 Sumatera Barat 1}]", // a regency before its province on a tie
				"jalan":  "[{13.06 Kabupaten Agam 1}]",
				"bansos": "[{32.01 Kabupaten Bogor 1} {32 Jawa Barat 1}]",
				"sampah": "[]",
				"air":    "[{31.71 Kota Administrasi Jakarta Pusat 1}]",
			}
			if !maps.Equal(got, want) {
				t.Errorf("regions per programme\n%v\nwant\n%v", got, want)
			}
		})
		for _, tt := range []struct {
			region string
			want   []string // programmes, sorted
		}{
			{"13", []string{"ektp", "jalan"}},
			{"13.71", []string{"ektp"}},
			{"13.06", []string{"jalan"}},
			{"32", []string{"bansos"}},
			{"31", []string{"air"}},
			{"11", nil},
			{"sumbar", []string{"ektp", "jalan"}},
			{"national", []string{"air", "bansos", "sampah"}},
		} {
			t.Run(tt.region, func(t *testing.T) {
				rep, err := ResponseReport(ctx, s, now, regionReport(tt.region))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, it := range rep.Items {
					got = append(got, it.Programme)
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) || rep.Region != tt.region {
					t.Errorf("report: programmes %v, region %q; want %v", got, rep.Region, tt.want)
				}
				page, err := SearchArticles(ctx, s, SearchFilter{From: now.Add(-time.Hour), To: now, Region: tt.region}, SearchCursor{}, 100)
				if err != nil {
					t.Fatal(err)
				}
				got = got[:0]
				for _, a := range page {
					got = append(got, a.Programmes...)
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("search: programmes %v; want %v", got, tt.want)
				}
			})
		}
	})
}
