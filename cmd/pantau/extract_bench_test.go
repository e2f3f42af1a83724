package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pantau-id/pantau/parallel"
)

// BenchmarkExtractWorkers extracts the saved pages through pantau extract's ordered
// worker pool with one goroutine and with one per core, and reports pages/s.
//
//	go test -run XXX -bench ExtractWorkers ./cmd/pantau/
func BenchmarkExtractWorkers(b *testing.B) {
	pages, _ := filepath.Glob("../../testdata/pages/*.html")
	site, _ := filepath.Glob("../../testdata/site/berita/*/*/*/*.html")
	files := append(pages, site...)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			n := 0
			for b.Loop() {
				err := parallel.InOrder(context.Background(), slices.Values(files), workers, func(name string) extracted {
					return extractFile(name, "https://bagonjong.example.id/berita/1")
				}, func(out extracted) error {
					if out.Error != "" {
						return fmt.Errorf("%s: %s", out.File, out.Error)
					}
					n++
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}
