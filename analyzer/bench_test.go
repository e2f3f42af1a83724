package analyzer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// syntheticTaxonomy builds programmes × aliases programmes shaped like a large real catalogue: each
// alias starts with an invented word and may go on with common news words, so that common words
// keep the automaton busy without matching; every fiftieth programme also has a phrase of the
// benchmark article (about ten mentions per article, as in real news), every fifth an exclusion and
// every tenth a query whose terms partly occur in the article.
func syntheticTaxonomy(tb testing.TB, programmes, aliases int) *taxonomy.Taxonomy {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	common := strings.Fields("warga kota jalan program layanan dinas kantor bantuan pasar sekolah air " +
		"listrik sampah banjir kesehatan data anak rumah kecamatan kelurahan petugas pemerintah")
	real := []string{"blangko e-KTP", "Makan Bergizi Gratis", "perbaikan jalan", "lampu jalan", "bantuan sosial",
		"saluran drainase", "Dinas Sosial", "Badan Gizi Nasional", "wali murid", "pesan berantai"}
	invented := func() string {
		const letters = "abdegikmnprstuy"
		b := make([]byte, 4+rng.IntN(5))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	var y strings.Builder
	y.WriteString("programmes:\n")
	for p := range programmes {
		fmt.Fprintf(&y, "  - id: p%d\n    name: Programme %d\n    unit: Unit %d\n    aliases:\n", p, p, p%40)
		for a := range aliases {
			ws := []string{invented()}
			for range rng.IntN(3) {
				ws = append(ws, common[rng.IntN(len(common))])
			}
			if a == 0 && p%50 == 0 {
				ws = []string{real[p/50%len(real)]}
			}
			fmt.Fprintf(&y, "      - %q\n", strings.Join(ws, " "))
		}
		if p%5 == 0 {
			fmt.Fprintf(&y, "    exclusions: [%q]\n", invented()+" "+common[rng.IntN(len(common))])
		}
		if p%10 == 0 {
			c := common[rng.IntN(len(common))]
			fmt.Fprintf(&y, "    query: '%s NEAR/5 (%s OR %s*)'\n", invented(), c, invented()[:3])
		}
	}
	tax, err := taxonomy.Parse([]byte(y.String()), "synthetic.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return tax
}

func BenchmarkAnalyze(b *testing.B) {
	doc := readArticle(b, "article_id.txt")
	size := int64(len(doc.Title) + len(doc.Text))
	sentences := len(splitSentences(doc.Text)) + 1 // the title is judged as a sentence too
	for _, bc := range []struct {
		name string
		tax  func() *taxonomy.Taxonomy
	}{
		{"default", taxonomy.Default},
		{"synthetic500x10", func() *taxonomy.Taxonomy { return syntheticTaxonomy(b, 500, 10) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			a := New(bc.tax(), nil)
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				a.Analyze(doc)
			}
			perSecond := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(perSecond, "articles/s")
			b.ReportMetric(perSecond*float64(sentences), "sentences/s")
		})
	}
}

// BenchmarkAnalyzeEnglish analyses an English article (1.8 KB) naming three programmes several
// times, so that the English stance features are measured.
func BenchmarkAnalyzeEnglish(b *testing.B) {
	doc := readArticle(b, "article_en.txt")
	a := New(nil, nil)
	mentions := len(a.Analyze(doc).Mentions)
	b.SetBytes(int64(len(doc.Title) + len(doc.Text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a.Analyze(doc)
	}
	b.ReportMetric(float64(mentions), "mentions/article")
}

// BenchmarkAnalyzeOrdinary analyses ordinary articles, with one or two programme mentions each
// or none: the gold body texts of the saved pages in ../testdata/pages, with their titles.
func BenchmarkAnalyzeOrdinary(b *testing.B) {
	var pages []struct {
		File, Title string
	}
	data, err := os.ReadFile("../testdata/pages/expected.json")
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(data, &pages); err != nil {
		b.Fatal(err)
	}
	var docs []Document
	var size int64
	for _, p := range pages {
		text, err := os.ReadFile("../testdata/pages/" + strings.TrimSuffix(p.File, ".html") + ".txt")
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, Document{ID: p.File, Title: p.Title, Text: string(text)})
		size += int64(len(p.Title) + len(text))
	}
	a := New(nil, nil)
	mentions := 0
	for _, d := range docs {
		mentions += len(a.Analyze(d).Mentions)
	}
	b.SetBytes(size / int64(len(docs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a.Analyze(docs[i%len(docs)])
	}
	b.ReportMetric(float64(mentions)/float64(len(docs)), "mentions/article")
}

// BenchmarkMatch measures programme matching alone, without sentiment.
func BenchmarkMatch(b *testing.B) {
	doc := readArticle(b, "article_id.txt")
	sents := splitSentences(doc.Text)
	for _, bc := range []struct {
		name string
		tax  func() *taxonomy.Taxonomy
	}{
		{"default", taxonomy.Default},
		{"synthetic500x10", func() *taxonomy.Taxonomy { return syntheticTaxonomy(b, 500, 10) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tax := bc.tax()
			b.SetBytes(int64(len(doc.Title) + len(doc.Text)))
			b.ReportAllocs()
			for b.Loop() {
				tax.Match(doc.Title, doc.Text, sents)
			}
		})
	}
}

func BenchmarkDetectLanguage(b *testing.B) {
	doc := readArticle(b, "article_id.txt")
	b.SetBytes(int64(len(doc.Text)))
	b.ReportAllocs()
	for b.Loop() {
		DetectLanguage(doc.Text)
	}
}

func BenchmarkSplitSentences(b *testing.B) {
	doc := readArticle(b, "article_id.txt")
	b.SetBytes(int64(len(doc.Text)))
	b.ReportAllocs()
	for b.Loop() {
		splitSentences(doc.Text)
	}
}

func TestSyntheticTaxonomyMatches(t *testing.T) {
	tax := syntheticTaxonomy(t, 500, 10)
	doc := readArticle(t, "article_id.txt")
	r := New(tax, nil).Analyze(doc)
	if len(r.Mentions) == 0 {
		t.Error("the synthetic taxonomy should match the benchmark article somewhere")
	}
	t.Logf("%d of %d synthetic programmes match the benchmark article", len(r.Mentions), tax.Len())
}

// BenchmarkAnalyzeSize analyses mention-dense text of growing size (the dense benchmark article
// repeated, and the same as one line without sentence ends): the MB/s stay about level, since
// analysis is linear in the text up to MaxTextBytes.
func BenchmarkAnalyzeSize(b *testing.B) {
	doc := readArticle(b, "article_id.txt")
	for _, size := range []int{10 << 10, 100 << 10, 1 << 20} {
		for _, shape := range []string{"sentences", "one_line"} {
			var sb strings.Builder
			for sb.Len() < size {
				sb.WriteString(doc.Text)
				sb.WriteString("\n")
			}
			text := sb.String()[:size]
			if shape == "one_line" {
				text = strings.NewReplacer(".", " ", "\n", " ", "!", " ", "?", " ").Replace(text)
			}
			d := Document{Title: doc.Title, Text: text, Lang: "id"}
			b.Run(fmt.Sprintf("%dKB/%s", size>>10, shape), func(b *testing.B) {
				a := New(nil, nil)
				b.SetBytes(int64(min(len(text), MaxTextBytes)))
				b.ReportAllocs()
				for b.Loop() {
					a.Analyze(d)
				}
			})
		}
	}
}
