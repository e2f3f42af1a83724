package search

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

var searchNow = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// doc is a stored article of the search fixture; its URL ends in /id.
type doc struct {
	id, source, title, text string
	age                     time.Duration
	programme, label        string
	critical                bool
}

// region is the configured region of the fixture's sources.
var region = map[string]string{"langgam": "sumbar"}

var docs = []doc{
	{id: "jalan1", source: "langgam", title: "Jalan rusak di Koto Tangah", text: "Warga mengeluhkan jalan berlubang yang belum diperbaiki. Dinas PUPR berjanji menambal.", age: time.Hour, programme: "jalan", label: "negative", critical: true},
	{id: "jalan2", source: "antara", title: "Perbaikan jalan provinsi dimulai", text: "Pemerintah memperbaiki jalan sepanjang 12 kilometer. Warga menyambut baik.", age: 2 * time.Hour, programme: "jalan", label: "positive"},
	{id: "ktp", source: "antara", title: "Blangko e-KTP kosong", text: "Antrean panjang di Disdukcapil. KTPnya belum jadi sejak Maret, kata warga.", age: 3 * time.Hour, programme: "ektp", label: "negative", critical: true},
	{id: "pemilu", source: "tempo", title: "TPS pemilu siap", text: "Petugas KPPS menyiapkan TPS dan antrean pemilih di kelurahan.", age: 4 * time.Hour},
	{id: "sampah", source: "langgam", title: "Sampah menumpuk di TPS pasar", text: "Tumpukan sampah di TPS Pasar Raya belum diangkut tiga hari.", age: 5 * time.Hour, programme: "sampah_tps", label: "negative", critical: true},
	{id: "lama", source: "langgam", title: "Jalan rusak lama", text: "Jalan berlubang sejak tahun lalu.", age: 40 * 24 * time.Hour, programme: "jalan", label: "negative", critical: true},
	{id: "english", source: "jakpost", title: "Potholes anger Padang residents", text: "Residents say the potholed road was never repaired.", age: 6 * time.Hour},
}

// storeDocs stores docs (each row twice, as a re-ingest would) with their mentions.
func storeDocs(t testing.TB, s storage.Store, docs []doc) {
	t.Helper()
	var arts []storage.Article
	var ments []storage.Mention
	for _, d := range docs {
		url := "https://" + d.source + ".example.id/" + d.id
		pub := searchNow.Add(-d.age)
		a := storage.Article{URL: url, CanonicalURL: url, Source: d.source, SourceKind: "feed", Lang: "id",
			Title: d.title, Text: d.text, PublishedAt: pub, FetchedAt: pub, Sentiment: "neutral", Region: region[d.source]}
		arts = append(arts, a, a)
		if d.programme != "" {
			ments = append(ments, storage.Mention{URLHash: storage.URLHash(url), Programme: d.programme, Unit: "Dinas",
				Label: d.label, Criticism: d.critical, PublishedAt: pub, Source: d.source, Region: region[d.source]})
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

func ids(r *Result) []string {
	var out []string
	for _, a := range r.Articles {
		out = append(out, a.URL[strings.LastIndexByte(a.URL, '/')+1:])
	}
	return out
}

func TestSearchOnStoredArticles(t *testing.T) {
	now := func() time.Time { return searchNow }
	tests := []struct {
		query string
		opts  Options
		want  []string // ids, newest first
	}{
		{query: `jalan`, want: []string{"jalan1", "jalan2"}},
		{query: `"jalan rusak"`, want: []string{"jalan1"}},
		{query: `jalan AND warga`, want: []string{"jalan1", "jalan2"}},
		{query: `jalan AND NOT perbaikan`, want: []string{"jalan1"}},
		{query: `pothole* OR "e-KTP"`, want: []string{"ktp", "english"}},
		{query: `tps AND NOT (pemilu OR kpps)`, want: []string{"sampah"}},
		{query: `antrean NEAR/2 disdukcapil`, want: []string{"ktp"}},
		{query: `antrean NEAR/1 kelurahan`, want: nil},
		{query: `title:jalan AND body:berlubang`, want: []string{"jalan1"}},
		{query: `ktp`, want: []string{"ktp"}}, // "KTPnya" and "e-KTP"
		{query: `diperbaiki OR repaired`, want: []string{"jalan1", "english"}},
		{query: `jalan`, opts: Options{From: searchNow.Add(-60 * 24 * time.Hour)}, want: []string{"jalan1", "jalan2", "lama"}},
		{query: `jalan`, opts: Options{Label: "critical"}, want: []string{"jalan1"}},
		{query: `jalan OR sampah`, opts: Options{Label: "negative"}, want: []string{"jalan1", "sampah"}},
		{query: `jalan OR antrean`, opts: Options{Programme: "ektp"}, want: []string{"ktp"}},
		{query: `jalan`, opts: Options{Programme: "jalan", Label: "positive"}, want: []string{"jalan2"}},
		{query: `jalan OR antrean OR sampah`, opts: Options{Limit: 2}, want: []string{"jalan1", "jalan2"}},
		{query: `jalan OR antrean OR sampah`, opts: Options{Region: "sumbar"}, want: []string{"jalan1", "sampah"}},
	}
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			storeDocs(t, s, docs)
			for _, tc := range tests {
				t.Run(fmt.Sprintf("%s %s %s %s", tc.query, tc.opts.Programme, tc.opts.Region, tc.opts.Label), func(t *testing.T) {
					q, err := taxonomy.ParseQuery(tc.query)
					if err != nil {
						t.Fatal(err)
					}
					res, err := Search(context.Background(), s, q, optionsAt(tc.opts, now()))
					if err != nil {
						t.Fatal(err)
					}
					if got := ids(res); !slices.Equal(got, tc.want) {
						t.Errorf("found %q, want %q", got, tc.want)
					}
				})
			}
			t.Run("marks", func(t *testing.T) {
				q, _ := taxonomy.ParseQuery(`"jalan berlubang" OR dinas OR title:rusak AND NOT pemilu`)
				res, err := Search(context.Background(), s, q, optionsAt(Options{}, now()))
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Articles) != 1 {
					t.Fatalf("found %q, want jalan1", ids(res))
				}
				a := res.Articles[0]
				if got := a.Snippet.Marked("[", "]"); got != "Warga mengeluhkan [jalan berlubang] yang belum diperbaiki. [Dinas] PUPR berjanji menambal." {
					t.Errorf("snippet %q", got)
				}
				if got := string(a.MarkedTitle()); got != "Jalan <mark>rusak</mark> di Koto Tangah" {
					t.Errorf("title %q", got)
				}
				if !slices.Equal(a.Programmes, []string{"jalan"}) || a.Source != "langgam" || a.Sentiment != "neutral" || a.Copy {
					t.Errorf("article %+v", a)
				}
			})
		})
	}
}

