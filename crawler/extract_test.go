package crawler

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		pageURL     string
		wantURL     string
		wantTitle   string
		wantAuthor  string
		wantLang    string
		wantPub     time.Time
		wantText    []string // substrings the body must contain
		wantNotText []string // boilerplate it must not contain
	}{
		{
			name:        "indonesian portal with meta time in +07:00",
			file:        "id_kompas_bansos.html",
			pageURL:     "https://m.beritanusantara.co.id/amp/regional/2024/05/02/warga-keluhkan-bansos-beras-terlambat?utm_source=wa",
			wantURL:     "https://beritanusantara.co.id/regional/2024/05/02/warga-keluhkan-bansos-beras-terlambat",
			wantTitle:   "Warga Keluhkan Penyaluran Bansos Beras yang Terlambat di Padang",
			wantAuthor:  "Rina Marlina",
			wantLang:    "id",
			wantPub:     time.Date(2024, 5, 2, 7, 35, 0, 0, time.UTC),
			wantText:    []string{"mengeluhkan penyaluran bantuan sosial (bansos) beras", "Kepala Dinas Sosial Kota Padang"},
			wantNotText: []string{"Advertisement", "Berita Terkait", "Terpopuler", "Pedoman Media Siber", "Cari berita"},
		},
		{
			name:        "local portal with zone-less JSON-LD date read as WIB",
			file:        "id_lokal_tpa_nozone.html",
			pageURL:     "https://padangpos.id/kota/tpa-air-dingin-kembali-terbakar-warga-keluhkan-asap/",
			wantURL:     "https://padangpos.id/kota/tpa-air-dingin-kembali-terbakar-warga-keluhkan-asap",
			wantTitle:   "TPA Air Dingin Kembali Terbakar, Warga Sekitar Keluhkan Asap",
			wantAuthor:  "Andi Saputra",
			wantLang:    "id",
			wantPub:     time.Date(2024, 6, 11, 1, 15, 0, 0, time.UTC),
			wantText:    []string{"TPA) Air Dingin di Kecamatan Koto Tangah kembali terbakar", "gas metana"},
			wantNotText: []string{"Jalan Rusak di Pariaman", "Copyright 2024"},
		},
		{
			name:        "english page whose canonical points to another site keeps its own URL",
			file:        "en_jakartapost_ektp.html",
			pageURL:     "https://www.archipelagotimes.com/news/2024/03/18/ektp-backlog.html#comments",
			wantURL:     "https://archipelagotimes.com/news/2024/03/18/ektp-backlog.html",
			wantTitle:   "E-KTP backlog leaves thousands unable to access services",
			wantAuthor:  "Sarah Wijaya",
			wantLang:    "en",
			wantPub:     time.Date(2024, 3, 18, 9, 20, 0, 0, time.UTC),
			wantText:    []string{"electronic identity cards (e-KTP)", "shortage of blank cards"},
			wantNotText: []string{"Subscribe", "Digital ID pilot"},
		},
		{
			name:      "windows-1252 page decoded",
			file:      "cp1252_kopi.html",
			pageURL:   "http://wartaminang.example/ekonomi/kopi",
			wantURL:   "http://wartaminang.example/ekonomi/kopi",
			wantTitle: "Harga Kopi di Kafe Naik – Secangkir Kini Rp 5.000 Lebih Mahal",
			wantLang:  "id",
			wantPub:   time.Date(2023, 11, 20, 3, 0, 0, 0, time.UTC),
			wantText:  []string{"Rp 5.000 – café", "“Kami tidak punya pilihan lain,”"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(readTestdata(t, tt.file), tt.pageURL)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if got.URL != tt.wantURL {
				t.Errorf("URL = %q, want %q", got.URL, tt.wantURL)
			}
			if got.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", got.Title, tt.wantTitle)
			}
			if got.Author != tt.wantAuthor {
				t.Errorf("Author = %q, want %q", got.Author, tt.wantAuthor)
			}
			if got.Lang != tt.wantLang {
				t.Errorf("Lang = %q, want %q", got.Lang, tt.wantLang)
			}
			if !got.Published.Equal(tt.wantPub) || got.Published.Location() != time.UTC {
				t.Errorf("Published = %v, want %v UTC", got.Published, tt.wantPub)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(got.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, got.Text)
				}
			}
			for _, s := range tt.wantNotText {
				if strings.Contains(got.Text, s) {
					t.Errorf("Text contains boilerplate %q", s)
				}
			}
		})
	}
}

