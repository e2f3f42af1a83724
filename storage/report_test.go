package storage

import (
	"context"
	"math"
	"testing"
)

func TestResponseReport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		migrated(t, s)
		insertStories(t, s, syntheticHistory(trendNow))
		opts := reportDefaults()
		opts.Reach = map[string]float64{"tempo-nasional": 2.5, "antara": 3, "republika": 2, "langgam": 1, "padangkita": 0.5}
		opts.Names = map[string]string{"ektp": "KTP elektronik"}
		rep, err := ResponseReport(context.Background(), s, trendNow, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Items) != 3 {
			t.Fatalf("%d items, want ektp, jalan and bansos: %+v", len(rep.Items), rep.Items)
		}
		first := rep.Items[0]
		if first.Programme != "ektp" || first.Rank != 1 || first.Name != "KTP elektronik" || first.Unit != "Disdukcapil" || !first.Trending {
			t.Fatalf("first item %+v, want trending ektp of Disdukcapil", first)
		}
		// Last 24h for e-KTP: 8 burst stories (each in tempo, antara and republika: 7.5 reach)
		// and 4 quiet critical stories in langgam (1 each).
		if first.CriticalStories != 12 || math.Abs(first.CriticalReach-(8*7.5+4)) > 1e-9 {
			t.Errorf("ektp: %d critical stories, reach %.2f; want 12 and 64", first.CriticalStories, first.CriticalReach)
		}
		// The wave starts with the quiet critical story 70 minutes ago (the first within 6h);
		// after it, one positive story. The neutral one 80 minutes ago came before.
		if math.Abs(first.Responses-1) > 1e-9 {
			t.Errorf("ektp responses %.2f, want 1", first.Responses)
		}
		if len(first.Articles) != 3 {
			t.Fatalf("ektp: %d articles, want 3", len(first.Articles))
		}
		for _, a := range first.Articles {
			if a.Source != "tempo-nasional" || a.Copies != 2 || a.Reach != 7.5 || a.Title == "" || a.URL == "" || a.Snippet == "" {
				t.Errorf("article %+v: want a tempo original with 2 copies, reach 7.5, title, url and snippet", a)
			}
		}
		if !first.Articles[0].Published.After(first.Articles[1].Published) {
			t.Errorf("articles of equal reach are not newest first: %v, %v", first.Articles[0].Published, first.Articles[1].Published)
		}
		for _, it := range rep.Items[1:] {
			if it.Trending {
				t.Errorf("%s trending with spike %.2f", it.Programme, it.Spike)
			}
			if it.Priority > first.Priority {
				t.Errorf("%s priority %.2f above ektp's %.2f", it.Programme, it.Priority, first.Priority)
			}
		}
	})
}

func TestResponseReportEmpty(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		migrated(t, s)
		rep, err := ResponseReport(context.Background(), s, trendNow, reportDefaults())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Items == nil || len(rep.Items) != 0 {
			t.Fatalf("items %#v, want an empty list", rep.Items)
		}
	})
}
