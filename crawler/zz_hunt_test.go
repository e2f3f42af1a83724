package crawler

import (
	"math/rand"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZHunt(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.html")
	var seeds [][]byte
	for _, f := range files {
		b, _ := os.ReadFile(f)
		seeds = append(seeds, b)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		p := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
		for k := 0; k < 1+r.Intn(8); k++ {
			switch r.Intn(4) {
			case 0:
				if len(p) > 0 { p[r.Intn(len(p))] = byte(r.Intn(256)) }
			case 1:
				if len(p) > 2 { a := r.Intn(len(p)); b := a + r.Intn(len(p)-a); p = append(p[:a], p[b:]...) }
			case 2:
				if len(p) > 2 { a := r.Intn(len(p)); b := a + r.Intn(min(len(p)-a, 200)); p = append(p[:a], append(append([]byte(nil), p[a:b]...), p[a:]...)...) }
			case 3:
				p = append(p, "<div><p>"...)
			}
		}
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				os.WriteFile("/tmp/hunt/slow.html", p, 0o644)
				pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
				os.Exit(3)
			}
		}()
		st := time.Now()
		Extract(p, "https://example.co.id/berita/1")
		close(done)
		if d := time.Since(st); d > 500*time.Millisecond {
			t.Logf("iter %d: %v len %d", i, d, len(p))
		}
	}
}
