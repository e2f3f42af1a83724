package regions_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/regions"
)

func names(found []regions.Found) string {
	var out []string
	for _, f := range found {
		out = append(out, f.Name)
	}
	return strings.Join(out, "; ")
}

func TestFind(t *testing.T) {
	g := regions.Default()
	tests := []struct{ name, text, want string }{
		{"city with its kind", "Pemkot Padang memperbaiki lampu jalan.", "Kota Padang; Sumatera Barat"},
		{"bare city name", "Warga Padang mengeluhkan sampah.", "Kota Padang; Sumatera Barat"},
		{"regency with its kind", "Jalan di Kabupaten Lombok Barat rusak.", "Kabupaten Lombok Barat; Nusa Tenggara Barat"},
		{"abbreviated kind", "Kab. Lombok Barat menyalurkan BLT.", "Kabupaten Lombok Barat; Nusa Tenggara Barat"},
		{"province short form", "Pemprov Sumbar menyiapkan anggaran.", "Sumatera Barat"},
		{"province name", "Banjir melanda Jawa Tengah.", "Jawa Tengah"},
		{"regency counts for its province", "Bupati Garut dan Gubernur Jabar meninjau jalan.", "Jawa Barat; Kabupaten Garut"},
		{"common word without its kind", "Nasib malang menimpa warga. Batang pohon tumbang.", ""},
		{"common word at a sentence start", "Malang benar nasibnya.", ""},
		{"common word with its kind", "Wali Kota Malang meresmikan jalan.", "Kota Malang; Jawa Timur"},
		{"city and regency of one province", "Banjir di Bogor meluas.", "Jawa Barat"},
		{"city and regency told apart by kind", "Pemkab Bogor dan Pemkot Bogor sepakat.", "Jawa Barat; Kabupaten Bogor; Kota Bogor"},
		{"lower-case bare name", "di padang rumput", ""},
		{"Jakarta administrative city", "Sampah menumpuk di Jakarta Selatan.", "Kota Administrasi Jakarta Selatan; Daerah Khusus Ibukota Jakarta"},
		{"hyphenated name", "Kabupaten Toli-Toli menambah PJU.", "Kabupaten Toli-Toli; Sulawesi Tengah"},
		{"province that shares its name with its capital", "Harga BBM di Bengkulu naik.", "Bengkulu"},
		{"no place", "Program MBG dinilai berhasil.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(g.Find(tt.text)); got != tt.want {
				t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestFindSharedName checks a bare name that two provinces have: it counts only where the text
// also names one of those provinces.
func TestFindSharedName(t *testing.T) {
	g := regions.Default()
	if got := names(g.Find("Pasar di Banjar kebanjiran.")); got != "" {
		t.Errorf("Banjar alone: %q, want nothing (Kota Banjar is in Jawa Barat, Kabupaten Banjar in Kalimantan Selatan)", got)
	}
	// Banjar is also a common word, so it needs its kind; Kupang is not, and is both a city and a
	// regency of one province.
	if got := names(g.Find("Kota Banjar di Jawa Barat.")); got != "Jawa Barat; Kota Banjar" {
		t.Errorf("got %q", got)
	}
}

func TestFindCountsAndOrder(t *testing.T) {
	found := regions.Default().Find("Jalan di Kota Padang rusak. Wali Kota Padang berjanji. Di Solok Selatan juga.")
	if len(found) != 3 {
		t.Fatalf("found %v", found)
	}
	if found[0].Name != "Sumatera Barat" || found[0].Count != 3 || found[1].Name != "Kota Padang" || found[1].Count != 2 {
		t.Errorf("found %+v", found)
	}
	if found[1].Code != "13.71" || found[1].Province != "13" || found[1].Level != regions.Regency {
		t.Errorf("Kota Padang: %+v", found[1].Region)
	}
}

func TestResolve(t *testing.T) {
	g := regions.Default()
	for in, want := range map[string]string{
		"13.71": "Kota Padang", "Kota Padang": "Kota Padang", "Padang": "Kota Padang",
		"Sumatera Barat": "Sumatera Barat", "sumbar": "Sumatera Barat", "Provinsi Jawa Barat": "Jawa Barat",
		"Kabupaten Bogor": "Kabupaten Bogor", "Kota Malang": "Kota Malang",
	} {
		r, err := g.Resolve(in)
		if err != nil || r.Name != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, r.Name, err, want)
		}
	}
	for in, msg := range map[string]string{
		"Bogor":         "ambiguous: Kabupaten Bogor (32.01), Kota Bogor (32.71)",
		"Atlantis":      `region "Atlantis" is not an Indonesian province`,
		"Kota Atlantis": "not an Indonesian",
	} {
		if _, err := g.Resolve(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Resolve(%q) error %v, want it to say %q", in, err, msg)
		}
	}
}

func TestNewRejectsBadTables(t *testing.T) {
	for name, c := range map[string]struct{ prov, reg, msg string }{
		"header":           {"id,name\n11,Aceh\n", "code,province_code,name\n", "provinces.csv: header is not code,name"},
		"unknown province": {"code,name\n11,Aceh\n", "code,province_code,name\n12.01,12,Kabupaten X\n", `line 2: 12.01 names unknown province "12"`},
		"ragged row":       {"code,name\n11\n", "code,province_code,name\n", "provinces.csv"},
	} {
		if _, err := regions.New([]byte(c.prov), []byte(c.reg)); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want %q", name, err, c.msg)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	g := regions.Default()
	text := strings.Repeat("Pemerintah Kota Padang bersama Pemprov Sumbar memperbaiki jalan rusak di Kabupaten Solok yang dikeluhkan warga sejak lama. ", 20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		g.Find(text)
	}
}

// BenchmarkScanPages scans ordinary articles, which name a region or two: the gold body texts
// of the saved pages in ../testdata/pages.
func BenchmarkScanPages(b *testing.B) {
	files, err := filepath.Glob("../testdata/pages/*.txt")
	if err != nil || len(files) == 0 {
		b.Fatalf("no page texts: %v", err)
	}
	var texts []string
	size := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
		size += len(data)
	}
	g := regions.Default()
	b.SetBytes(int64(size / len(texts)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Scan(texts[i%len(texts)])
	}
}

// TestCountManyRegions counts a text naming more regions than Count searches linearly: each
// region keeps its own count and first offset whichever way it was found again.
func TestCountManyRegions(t *testing.T) {
	g := regions.Default()
	codes := []string{"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35",
		"36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82"}
	var hits []regions.Hit
	for round := range 3 {
		for i, c := range codes {
			if round == 2 && i%2 == 1 {
				continue // the odd ones are named twice, the even ones three times
			}
			r, ok := g.Lookup(c)
			if !ok {
				t.Fatalf("no province %s", c)
			}
			hits = append(hits, regions.Hit{Region: &r, At: 100*round + i})
		}
	}
	found := g.Count(hits)
	if len(found) != len(codes) {
		t.Fatalf("%d regions found, want %d", len(found), len(codes))
	}
	for k, f := range found {
		i := slices.Index(codes, f.Code)
		want := 2
		if i%2 == 0 {
			want = 3
		}
		if f.Count != want || f.First != i {
			t.Errorf("%s: count %d first %d, want %d and %d", f.Code, f.Count, f.First, want, i)
		}
		if k > 0 && (found[k-1].Count < f.Count || found[k-1].Count == f.Count && found[k-1].First > f.First) {
			t.Errorf("%s out of order after %s", f.Code, found[k-1].Code)
		}
	}
}
