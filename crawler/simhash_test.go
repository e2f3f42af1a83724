package crawler

import "testing"

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
