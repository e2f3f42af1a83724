package analyzer

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// testAnalyzer is shared: Analyzer is safe for concurrent use.
var testAnalyzer = New(nil, nil)

// mention returns the mention of programme id, or fails the test.
func mention(t *testing.T, r Result, id string) Mention {
	t.Helper()
	for _, m := range r.Mentions {
		if m.Programme == id {
			return m
		}
	}
	t.Fatalf("no mention of %s in %+v", id, r.Mentions)
	return Mention{}
}

// readArticle reads a test article: the first line is the title.
func readArticle(t testing.TB, name string) Document {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	title, text, _ := strings.Cut(string(data), "\n")
	return Document{ID: name, Title: title, Text: text}
}

func TestAnalyzeMentions(t *testing.T) {
	type want struct {
		programme string
		label     string // "" for any
		criticism bool
	}
	tests := []struct {
		name string
		doc  Document
		want []want
		lang string
	}{
		{
			name: "opposite sentiment in one article",
			doc: Document{
				Title: "Blangko e-KTP Kosong, MBG Disambut Gembira",
				Text: "Warga mengeluhkan blangko e-KTP yang kosong sejak sebulan lalu di kantor Disdukcapil. " +
					"Mereka harus antre berjam-jam tanpa kepastian. " +
					"Sementara itu, program Makan Bergizi Gratis berjalan lancar dan siswa senang dengan menunya.",
			},
			want: []want{{"ektp", sentiment.Negative, true}, {"mbg", sentiment.Positive, false}},
			lang: "id",
		},
		{
			name: "negation handled in the mention",
			doc: Document{
				Text: "Pelayanan di puskesmas itu tidak buruk, petugasnya ramah dan cepat. " +
					"Di sisi lain, warga kecewa karena lampu jalan mati berbulan-bulan.",
			},
			want: []want{{"kesehatan_puskesmas", sentiment.Positive, false}, {"pju", sentiment.Negative, true}},
			lang: "id",
		},
		{
			name: "no complaints is not criticism",
			doc:  Document{Text: "Hingga kini tidak ada keluhan dari warga soal penyaluran BLT dan semua berjalan baik."},
			want: []want{{"bansos", "", false}},
			lang: "id",
		},
		{
			name: "bad event without blame is not criticism",
			doc: Document{
				Title: "Banjir Rendam 200 Rumah di Koto Tangah",
				Text:  "Banjir merendam 200 rumah di Kecamatan Koto Tangah, Minggu (5/1). Petugas BPBD mengevakuasi warga ke masjid terdekat.",
			},
			// The label is negative under the news corpus rules and neutral under newsdev's; either way
			// nobody is blamed.
			want: []want{{"banjir_drainase", "", false}},
			lang: "id",
		},
		{
			name: "flood blamed on drainage is criticism",
			doc: Document{
				Text: "Warga memprotes drainase yang tersumbat dan tak kunjung dibersihkan sehingga banjir merendam rumah mereka.",
			},
			want: []want{{"banjir_drainase", sentiment.Negative, true}},
			lang: "id",
		},
		{
			name: "attributed quote judged with the mention",
			doc: Document{
				Text: "Air PDAM di Kelurahan Gunung Pangilun sudah tiga hari tidak mengalir. " +
					"\"Kami terpaksa membeli air galon setiap hari, sangat memberatkan,\" kata Yanti, warga setempat.",
			},
			want: []want{{"air_bersih", sentiment.Negative, true}},
			lang: "id",
		},
		{
			name: "official admits a shortfall",
			doc: Document{
				Text: "Kepala Dinas Sosial mengakui penyaluran bansos terlambat karena data penerima bermasalah.",
			},
			want: []want{{"bansos", sentiment.Negative, true}},
			lang: "id",
		},
		{
			name: "English article",
			doc: Document{
				Title: "Padang residents complain about Trans Padang delays",
				Text: "Residents of Padang complained on Monday that Trans Padang buses were delayed for hours. " +
					"Meanwhile, the free nutritious meals programme was praised by parents, who said their children were happy and healthy.",
			},
			want: []want{{"transportasi_publik", sentiment.Negative, true}, {"mbg", sentiment.Positive, false}},
			lang: "en",
		},
		{
			name: "hoax clarification is not criticism",
			doc: Document{
				Title: "Kabar Penonaktifan Kartu KIS Warga Miskin Dipastikan Hoaks",
				Text: "Dinas Sosial menegaskan pesan yang beredar di media sosial soal kartu KIS warga miskin yang akan dinonaktifkan bulan depan adalah hoaks. " +
					"Warga diminta tidak menyebarkan pesan tersebut.",
			},
			want: []want{{"bpjs_kesehatan", "", false}, {"hoaks", "", false}},
			lang: "id",
		},
		{
			name: "denied shortage is not criticism",
			doc: Document{
				Text: "Disdukcapil membantah kabar blangko e-KTP habis yang viral di media sosial. Stok blangko masih tersedia hingga akhir tahun.",
			},
			want: []want{{"ektp", "", false}, {"hoaks", "", false}},
			lang: "id",
		},
		{
			name: "improper distribution is not a denial",
			doc: Document{
				Text: "Warga memprotes penyaluran bansos yang tidak benar karena banyak penerima yang mampu.",
			},
			want: []want{{"bansos", sentiment.Negative, true}},
			lang: "id",
		},
		{
			name: "confirmed claim is not a denial",
			doc: Document{
				Text: "Disdukcapil tidak membantah kabar blangko e-KTP habis; warga sudah antre berhari-hari tanpa kepastian.",
			},
			want: []want{{"ektp", sentiment.Negative, true}},
			lang: "id",
		},
		{
			name: "language given by the caller",
			doc:  Document{Text: "Puskesmas baru diresmikan.", Lang: "id-ID"},
			want: []want{{"kesehatan_puskesmas", "", false}},
			lang: "id",
		},
		{
			name: "no programme",
			doc:  Document{Title: "Harga cabai naik", Text: "Harga cabai merah di Pasar Raya naik menjadi Rp80.000 per kilogram."},
			lang: "id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testAnalyzer.Analyze(tt.doc)
			if r.Lang != tt.lang {
				t.Errorf("lang %q, want %q", r.Lang, tt.lang)
			}
			if r.Mentions == nil {
				t.Error("Mentions is nil, want an empty slice")
			}
			if len(r.Mentions) != len(tt.want) {
				t.Errorf("got %d mentions %+v, want %d", len(r.Mentions), r.Mentions, len(tt.want))
			}
			for _, w := range tt.want {
				m := mention(t, r, w.programme)
				if w.label != "" && m.Sentiment.Label != w.label {
					t.Errorf("%s: label %s (score %.2f), want %s; snippet %q", w.programme, m.Sentiment.Label, m.Sentiment.Score, w.label, m.Snippet)
				}
				if m.Criticism != w.criticism {
					t.Errorf("%s: criticism %v, want %v (label %s)", w.programme, m.Criticism, w.criticism, m.Sentiment.Label)
				}
				if m.Unit == "" || len(m.Terms) == 0 || m.Snippet == "" {
					t.Errorf("%s: unit, terms and snippet must be set: %+v", w.programme, m)
				}
				if m.Sentiment.Score < -1 || m.Sentiment.Score > 1 {
					t.Errorf("%s: score %v out of range", w.programme, m.Sentiment.Score)
				}
			}
		})
	}
}

