package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// burstHistory is eight critical e-KTP stories in the last hour, each syndicated twice,
// and three critical bansos stories.
func burstHistory(now time.Time) []story {
	var ss []story
	for i := range 8 {
		ss = append(ss, story{programme: "ektp", unit: "Disdukcapil", source: "tempo-nasional",
			published: now.Add(-time.Duration(15+i*5) * time.Minute), label: "negative", copies: []string{"antara", "republika"}})
	}
	for i := range 3 {
		ss = append(ss, story{programme: "bansos", unit: "Dinas Sosial", source: "langgam", published: now.Add(-time.Duration(10+i*10) * time.Minute), label: "negative"})
	}
	return ss
}

func criticalByProgramme(t *testing.T, s Store, now time.Time) map[string]uint64 {
	t.Helper()
	opts := trendDefaults()
	opts.Windows = []TrendWindow{{Name: "1h", Length: time.Hour, Baseline: 24 * time.Hour}}
	trends, err := Trends(context.Background(), s, now, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, tr := range trends {
		out[tr.Programme] = tr.Critical
	}
	return out
}

// rollupCritical sums the rollup's critical articles per programme.
func rollupCritical(t *testing.T, s Store) map[string]uint64 {
	t.Helper()
	res, err := s.Query(context.Background(), "SELECT programme, uniqExactIfMerge(criticism) FROM mentions_hourly GROUP BY programme")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, r := range res.Rows {
		out[asString(r[0])] = asUint(r[1])
	}
	return out
}

func TestCorrect(t *testing.T) {
	units := map[string]string{"ektp": "Disdukcapil", "bansos": "Dinas Sosial", "kk_akta": "Disdukcapil"}
	forEachBackend(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		migrated(t, s)
		insertStories(t, s, burstHistory(trendNow))
		if got := criticalByProgramme(t, s, trendNow); got["ektp"] != 8 || got["bansos"] != 3 {
			t.Fatalf("before: critical %v", got)
		}
		if got := rollupCritical(t, s); got["ektp"] != 24 {
			t.Fatalf("before: rollup %v, want 24 critical e-KTP articles", got)
		}
		// Story 0 corrected on a syndicated copy: the whole story follows.
		c, err := Correct(ctx, s, Correction{URLHash: URLHash("https://antara.example.id/copy/ektp/0"), Programme: "ektp",
			Kind: CorrectStance, Label: "neutral", Analyst: "Rina (Humas)", Note: "clarification, not criticism"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Story != URLHash("https://tempo-nasional.example.id/ektp/0") || c.WasLabel != "negative" || !c.WasCriticism {
			t.Errorf("recorded %+v", c)
		}
		// Story 1 is about family cards, not e-KTP; story 2 about no programme.
		if _, err := Correct(ctx, s, Correction{URLHash: URLHash("https://tempo-nasional.example.id/ektp/1"), Programme: "ektp",
			Kind: CorrectProgramme, NewProgramme: "kk_akta", Analyst: "Rina (Humas)"}, func(p string) string { return units[p] }); err != nil {
			t.Fatal(err)
		}
		if _, err := Correct(ctx, s, Correction{URLHash: URLHash("https://tempo-nasional.example.id/ektp/2"), Programme: "ektp",
			Kind: CorrectProgramme, Analyst: "Budi"}, nil); err != nil {
			t.Fatal(err)
		}
		got := criticalByProgramme(t, s, trendNow)
		if got["ektp"] != 5 || got["kk_akta"] != 1 || got["bansos"] != 3 {
			t.Errorf("after: critical stories %v, want ektp 5, kk_akta 1, bansos 3", got)
		}
		if got := rollupCritical(t, s); got["ektp"] != 15 || got["kk_akta"] != 3 {
			t.Errorf("after: rollup %v, want 15 critical e-KTP and 3 kk_akta articles", got)
		}
		rep, err := ResponseReport(ctx, s, trendNow, reportDefaults())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range rep.Items {
			if it.Programme == "ektp" && it.CriticalStories != 5 {
				t.Errorf("report: e-KTP critical stories %d, want 5", it.CriticalStories)
			}
			if it.Programme == "kk_akta" && it.Unit != "Disdukcapil" {
				t.Errorf("report: kk_akta unit %q", it.Unit)
			}
		}
		// A later correction of the same mention wins.
		if _, err := Correct(ctx, s, Correction{URLHash: URLHash("https://tempo-nasional.example.id/ektp/0"), Programme: "ektp",
			Kind: CorrectStance, Label: "negative", Criticism: true, Analyst: "Budi"}, nil); err != nil {
			t.Fatal(err)
		}
		if got := criticalByProgramme(t, s, trendNow); got["ektp"] != 6 {
			t.Errorf("after the second correction: e-KTP critical %d, want 6", got["ektp"])
		}
		cs, err := LatestCorrections(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 {
			t.Fatalf("corrections in force %+v, want 3", cs)
		}
		arts, err := CorrectedArticles(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) != 3 {
			t.Fatalf("corrected articles: %d, want 3", len(arts))
		}
		for _, a := range arts {
			if a.Article.Source != "tempo-nasional" || len(a.Corrections) != 1 {
				t.Errorf("corrected article %s with %d corrections: want the original, one correction", a.Article.URL, len(a.Corrections))
			}
		}
	})
}

func TestCorrectRefusesBadInput(t *testing.T) {
	s := migrated(t, openEmbeddedTest(t))
	insertStories(t, s, burstHistory(trendNow)[:1])
	h := URLHash("https://tempo-nasional.example.id/ektp/0")
	tests := []struct {
		name string
		c    Correction
		want error
	}{
		{"no analyst", Correction{URLHash: h, Programme: "ektp", Kind: CorrectStance, Label: "neutral"}, nil},
		{"bad label", Correction{URLHash: h, Programme: "ektp", Kind: CorrectStance, Label: "angry", Analyst: "a"}, nil},
		{"positive criticism", Correction{URLHash: h, Programme: "ektp", Kind: CorrectStance, Label: "positive", Criticism: true, Analyst: "a"}, nil},
		{"bad kind", Correction{URLHash: h, Programme: "ektp", Kind: "region", Analyst: "a"}, nil},
		{"same programme", Correction{URLHash: h, Programme: "ektp", Kind: CorrectProgramme, NewProgramme: "ektp", Analyst: "a"}, nil},
		{"no such mention", Correction{URLHash: h, Programme: "bansos", Kind: CorrectStance, Label: "neutral", Analyst: "a"}, ErrNoMention},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Correct(context.Background(), s, tt.c, nil)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err %v, want an error (%v)", err, tt.want)
			}
		})
	}
	cs, err := LatestCorrections(context.Background(), s, nil)
	if err != nil || len(cs) != 0 {
		t.Errorf("refused corrections were stored: %v %v", cs, err)
	}
}

