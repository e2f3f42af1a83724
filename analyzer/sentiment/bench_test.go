package sentiment

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkJudge judges SmSA valid sentences (or a built-in sample when the data is absent) and
// reports sentences/s next to the usual MB/s and allocations.
func BenchmarkJudge(b *testing.B) {
	texts := benchTexts(b)
	m := Default()
	var bytes int64
	for _, t := range texts {
		bytes += int64(len(t))
	}
	b.SetBytes(bytes / int64(len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Judge(texts[i%len(texts)], "id")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sentences/s")
}

func benchTexts(b *testing.B) []string {
	fh, err := os.Open(filepath.Join(dataDir, "smsa", "valid_preprocess.tsv"))
	if err == nil {
		defer fh.Close()
		ex, _ := ReadLabelled(fh, "valid_preprocess.tsv")
		texts := make([]string, len(ex))
		for i, e := range ex {
			texts[i] = e.Text
		}
		if len(texts) > 0 {
			return texts
		}
	}
	return []string{
		"pelayanannya tidak bagus",
		"awalnya lambat tapi sekarang pelayanannya cepat dan ramah",
		"warga keluhkan pungli di kantor kelurahan saat mengurus e-ktp",
		"jembatan baru diresmikan gubernur dan lalu lintas kini lancar",
	}
}
