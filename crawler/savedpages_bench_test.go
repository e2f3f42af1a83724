package crawler

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkExtractSavedPages extracts the project's saved news pages (testdata/pages and
// the fixture site's 16 articles, 21 pages of realistic Indonesian and English layouts)
// and reports pages per second; run with -cpu 1 for the one-core figure.
func BenchmarkExtractSavedPages(b *testing.B) {
	files, _ := filepath.Glob("../testdata/pages/*.html")
	site, _ := filepath.Glob("../testdata/site/berita/*/*/*/*.html")
	files = append(files, site...)
	if len(files) < 20 {
		b.Fatalf("found %d saved pages, want at least 20", len(files))
	}
	pages := make([][]byte, len(files))
	var total int64
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		pages[i] = bytes.ReplaceAll(data, []byte("{{BASE}}"), []byte("https://bagonjong.example.id"))
		total += int64(len(pages[i]))
	}
	b.SetBytes(total / int64(len(pages)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		x, err := Extract(pages[i%len(pages)], "https://bagonjong.example.id/berita/1")
		if err != nil || len(x.Text) < 500 {
			b.Fatalf("%s: %d characters of text, err %v", files[i%len(files)], len(x.Text), err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