func TestAnalyzeArticle(t *testing.T) {
	doc := readArticle(t, "article_id.txt")
	r := testAnalyzer.Analyze(doc)
	if r.Lang != "id" {
		t.Errorf("lang %q, want id", r.Lang)
	}
	want := map[string]bool{ // programme → criticism
		"ektp": true, "mbg": false, "jalan": true, "pju": true, "bansos": false, "hoaks": false,
	}
	for id, crit := range want {
		m := mention(t, r, id)
		if m.Criticism != crit {
			t.Errorf("%s: criticism %v, want %v (label %s %.2f, snippet %q)", id, m.Criticism, crit, m.Sentiment.Label, m.Sentiment.Score, m.Snippet)
		}
	}
	ektp := mention(t, r, "ektp")
	if !strings.HasPrefix(ektp.Snippet, "PADANG - Sejumlah warga Kota Padang mengeluhkan kosongnya blangko e-KTP") {
		t.Errorf("ektp snippet %q", ektp.Snippet)
	}
	for _, m := range r.Mentions {
		if n := utf8.RuneCountInString(m.Snippet); n > snippetRunes+1 {
			t.Errorf("%s: snippet of %d characters", m.Programme, n)
		}
	}
}

func TestMentionText(t *testing.T) {
	body := `Air PDAM mati. "Sudah tiga hari. Kami kesal," kata Yanti. Cuaca cerah. "Bagus," ujar Budi.`
	sents := splitSentences(body)
	m := taxonomy.Match{Sentences: []int{0}}
	text, snippet, _, _ := mentionParts("", body, sents, m)
	if want := `Air PDAM mati. "Sudah tiga hari. Kami kesal," kata Yanti.`; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	if snippet != "Air PDAM mati." {
		t.Errorf("snippet %q", snippet)
	}
}