// TestExtractBodyLayouts extracts article pages whose container starts with the
// headline and a byline, in several layouts, and compares the body with the paragraphs
// in testdata/layouts/<name>.txt, one a line.
func TestExtractBodyLayouts(t *testing.T) {
	tests := []struct {
		name    string
		file    string // in testdata/layouts, with a .txt of the expected lines beside it
		title   string
		bylines []string // lines of the page's container that are not body text
	}{
		{
			name:    "h1 inside the article, author name as its own line",
			file:    "h1_in_article",
			title:   "Banjir Rendam Ratusan Rumah di Lubuk Buaya",
			bylines: []string{"Dedi Kurniawan"},
		},
		{
			name:    "byline in its own divs",
			file:    "byline_div",
			title:   "Harga Beras Medium di Padang Naik Jelang Akhir Tahun",
			bylines: []string{"Redaksi", "Reporter: Siti Rahma"},
		},
		{
			name:    "minified, inline spans in blocks with no white space between them",
			file:    "inline_no_space",
			title:   "Stok Elpiji 3 Kg di Pariaman Langka",
			bylines: []string{"Redaksi", "Penulis: Rudi Hartono"},
		},
		{
			name:    "paragraphs separated by br",
			file:    "br_paragraphs",
			title:   "Kapal Nelayan Hilang di Perairan Mentawai Ditemukan Selamat",
			bylines: []string{"Oleh: Hendra Saputra"},
		},
		{
			name:    "english page with By and Written by lines",
			file:    "english",
			title:   "Padang Opens Its First Waste Bank for Schools",
			bylines: []string{"By Jonathan Reyes", "Written by Jonathan Reyes, Padang"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(readTestdata(t, "layouts/"+tt.file+".html"), "https://example.id/berita/1")
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			want := strings.Split(strings.TrimSpace(string(readTestdata(t, "layouts/"+tt.file+".txt"))), "\n")
			lines := strings.Split(got.Text, "\n")
			if got.Title != tt.title {
				t.Errorf("Title = %q, want %q", got.Title, tt.title)
			}
			if strings.HasPrefix(got.Text, tt.title) {
				t.Errorf("Text starts with the title:\n%s", got.Text)
			}
			for _, b := range tt.bylines {
				if slices.Contains(lines, b) {
					t.Errorf("Text holds the byline line %q", b)
				}
			}
			for i := 1; i < len(want); i++ {
				before, after := strings.Fields(want[i-1]), strings.Fields(want[i])
				if glued := before[len(before)-1] + after[0]; strings.Contains(got.Text, glued) {
					t.Errorf("Text glues two paragraphs: %q", glued)
				}
			}
			if !slices.Equal(lines, want) {
				t.Errorf("Text lines:\n%s\nwant:\n%s", got.Text, strings.Join(want, "\n"))
			}
		})
	}
}

// TestExtractShortMinifiedArticle covers an article too short for trafilatura's main
// extractor: its baseline joins the whole <article> text, which ran words together on
// minified pages.
func TestExtractShortMinifiedArticle(t *testing.T) {
	page := `<html lang="id"><head><title>Stok Elpiji Langka</title></head><body><nav><a href="/">Beranda</a></nav>` +
		`<article><h1>Stok Elpiji Langka</h1><div>Pasokan elpiji ke pangkalan berkurang dari jumlah yang didistribusikan</div>` +
		`<div>Redaksi</div><div>Menurut Anom, kiriman dari agen hanya separuh dari biasanya.</div></article></body></html>`
	got, err := Extract([]byte(page), "https://example.id/berita/1")
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	for _, glued := range []string{"LangkaPasokan", "didistribusikanRedaksi", "RedaksiMenurut"} {
		if strings.Contains(got.Text, glued) {
			t.Errorf("Text glues words: %q in\n%s", glued, got.Text)
		}
	}
}

