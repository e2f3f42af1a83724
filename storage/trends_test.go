package storage

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
)

// trendNow is the fixed "now" of the trend and report tests.
var trendNow = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// story describes critical or other coverage for the synthetic history.
type story struct {
	programme, unit, source string
	published               time.Time
	label                   string // negative (critical), neutral or positive
	copies                  []string
}

// insertStories stores each story's original and its syndicated copies as articles and
// mentions, and stores every mention twice, as a re-ingest would.
func insertStories(t *testing.T, s Store, stories []story) {
	t.Helper()
	var arts []Article
	var ments []Mention
	for i, st := range stories {
		orig := fmt.Sprintf("https://%s.example.id/%s/%d", st.source, st.programme, i)
		oh := URLHash(orig)
		add := func(url, source string, dup uint64, published time.Time) {
			h := URLHash(url)
			arts = append(arts, Article{
				URL: url, CanonicalURL: url, Source: source, SourceKind: "feed", Lang: "id",
				Title: fmt.Sprintf("Berita %s nomor %d", st.programme, i), Text: "isi",
				PublishedAt: published, FetchedAt: published.Add(time.Minute), DuplicateOf: dup,
			})
			m := Mention{
				URLHash: h, Programme: st.programme, Unit: st.unit, Terms: []string{st.programme},
				Label: st.label, Criticism: st.label == "negative", Score: map[string]float32{"negative": -0.8, "positive": 0.7}[st.label],
				Snippet: fmt.Sprintf("Cuplikan %s %d", st.programme, i), PublishedAt: published, Source: source, DuplicateOf: dup,
			}
			ments = append(ments, m, m)
		}
		add(orig, st.source, 0, st.published)
		for j, src := range st.copies {
			add(fmt.Sprintf("https://%s.example.id/copy/%s/%d", src, st.programme, i), src, oh, st.published.Add(time.Duration(j+1)*5*time.Minute))
		}
	}
	ctx := context.Background()
	if err := InsertRows(ctx, s, arts...); err != nil {
		t.Fatal(err)
	}
	if err := InsertRows(ctx, s, ments...); err != nil {
		t.Fatal(err)
	}
}

// syntheticHistory: e-KTP is quiet (one critical story every six hours) until a burst of
// eight critical stories, each syndicated twice, in the last hour; bansos gets a burst of
// only three; jalan has steady high criticism (six an hour for 15 days) with no spike.
func syntheticHistory(now time.Time) []story {
	const ektpUnit = "Disdukcapil"
	var ss []story
	for h := 1; h <= 24*14; h += 6 {
		ss = append(ss, story{programme: "ektp", unit: ektpUnit, source: "langgam", published: now.Add(-time.Duration(h)*time.Hour - 10*time.Minute), label: "negative"})
		ss = append(ss, story{programme: "ektp", unit: ektpUnit, source: "antara", published: now.Add(-time.Duration(h)*time.Hour - 20*time.Minute), label: "neutral"})
	}
	for i := range 8 {
		ss = append(ss, story{programme: "ektp", unit: ektpUnit, source: "tempo-nasional",
			published: now.Add(-time.Duration(15+i*5) * time.Minute), label: "negative", copies: []string{"antara", "republika"}})
	}
	ss = append(ss, story{programme: "ektp", unit: ektpUnit, source: "antara", published: now.Add(-2 * time.Minute), label: "positive"})
	for i := range 3 {
		ss = append(ss, story{programme: "bansos", unit: "Dinas Sosial", source: "langgam", published: now.Add(-time.Duration(10+i*10) * time.Minute), label: "negative"})
	}
	for h := range 15*24 + 2 {
		for k := range 6 {
			ss = append(ss, story{programme: "jalan", unit: "Dinas PUPR", source: "padangkita",
				published: now.Add(-time.Duration(h)*time.Hour - time.Duration(1+k*9)*time.Minute), label: "negative"})
		}
	}
	// Published after now: never counted.
	ss = append(ss, story{programme: "bansos", unit: "Dinas Sosial", source: "langgam", published: now.Add(time.Hour), label: "negative"})
	return ss
}

