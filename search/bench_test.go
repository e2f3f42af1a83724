package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// BenchmarkSearch searches 10,000 stored articles of about 1 KB published over 30 days:
// a selective query (about 1 in 20 articles holds its words), a broad one that stops at the
// result limit, and one the pre-filter cannot narrow and hardly any article matches, which
// reads all 10,000.
func BenchmarkSearch(b *testing.B) {
	words := []string{"warga", "mengeluhkan", "pelayanan", "kantor", "kecamatan", "dinas", "jalan", "program",
		"pemerintah", "daerah", "anggaran", "rumah", "sakit", "sekolah", "pasar", "banjir", "listrik", "air"}
	rng := rand.New(rand.NewPCG(1, 2))
	var ds []doc
	for i := range 10000 {
		text := ""
		for len(text) < 1000 {
			text += words[rng.IntN(len(words))] + " "
			if rng.IntN(12) == 0 {
				text += ". "
			}
		}
		if i%20 == 0 {
			text += "Antrean blangko e-KTP mengular di Disdukcapil."
		}
		ds = append(ds, doc{id: fmt.Sprint(i), source: fmt.Sprintf("src%d", i%15), title: "Berita " + words[i%len(words)],
			text: text, age: time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))})
	}
	for _, bk := range storagetest.Backends {
		b.Run(bk.Name, func(b *testing.B) {
			s := storagetest.Open(b, bk.Config(b))
			for i := 0; i < len(ds); i += 2000 {
				storeDocs(b, s, ds[i:i+2000])
			}
			for _, query := range []string{`antre* NEAR/3 ("e-KTP" OR blangko)`, `warga AND NOT pemilu`, `warga AND NOT (pasar OR dinas OR jalan)`} {
				q, err := taxonomy.ParseQuery(query)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(query, func(b *testing.B) {
					var res *Result
					for b.Loop() {
						res, err = Search(context.Background(), s, q, OptionsFor(time.Time{}, time.Time{}, searchNow.Add(time.Hour)))
						if err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(res.Articles)), "results")
					b.ReportMetric(float64(res.Read), "read")
				})
			}
		})
	}
}