func TestNodeText(t *testing.T) {
	tests := []struct {
		name string
		html string
		want []string
	}{
		{"paragraphs", "<p>One  two\n three.</p><p>Four.</p>", []string{"One two three.", "Four."}},
		{"br and inline", "<p><b>Oleh</b>: Andi<br><br>Satu <i>dua</i>.<br/>Tiga</p>", []string{"Oleh: Andi", "Satu dua.", "Tiga"}},
		{"blocks without white space", "<div>a</div><div>b<div>c</div>d</div>", []string{"a", "b", "c", "d"}},
		{"list and table", "<ul><li>x</li><li>y</li></ul><table><tr><td>1</td><td>2</td></tr><tr><th>3</th></tr></table>", []string{"x", "y", "1 2", "3"}},
		{"heading and quote", "<h2>Sub</h2><blockquote>Kutipan</blockquote>ekor", []string{"Sub", "Kutipan", "ekor"}},
		{"empty blocks and nbsp", "<p>\u00a0</p><p> </p><div><p>kata\u00a0kata</p></div>", []string{"kata kata"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tt.html))
			if err != nil {
				t.Fatal(err)
			}
			if got := nodeText(doc); !slices.Equal(got, tt.want) {
				t.Errorf("nodeText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStripHead(t *testing.T) {
	const title = "Harga Beras Naik, Warga Mengeluh"
	body := []string{"Padang - Harga beras naik.", "Kalimat kedua.", "Kalimat ketiga."}
	tests := []struct {
		name   string
		author string
		lines  []string
		want   []string
	}{
		{"title", "", append([]string{title}, body...), body},
		{"title in other case and punctuation", "", append([]string{"HARGA BERAS NAIK - WARGA MENGELUH!"}, body...), body},
		{"title and site name", "", append([]string{title + " | Kabar Minang Raya"}, body...), body},
		{"title and byline lines", "", append([]string{title, "Redaksi", "Penulis: Rahmi Yulianti | Editor: Syafril | Senin, 12 Oktober 2026 10:20 WIB"}, body...), body},
		{"author name", "Putri Ananda", append([]string{"Putri Ananda"}, body...), body},
		{"author name and site", "Putri Ananda", append([]string{"Putri Ananda - sumbarterkini"}, body...), body},
		{"byline prefixes", "", append([]string{"Oleh Andi Saputra", "Laporan wartawan Tribun Padang, Rizka", "Pewarta: Budi", "Kontributor: Sari", "By Clara Wenas", "Written by Jonathan Reyes"}, body...), body},
		{"byline after the first paragraph", "", []string{body[0], "Reporter: Maya", body[1], body[2]}, body},
		{"sentences that start like a byline are kept", "",
			[]string{"Oleh karena itu, warga diminta tenang.", "By the end of the year, prices fell.", "Redaksional media ini independen", "Editorial board"},
			[]string{"Oleh karena itu, warga diminta tenang.", "By the end of the year, prices fell.", "Redaksional media ini independen", "Editorial board"}},
		{"a sentence after a prefix and a capital is kept", "",
			[]string{"Reporter Budi Santoso melaporkan bahwa air di Lubuk Buaya sudah surut."},
			[]string{"Reporter Budi Santoso melaporkan bahwa air di Lubuk Buaya sudah surut."}},
		{"a paragraph that starts with the title is kept", "",
			[]string{title + " sejak pekan lalu karena pasokan dari sentra produksi berkurang."},
			[]string{title + " sejak pekan lalu karena pasokan dari sentra produksi berkurang."}},
		{"only the head is looked at", "", append(slices.Clone(body), "Redaksi", title), append(slices.Clone(body), "Redaksi", title)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stripHead(tt.lines, title, tt.author); !slices.Equal(got, tt.want) {
				t.Errorf("stripHead =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestExtractEmptyPage(t *testing.T) {
	_, err := Extract([]byte("<html><body><nav><a href='/'>Home</a></nav></body></html>"), "https://example.id/")
	if !errors.Is(err, ErrNoContent) {
		t.Fatalf("err = %v, want ErrNoContent", err)
	}
}

func BenchmarkExtract(b *testing.B) {
	files, err := filepath.Glob("testdata/*.html")
	if err != nil || len(files) == 0 {
		b.Fatalf("no testdata pages: %v", err)
	}
	pages := make([][]byte, len(files))
	for i, f := range files {
		pages[i] = readTestdata(b, filepath.Base(f))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := Extract(pages[i%len(pages)], "https://example.co.id/berita/1"); err != nil && !errors.Is(err, ErrNoContent) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// TestExtractDateFallbacks: a page that dates itself only in its text gets htmldate's day
// when the listing gives no date, and the listing's date when it gives one.
func TestExtractDateFallbacks(t *testing.T) {
	page := []byte(`<html lang="id"><head><title>Jalan Rusak</title></head><body>
<article><h1>Jalan Rusak di Pasar Raya Dikeluhkan Warga</h1>
<p class="date">Diterbitkan 14/03/2025</p>
<p>Warga Pasar Raya mengeluhkan jalan rusak yang tidak kunjung diperbaiki oleh dinas pekerjaan umum kota sejak awal tahun.</p>
<p>Menurut warga, lubang di jalan itu sudah beberapa kali menyebabkan pengendara sepeda motor terjatuh saat hujan turun.</p>
</article></body></html>`)
	const u = "https://kabarpadang.example.id/kota/jalan-rusak"
	got, err := extract(page, u, extractHints{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 3, 13, 17, 0, 0, 0, time.UTC); !got.Published.Equal(want) {
		t.Errorf("without a listing date: Published = %v, want %v (htmldate's day, WIB)", got.Published, want)
	}
	listed := time.Date(2025, 3, 14, 2, 30, 0, 0, time.UTC)
	got, err = extract(page, u, extractHints{feedPublished: listed})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Published.Equal(listed) {
		t.Errorf("with a listing date: Published = %v, want %v", got.Published, listed)
	}
}