func TestTrends(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		migrated(t, s)
		insertStories(t, s, syntheticHistory(trendNow))
		got, err := Trends(context.Background(), s, trendNow, trendDefaults())
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]Trend{}
		for _, tr := range got {
			byKey[tr.Programme+"/"+tr.Window] = tr
		}
		score := func(x, lambda float64) float64 { return math.Sqrt(2 * (x*math.Log(x/lambda) - (x - lambda))) }
		tests := []struct {
			key                       string
			critical, total, baseCrit uint64
			expected, score           float64
		}{
			// 8 critical of 9 stories; 4 critical in the 24h baseline: (4+1)/25 = 0.2, floored to 0.5.
			{"ektp/1h", 8, 9, 4, 0.5, score(8, 0.5)},
			// Last day: 8 + 4 critical (the 1h baseline's quiet ones); 14-day baseline 52: (52+1)/15.
			{"ektp/1d", 12, 17, 52, 53.0 / 15, score(12, 53.0/15)},
			// Three stories never score.
			{"bansos/1h", 3, 3, 0, 0.5, 0},
			// Steady criticism: 6 an hour against 6 an hour.
			{"jalan/1h", 6, 6, 144, 145.0 / 25, score(6, 145.0/25)},
		}
		for _, tt := range tests {
			t.Run(tt.key, func(t *testing.T) {
				tr, ok := byKey[tt.key]
				if !ok {
					t.Fatalf("no trend; got %+v", got)
				}
				if tr.Critical != tt.critical || tr.Total != tt.total || tr.BaselineCritical != tt.baseCrit {
					t.Errorf("critical %d total %d baseline %d, want %d %d %d", tr.Critical, tr.Total, tr.BaselineCritical, tt.critical, tt.total, tt.baseCrit)
				}
				if math.Abs(tr.Expected-tt.expected) > 1e-9 || math.Abs(tr.Score-tt.score) > 1e-6 {
					t.Errorf("expected %.4f score %.4f, want %.4f %.4f", tr.Expected, tr.Score, tt.expected, tt.score)
				}
				if tt.total > 0 && math.Abs(tr.NegativeShare-float64(tt.critical)/float64(tt.total)) > 1e-9 {
					t.Errorf("negative share %.3f", tr.NegativeShare)
				}
			})
		}
		if tr := byKey["ektp/1h"]; tr.Unit != "Disdukcapil" || tr.Score < 3 {
			t.Errorf("ektp/1h: unit %q score %.2f: want Disdukcapil and a score over 3", tr.Unit, tr.Score)
		}
		for k, tr := range byKey {
			if k != "ektp/1h" && k != "ektp/1d" && tr.Score >= 3 {
				t.Errorf("%s: score %.2f crosses 3 without a spike", k, tr.Score)
			}
		}
	})
}

func TestTrendsProgrammeFilter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		migrated(t, s)
		insertStories(t, s, syntheticHistory(trendNow))
		opts := trendDefaults()
		opts.Programmes = []string{"bansos", "o'brien"}
		opts.Windows = []TrendWindow{{Name: "1h", Length: time.Hour, Baseline: 12 * time.Hour}}
		got, err := Trends(context.Background(), s, trendNow, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Programme != "bansos" || got[0].Window != "1h" {
			t.Fatalf("got %+v, want bansos/1h only", got)
		}
	})
}

// TestUnitTrends: two programmes of one unit draw three critical stories each in the last
// hour, too few for either programme to score, but together a spike for their unit; a
// story about both programmes counts once for the unit.
func TestUnitTrends(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s Store) {
		migrated(t, s)
		const unit = "Disdukcapil"
		var ss []story
		for i := range 3 {
			ss = append(ss,
				story{programme: "ektp", unit: unit, source: "langgam", published: trendNow.Add(-time.Duration(5+i*10) * time.Minute), label: "negative"},
				story{programme: "kk_akta", unit: unit, source: "antara", published: trendNow.Add(-time.Duration(7+i*10) * time.Minute), label: "negative"})
		}
		ss = append(ss, story{programme: "bansos", unit: "Dinas Sosial", source: "langgam", published: trendNow.Add(-time.Hour / 2), label: "negative"})
		insertStories(t, s, ss)
		// One article about both programmes of the unit: one more story, not two.
		both := URLHash("https://padek.example.id/ektp-dan-akta")
		var rows []Mention
		for _, p := range []string{"ektp", "kk_akta"} {
			rows = append(rows, Mention{URLHash: both, Programme: p, Unit: unit, Label: "negative", Criticism: true,
				PublishedAt: trendNow.Add(-3 * time.Minute), Source: "padek"})
		}
		if err := InsertRows(context.Background(), s, rows...); err != nil {
			t.Fatal(err)
		}

		programmes, err := Trends(context.Background(), s, trendNow, trendDefaults())
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range programmes {
			if tr.Score != 0 {
				t.Errorf("programme %s/%s: score %.2f, want 0 (at most 4 stories)", tr.Programme, tr.Window, tr.Score)
			}
		}
		units, err := UnitTrends(context.Background(), s, trendNow, trendDefaults())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Trend{}
		for _, tr := range units {
			got[tr.Unit+"/"+tr.Window] = tr
		}
		tr := got[unit+"/1h"]
		if tr.Critical != 7 || tr.Programme != "" {
			t.Errorf("%s/1h: %d critical stories (programme %q), want 7: 3 + 3 + 1 shared", unit, tr.Critical, tr.Programme)
		}
		if want := math.Sqrt(2 * (7*math.Log(7/0.5) - (7 - 0.5))); math.Abs(tr.Score-want) > 1e-6 {
			t.Errorf("%s/1h: score %.4f, want %.4f", unit, tr.Score, want)
		}
		if tr := got["Dinas Sosial/1h"]; tr.Critical != 1 || tr.Score != 0 {
			t.Errorf("Dinas Sosial/1h: %d critical, score %.2f; want 1 and 0", tr.Critical, tr.Score)
		}
	})
}

// trendDefaults and reportDefaults are the options pantau builds from the default
// configuration; regionReport limits the latter to a region.
func trendDefaults() TrendOptions   { return TrendOptionsFrom(config.Default().Trends) }
func reportDefaults() ReportOptions { return ReportOptionsFrom(config.Default().Trends) }

func regionReport(region string) ReportOptions {
	o := reportDefaults()
	o.Trend.Region = region
	return o
}