func TestApplyCorrections(t *testing.T) {
	ms := []Mention{
		{URLHash: 1, Programme: "ektp", Label: "negative", Criticism: true, Score: -0.7},
		{URLHash: 1, Programme: "bansos", Label: "neutral"},
		{URLHash: 2, DuplicateOf: 1, Programme: "ektp", Label: "negative", Criticism: true},
		{URLHash: 3, Programme: "ektp", Label: "negative", Criticism: true},
	}
	cs := []Correction{
		{Story: 1, Programme: "ektp", Kind: CorrectStance, Label: "positive", Version: 1},
		{Story: 1, Programme: "bansos", Kind: CorrectProgramme, NewProgramme: "kk_akta", Version: 2},
	}
	got := ApplyCorrections(ms, cs, func(p string) string { return "unit of " + p })
	want := []string{"1 ektp positive false", "1 kk_akta neutral false unit of kk_akta", "2 ektp positive false", "3 ektp negative true"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, m := range got {
		s := fmt.Sprintf("%d %s %s %v", m.URLHash, m.Programme, m.Label, m.Criticism)
		if m.Unit != "" {
			s += " " + m.Unit
		}
		if s != want[i] {
			t.Errorf("mention %d: %s, want %s", i, s, want[i])
		}
	}
	if ms[0].Label != "negative" {
		t.Error("ApplyCorrections changed its input")
	}
}
