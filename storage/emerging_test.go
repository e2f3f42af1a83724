package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// emergingNow is the fixed "now" of the emerging-issue tests.
var emergingNow = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// phraseStory is one synthetic article for the emerging-issue tests.
type phraseStory struct {
	title, source, sentiment string
	published                time.Time
	programme                string // a mention of this programme when set
	copies                   []string
}

// storePhraseStories stores the stories (each row twice, as a re-ingest would) and their
// copies; article_phrases is filled by ClickHouse from the article rows.
func storePhraseStories(t *testing.T, s storage.Store, stories []phraseStory) {
	t.Helper()
	var arts []storage.Article
	var ments []storage.Mention
	for i, st := range stories {
		orig := fmt.Sprintf("https://%s.example.id/berita/%d", st.source, i)
		add := func(url, source string, dup uint64, published time.Time) {
			a := storage.Article{URL: url, CanonicalURL: url, Source: source, SourceKind: "feed", Lang: "id",
				Title: st.title, Text: st.title + ".",
				PublishedAt: published, FetchedAt: published.Add(time.Minute), DuplicateOf: dup, Sentiment: st.sentiment}
			arts = append(arts, a, a)
			if st.programme != "" {
				ments = append(ments, storage.Mention{URLHash: storage.URLHash(url), Programme: st.programme, Unit: "Dinas",
					Label: "negative", Criticism: true, PublishedAt: published, Source: source, DuplicateOf: dup})
			}
		}
		add(orig, st.source, 0, st.published)
		for j, src := range st.copies {
			add(fmt.Sprintf("https://%s.example.id/salinan/%d", src, i), src, storage.URLHash(orig), st.published.Add(time.Duration(j+1)*4*time.Minute))
		}
	}
	ctx := context.Background()
	if err := storage.InsertRows(ctx, s, arts...); err != nil {
		t.Fatal(err)
	}
	if len(ments) > 0 {
		if err := storage.InsertRows(ctx, s, ments...); err != nil {
			t.Fatal(err)
		}
	}
}

// emergingHistory: "pasar induk" is steadily criticised (a story every four hours for two
// weeks, from two outlets); "aplikasi sipadu" bursts in the last hour (eight critical
// stories, each syndicated twice); other bursts must not be listed: one inside articles a
// programme matched, one from a single outlet, one in neutral coverage, one the taxonomy knows.
func emergingHistory(now time.Time) []phraseStory {
	var ss []phraseStory
	for h := 1; h < 15*24; h += 4 {
		src := []string{"langgam", "antara"}[h%2]
		ss = append(ss, phraseStory{title: fmt.Sprintf("Pedagang pasar induk mengeluh sepi pembeli, laporan %d", h), source: src,
			sentiment: "negative", published: now.Add(-time.Duration(h)*time.Hour - 7*time.Minute)})
	}
	for i := range 8 {
		at := now.Add(-time.Duration(50-i*5) * time.Minute)
		ss = append(ss,
			phraseStory{title: fmt.Sprintf("Aplikasi SiPadu error, warga gagal mendaftar (%d)", i), source: "tempo-nasional",
				sentiment: "negative", published: at, copies: []string{"antara", "republika"}},
			phraseStory{title: fmt.Sprintf("Blangko kosong di kantor kecamatan (%d)", i), source: []string{"langgam", "antara"}[i%2],
				sentiment: "negative", published: at, programme: "ektp"},
			phraseStory{title: fmt.Sprintf("Kolom redaksi khusus pekan ini (%d)", i), source: "padangkita",
				sentiment: "negative", published: at},
			phraseStory{title: fmt.Sprintf("Festival kuliner ramai pengunjung (%d)", i), source: []string{"langgam", "antara"}[i%2],
				sentiment: "neutral", published: at},
			phraseStory{title: fmt.Sprintf("Antrean bensin mengular (%d)", i), source: []string{"langgam", "antara"}[i%2],
				sentiment: "negative", published: at},
		)
	}
	return ss
}

func TestEmergingIssues(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			storePhraseStories(t, s, emergingHistory(emergingNow))
			ctx := context.Background()
			// A taxonomy with the alias "bensin" matches every phrase holding the word.
			known := func(p string) bool { return slices.Contains(strings.Fields(p), "bensin") }
			issues, err := storage.EmergingIssues(ctx, s, emergingNow, emergingOptions(func(o *storage.EmergingOptions) { o.Known = known }))
			if err != nil {
				t.Fatal(err)
			}
			var phrases []string
			for _, is := range issues {
				phrases = append(phrases, is.Phrase)
				t.Logf("%s: %s %d critical (baseline %d, expected %.2f), %d outlets, score %.2f, %d articles",
					is.Window, is.Phrase, is.Critical, is.BaselineCritical, is.Expected, is.Sources, is.Score, len(is.Articles))
			}
			// The headline's word pairs are one issue: their stories are the same.
			const burst = "aplikasi sipadu error warga gagal mendaftar"
			if !slices.Equal(phrases, []string{burst}) {
				t.Fatalf("phrases %q: want only the burst %q", phrases, burst)
			}
			for _, p := range phrases {
				for _, word := range []string{"pasar", "induk", "blangko", "kolom", "redaksi", "festival", "kuliner", "bensin"} {
					if slices.Contains(strings.Fields(p), word) {
						t.Errorf("phrase %q listed: only the sipadu burst may be", p)
					}
				}
			}
			is := issues[0]
			// Eight stories, each copy counted once; the three outlets that carried them.
			if is.Window != "1h" || is.Critical != 8 || is.BaselineCritical != 0 || is.Sources != 3 || is.Score < 3 {
				t.Errorf("burst: %+v; want 8 critical stories in 1h, 3 outlets, score at least 3", is)
			}
			if len(is.Articles) != 3 || is.Articles[0].Source != "tempo-nasional" || is.Articles[0].URL == "" ||
				is.Articles[0].Title != "Aplikasi SiPadu error, warga gagal mendaftar (7)" {
				t.Errorf("examples %+v: want the three latest originals, newest first", is.Articles)
			}

			// The same statistic as the programme trends: the steady phrase scores 0 there too.
			steady, err := storage.EmergingIssues(ctx, s, emergingNow, emergingOptions(func(o *storage.EmergingOptions) { o.Threshold, o.Known, o.Limit = 1e-9, known, 1000 }))
			if err != nil {
				t.Fatal(err)
			}
			for _, is := range steady {
				if is.Phrase == "pasar induk" {
					t.Errorf("steady phrase scored: %+v", is)
				}
			}
		})
	}
}

// TestEmergingIssuesFollowReanalysis checks that an article re-inserted with a sentiment
// that is no longer negative leaves the critical phrases.
func TestEmergingIssuesFollowReanalysis(t *testing.T) {
	s := storagetest.Embedded(t)
	ss := emergingHistory(emergingNow)
	storePhraseStories(t, s, ss)
	for i := range ss {
		if strings.HasPrefix(ss[i].title, "Aplikasi SiPadu") {
			ss[i].sentiment = "neutral"
		}
	}
	storePhraseStories(t, s, ss)
	issues, err := storage.EmergingIssues(context.Background(), s, emergingNow, emergingOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		if strings.Contains(is.Phrase, "sipadu") {
			t.Errorf("re-analysed as neutral, still listed: %+v", is)
		}
	}
}

// emergingOptions are the options pantau builds from the default configuration, changed by set.
func emergingOptions(set func(*storage.EmergingOptions)) storage.EmergingOptions {
	o := storage.EmergingOptionsFrom(config.Default().Trends)
	if set != nil {
		set(&o)
	}
	return o
}
