package crawler

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