func TestSearchExports(t *testing.T) {
	s := storagetest.Embedded(t)
	storeDocs(t, s, docs)
	q, _ := taxonomy.ParseQuery(`"jalan rusak" OR "e-KTP"`)
	res, err := Search(context.Background(), s, q, optionsAt(Options{}, searchNow))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, res, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("csv output does not parse: %v", err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], Header) {
		t.Fatalf("rows %q", rows)
	}
	if rows[1][2] != "**Jalan rusak** di Koto Tangah" || rows[2][2] != "Blangko **e-KTP** kosong" || rows[2][3] != "https://antara.example.id/ktp" {
		t.Errorf("rows %q", rows[1:])
	}
	b.Reset()
	if err := Write(&b, res, "tsv"); err != nil || strings.Count(b.String(), "\n") != 3 {
		t.Errorf("tsv %q, %v", b.String(), err)
	}
	if err := Write(&b, res, "xml"); err == nil || !strings.Contains(err.Error(), `format "xml"`) {
		t.Errorf("xml: %v", err)
	}
}

func TestSearchBadOptions(t *testing.T) {
	q, _ := taxonomy.ParseQuery(`jalan`)
	for _, o := range []Options{
		{From: searchNow, To: searchNow.Add(-time.Hour)},
		{From: searchNow.Add(-400 * 24 * time.Hour), To: searchNow},
		{Limit: MaxLimit + 1},
		{Label: "angry"},
	} {
		// No store is needed: options are checked before any query.
		_, err := Search(context.Background(), nil, q, optionsAt(o, searchNow))
		if !errors.Is(err, ErrOptions) {
			t.Errorf("options %+v: error %v, want ErrOptions", o, err)
		}
	}
	full := OptionsFor(time.Time{}, time.Time{}, searchNow)
	for field, o := range map[string]Options{"From": {To: searchNow, Limit: 1, ReadCap: 1}, "ReadCap": {From: full.From, To: full.To, Limit: 1}} {
		if _, err := Search(context.Background(), nil, q, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), field) {
			t.Errorf("options without %s: error %v, want ErrOptions naming it", field, err)
		}
	}
}

func TestSnippet(t *testing.T) {
	text := strings.Repeat("kata ", 60) + "jalan berlubang " + strings.Repeat("lain ", 80)
	at := strings.Index(text, "jalan")
	s := snippet(text, []Mark{{at, at + len("jalan berlubang")}})
	if !strings.HasPrefix(s.Text, "… kata") || !strings.HasSuffix(s.Text, " …") || len(s.Text) > snippetLen+10 {
		t.Errorf("snippet %q", s.Text)
	}
	if got := s.Marked("[", "]"); !strings.Contains(got, "[jalan berlubang]") {
		t.Errorf("marked %q", got)
	}
	if got := string(Snippet{Text: "a <b> & c", Marks: []Mark{{2, 5}}}.HTML()); got != "a <mark>&lt;b&gt;</mark> &amp; c" {
		t.Errorf("html %q", got)
	}
}

// optionsAt returns the options OptionsFor builds for o's range at now, with o's filters
// and, when o sets one, o's limit.
func optionsAt(o Options, now time.Time) Options {
	full := OptionsFor(o.From, o.To, now)
	full.Programme, full.Region, full.Label = o.Programme, o.Region, o.Label
	full.Limit = cmp.Or(o.Limit, full.Limit)
	return full
}