func TestTrimSnippet(t *testing.T) {
	long := strings.Repeat("kata ", 100)
	tests := []struct{ name, in, want string }{
		{"short", "  Lampu  jalan\tmati. ", "Lampu jalan mati."},
		{"long cut at a word", long, strings.TrimSpace(strings.Repeat("kata ", 60)) + "\u2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trimSnippet(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"Indonesian news", "Warga mengeluhkan blangko e-KTP yang kosong di kantor Disdukcapil sejak awal bulan.", "id"},
		{"Indonesian short", "Banjir merendam rumah di Koto Tangah dan warga mengungsi.", "id"},
		{"English news", "Residents of Padang complained that the buses were delayed for hours on Monday.", "en"},
		{"English short", "The city said it is fixing the road.", "en"},
		{"too short", "Trans Padang", ""},
		{"empty", "", ""},
		{"names and numbers", "PDAM 2025 Padang Rp1.500", ""},
		{"mixed evenly", "the and of dan yang di", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectLanguage(tt.text); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestScoreWordsIsDetectLanguage checks that language detection on an article's word list scores
// what DetectLanguage scores on its text, the word cut by the 2 KB limit included.
func TestScoreWordsIsDetectLanguage(t *testing.T) {
	var words taxonomy.WordList
	for _, w := range []string{"menyalurkan", "dibagikannya", "information", "\u00e9l\u00e8ve", "ka\u0301takan", "\u0436\u0436\u0436"} {
		for pad := langMaxBytes - 14; pad <= langMaxBytes+2; pad++ {
			for _, filler := range []string{"yang dan di ", "the and of "} {
				text := strings.Repeat(filler, langMaxBytes/len(filler)+1)[:pad] + " " + w + " bantuan warga"
				words.Split(text)
				if got, want := scoreWords(&words), scoreText(text[:min(len(text), langMaxBytes)]); got != want {
					t.Errorf("%q at %d: scored %+v from the word list, %+v from the text", w, pad, got, want)
				}
				if got, want := detectWords(&words), DetectLanguage(text); got != want {
					t.Errorf("%q at %d: detected %q from the word list, %q from the text", w, pad, got, want)
				}
			}
		}
	}
}

func TestNormalizeLang(t *testing.T) {
	for in, want := range map[string]string{"id": "id", "id-ID": "id", "in": "id", "EN": "en", "en_US": "en", "ms": "ms", "": ""} {
		t.Run(in, func(t *testing.T) {
			if got := normalizeLang(in); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"simple", "Satu dua. Tiga empat! Lima?", []string{"Satu dua.", "Tiga empat!", "Lima?"}},
		{"abbreviations", "Warga Kec. Kuranji dan Kab. Agam datang ke Jl. Sudirman No. 5 menemui dr. Andi. Mereka pulang.",
			[]string{"Warga Kec. Kuranji dan Kab. Agam datang ke Jl. Sudirman No. 5 menemui dr. Andi.", "Mereka pulang."}},
		{"initials and degrees", "Kepala dinas, H. Rudi Hartono, S.Sos., M.Si., hadir. Acara dimulai.",
			[]string{"Kepala dinas, H. Rudi Hartono, S.Sos., M.Si., hadir.", "Acara dimulai."}},
		{"money and decimals", "Harga naik menjadi Rp1.500 per liter, atau 2,5 persen. Warga mengeluh.",
			[]string{"Harga naik menjadi Rp1.500 per liter, atau 2,5 persen.", "Warga mengeluh."}},
		{"attributed quote stays whole", `"Sudah tiga kali saya datang," kata Rahmat. Ia kecewa.`,
			[]string{`"Sudah tiga kali saya datang," kata Rahmat.`, "Ia kecewa."}},
		{"quote ending a sentence", `Ia berkata, "Kami kecewa." Warga pulang.`,
			[]string{`Ia berkata, "Kami kecewa."`, "Warga pulang."}},
		{"exclamation inside quote with lowercase attribution", `"Cepat!" ujarnya. Semua berlari.`,
			[]string{`"Cepat!" ujarnya.`, "Semua berlari."}},
		{"curly quotes", "Ia berkata, \u201cSudah lama rusak.\u201d Lalu pergi.",
			[]string{"Ia berkata, \u201cSudah lama rusak.\u201d", "Lalu pergi."}},
		{"paragraphs", "Judul tanpa titik\nParagraf satu.\n\nParagraf dua", []string{"Judul tanpa titik", "Paragraf satu.", "Paragraf dua"}},
		{"domain names", "Baca di kompas.com hari ini. Selesai.", []string{"Baca di kompas.com hari ini.", "Selesai."}},
		{"English", "Mr. Smith said the U.S. aid arrived. It helped.", []string{"Mr. Smith said the U.S. aid arrived.", "It helped."}},
		{"ellipsis", "Ia menunggu... Lalu pulang.", []string{"Ia menunggu...", "Lalu pulang."}},
		{"empty", "  \n ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, sp := range splitSentences(tt.text) {
				got = append(got, tt.text[sp.Start:sp.End])
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || len(got) != len(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func FuzzAnalyze(f *testing.F) {
	f.Add("Warga Keluhkan e-KTP", "Blangko e-KTP kosong. \"Sudah lama,\" kata warga.", "")
	f.Add("", "Residents complained about potholes.", "en")
	f.Add("", "Jl. Sudirman No. 5... \u201cRusak!\u201d ujarnya.\n\n", "id")
	f.Add("\xff", "\x00.\"\"\".", "xx")
	f.Fuzz(func(t *testing.T, title, text, lang string) {
		r := testAnalyzer.Analyze(Document{Title: title, Text: text, Lang: lang})
		if r.Mentions == nil {
			t.Fatal("nil mentions")
		}
		for _, m := range r.Mentions {
			if m.Sentiment.Score < -1 || m.Sentiment.Score > 1 || m.Criticism != (m.Sentiment.Label == sentiment.Negative) {
				t.Fatalf("inconsistent mention %+v", m)
			}
			if utf8.RuneCountInString(m.Snippet) > snippetRunes+1 {
				t.Fatalf("snippet too long: %q", m.Snippet)
			}
		}
		for _, sp := range splitSentences(text) {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Fatalf("bad span %+v of %d bytes", sp, len(text))
			}
		}
	})
}

// TestAnalyzeLimits checks the caps on what one article may cost: text beyond MaxTextBytes is
// ignored and flagged, a sentence without punctuation is cut into pieces, and mentions beyond
// MaxMentions are dropped and counted.
func TestAnalyzeLimits(t *testing.T) {
	t.Run("text", func(t *testing.T) {
		body := strings.Repeat("Warga mengeluhkan blangko e-KTP yang kosong di kantor Disdukcapil. ", MaxTextBytes/60)
		r := testAnalyzer.Analyze(Document{Text: body, Lang: "id"})
		if !r.Truncated || len(r.Mentions) != 1 {
			t.Errorf("%d bytes: truncated %v, %d mentions; want truncated and 1", len(body), r.Truncated, len(r.Mentions))
		}
		if r := testAnalyzer.Analyze(Document{Text: body[:1000], Lang: "id"}); r.Truncated {
			t.Error("a short text is flagged truncated")
		}
	})
	t.Run("sentence", func(t *testing.T) {
		line := strings.Repeat("kata ", 3*maxSentenceBytes/5)
		for _, sp := range splitSentences(line) {
			if n := sp.End - sp.Start; n > maxSentenceBytes {
				t.Errorf("sentence of %d bytes, want at most %d", n, maxSentenceBytes)
			}
		}
		if n := len(splitSentences(line)); n < 3 {
			t.Errorf("%d pieces of a %d-byte line, want at least 3", n, len(line))
		}
	})
	t.Run("mentions", func(t *testing.T) {
		var y, body strings.Builder
		y.WriteString("programmes:\n")
		for i := range MaxMentions + 6 {
			fmt.Fprintf(&y, "  - id: p%d\n    name: P%d\n    unit: U\n    aliases: [\"kata%d\"]\n", i, i, i)
			fmt.Fprintf(&body, "Warga membicarakan kata%d hari ini. ", i)
		}
		tax, err := taxonomy.Parse([]byte(y.String()), "many.yaml")
		if err != nil {
			t.Fatal(err)
		}
		r := New(tax, nil).Analyze(Document{Text: body.String(), Lang: "id"})
		if len(r.Mentions) != MaxMentions || r.DroppedMentions != 6 {
			t.Errorf("%d mentions, %d dropped; want %d and 6", len(r.Mentions), r.DroppedMentions, MaxMentions)
		}
	})
}

// TestAnalyzeRegions checks that an article is tagged with the regions it names and each mention
// with the regions its own sentences name, or else the article's most named one.
func TestAnalyzeRegions(t *testing.T) {
	a := New(nil, nil)
	r := a.Analyze(Document{Lang: "id", Title: "Lampu jalan di Kota Padang kembali menyala",
		Text: "Pemkot Padang memperbaiki 40 lampu jalan yang padam. " +
			"Di tempat lain, warga mengeluhkan blangko e-KTP yang habis di Kabupaten Solok."})
	var got []string
	for _, g := range r.Regions {
		got = append(got, fmt.Sprintf("%s %s %d", g.Code, g.Name, g.Count))
	}
	want := []string{"13 Sumatera Barat 3", "13.71 Kota Padang 2", "13.02 Kabupaten Solok 1"}
	if !slices.Equal(got, want) {
		t.Errorf("article regions %q, want %q", got, want)
	}
	byProg := map[string][]string{}
	for _, m := range r.Mentions {
		byProg[m.Programme] = m.Regions
	}
	if !slices.Equal(byProg["pju"], []string{"13.71", "13"}) || !slices.Equal(byProg["ektp"], []string{"13.02", "13"}) {
		t.Errorf("mention regions %v", byProg)
	}
	// A mention whose sentences name no place takes the article's most named region.
	r = a.Analyze(Document{Lang: "id", Text: "Banjir merendam Kota Padang. Warga Kota Padang mengungsi. Drainase tersumbat sampah sejak lama."})
	if len(r.Mentions) == 0 || !slices.Equal(r.Mentions[len(r.Mentions)-1].Regions, []string{"13.71", "13"}) {
		t.Errorf("mentions %+v", r.Mentions)
	}
}
