package crawler

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestSimHash(t *testing.T) {
	base := "Pemerintah kota menyatakan program penerangan jalan umum akan diperluas tahun ini setelah warga berulang kali mengeluhkan jalan gelap yang rawan kecelakaan dan kejahatan pada malam hari di berbagai kecamatan"
	tests := []struct {
		name    string
		a, b    string
		maxDist int
		minDist int
	}{
		{name: "identical", a: base, b: base, maxDist: 0},
		{name: "case and punctuation ignored", a: base, b: "PEMERINTAH kota, menyatakan: " + base[len("Pemerintah kota menyatakan "):], maxDist: 0},
		{name: "one word changed", a: base, b: base[:len(base)-len("kecamatan")] + "kelurahan", maxDist: 10},
		{name: "unrelated", a: base, b: "Harga cabai merah di pasar tradisional melonjak tajam menjelang hari raya karena pasokan dari petani berkurang akibat musim hujan yang berkepanjangan", minDist: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := HammingDistance(SimHash(tt.a), SimHash(tt.b))
			if d > tt.maxDist && tt.minDist == 0 {
				t.Errorf("distance %d, want <= %d", d, tt.maxDist)
			}
			if tt.minDist > 0 && d < tt.minDist {
				t.Errorf("distance %d, want >= %d", d, tt.minDist)
			}
		})
	}
	if SimHash("") != 0 || SimHash("  ,. ") != 0 {
		t.Error("empty text must hash to 0")
	}
	if SimHash("dua kata") == 0 {
		t.Error("short text must hash")
	}
}

// simHashPerBit is SimHash as first written, with a signed counter per bit: the
// bit-sliced counts must give the same hashes.
func simHashPerBit(text string) uint64 {
	var counts [64]int
	n := 0
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	add := func(s string) {
		h := uint64(fnvOffset64)
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * fnvPrime64
		}
		for b := 0; b < 64; b++ {
			if h&(1<<b) != 0 {
				counts[b]++
			} else {
				counts[b]--
			}
		}
		n++
	}
	switch {
	case len(words) == 0:
		return 0
	case len(words) < 3:
		add(strings.Join(words, " "))
	default:
		for i := 0; i+3 <= len(words); i++ {
			add(strings.Join(words[i:i+3], " "))
		}
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if counts[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

func TestSimHashMatchesPerBitCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// ASCII of both cases (SimHash's fast path) mixed with other scripts and marks.
	vocab := strings.Fields("warga jalan lampu kota program pemerintah e-KTP blangko kosong banjir air bersih sekolah puskesmas dinas 2026 Rp10 juta " +
		"PEMERINTAH Kafé ÉCOLE naïve Sánchez ЖУРНАЛ 日本語 ٣٤ «kutip» —")
	for n := range 300 {
		var b strings.Builder
		for range n {
			b.WriteString(vocab[rng.IntN(len(vocab))])
			b.WriteString([]string{" ", ", ", ". ", "\n"}[rng.IntN(4)])
		}
		text := b.String()
		if got, want := SimHash(text), simHashPerBit(text); got != want {
			t.Fatalf("%d words: SimHash = %016x, per-bit counts give %016x", n, got, want)
		}
	}
}

func BenchmarkSimHash(b *testing.B) {
	text := strings.Repeat("Pemerintah kota menyatakan program penerangan jalan umum akan diperluas tahun ini. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		SimHash(text)
	}
}
