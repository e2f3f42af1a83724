package pipeline

import (
	"math/rand/v2"
	"testing"
)

func TestNearDupIndex(t *testing.T) {
	ix := newNearDupIndex(4)
	const orig = 0xF0F0_1234_ABCD_0001
	if got := ix.Match(orig, 1); got != 0 {
		t.Fatalf("first article matched %d, want original", got)
	}
	tests := []struct {
		name    string
		simhash uint64
		urlHash uint64
		want    uint64
	}{
		{"same story, 3 bits differ in one band", orig ^ 0b111, 2, 1},
		{"same story, 3 bits spread over bands", orig ^ (1 | 1<<20 | 1<<40), 3, 1},
		{"different story, 4 bits differ", orig ^ (1 | 1<<20 | 1<<40 | 1<<60), 4, 0},
		{"the original again is not its own copy", orig, 1, 0},
		{"no body text never matches", 0, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ix.Match(tt.simhash, tt.urlHash); got != tt.want {
				t.Errorf("Match(%x, %d) = %d, want %d", tt.simhash, tt.urlHash, got, tt.want)
			}
		})
	}
}

func TestNearDupIndexForgetsOldest(t *testing.T) {
	ix := newNearDupIndex(3)
	r := rand.New(rand.NewPCG(1, 2))
	hashes := make([]uint64, 5)
	for i := range hashes {
		hashes[i] = r.Uint64()
		if got := ix.Match(hashes[i], uint64(i+1)); got != 0 {
			t.Fatalf("random hash %d matched %d", i, got)
		}
	}
	// Capacity 3: hashes 0 and 1 are forgotten, 2..4 remembered. Newest first, so that the
	// misses (which are then remembered) come after the hits.
	for i := len(hashes) - 1; i >= 0; i-- {
		got := ix.Match(hashes[i]^1, 100+uint64(i))
		want := uint64(i + 1)
		if i < 2 {
			want = 0
		}
		if got != want {
			t.Errorf("hash %d: Match = %d, want %d", i, got, want)
		}
	}
	for b := range ix.bands {
		n := 0
		for _, l := range ix.bands[b] {
			n += len(l)
		}
		if n != 3 {
			t.Errorf("band %d holds %d positions, want 3 (capacity)", b, n)
		}
	}
}
