package taxonomy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ids returns the programme ids matched in an article.
func ids(t *Taxonomy, title, body string) []string {
	var out []string
	for _, m := range t.Match(title, body, nil) {
		out = append(out, t.Programmes()[m.Programme].ID)
	}
	return out
}

// spans cuts text into sentences after each full stop.
func spans(text string) []Span {
	var out []Span
	start := 0
	for i := 0; i < len(text); i++ {
		if text[i] == '.' {
			out = append(out, Span{start, i + 1})
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, Span{start, len(text)})
	}
	return out
}

func mustParse(t testing.TB, src string) *Taxonomy {
	t.Helper()
	tax, err := Parse([]byte(src), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tax
}

func TestDefault(t *testing.T) {
	tax := Default()
	want := []string{"ektp", "kk_akta", "sampah_tps", "pju", "bpjs_kesehatan", "bansos", "prakerja", "mbg",
		"subsidi_bbm", "jalan", "banjir_drainase", "air_bersih", "ppdb", "kesehatan_puskesmas", "listrik_pln",
		"transportasi_publik", "perizinan_oss", "pajak_daerah", "hoaks"}
	var got []string
	for _, p := range tax.Programmes() {
		got = append(got, p.ID)
		if p.Name == "" || p.Unit == "" || len(p.Aliases) < 5 {
			t.Errorf("programme %s: needs a name, a unit and at least 5 aliases", p.ID)
		}
		// Alertmanager routes on unit_id (dashboards/alertmanager_test.go checks every id is routed).
		if p.UnitID == "" || tax.UnitID(p.ID, "") != p.UnitID || tax.UnitID("gone", p.Unit) != p.UnitID {
			t.Errorf("programme %s: unit %q has unit_id %q, which UnitID must find by programme and by unit", p.ID, p.Unit, p.UnitID)
		}
	}
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("default taxonomy lacks programme %q", id)
		}
	}
	if string(DefaultYAML()) != string(defaultYAML) {
		t.Error("DefaultYAML differs from the embedded file")
	}
}

func TestParseFiles(t *testing.T) {
	for _, suffix := range []string{".good.yml", ".bad.yml"} {
		files, err := filepath.Glob(filepath.Join("testdata", "*"+suffix))
		if err != nil || len(files) == 0 {
			t.Fatalf("no testdata/*%s files: %v", suffix, err)
		}
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				_, err = Parse(data, filepath.Base(f))
				if suffix == ".good.yml" && err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if suffix == ".bad.yml" {
					if err == nil {
						t.Fatal("Parse succeeded on a bad file")
					}
					// The first line of a bad file is "# error: <expected substring>".
					want := strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "# error: ")
					if !strings.Contains(err.Error(), want) {
						t.Fatalf("error %q does not contain %q", err, want)
					}
				}
			})
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key", "programmes:\n  - id: a\n    name: A\n    unit: U\n    alias: [x]\n",
			[]string{"test.yaml:5: field alias not found"}},
		{"yaml syntax", "programmes:\n  - id: a\n    name: [\n",
			[]string{"test.yaml:3:"}},
		{"empty", "", []string{"test.yaml: no programmes"}},
		{"missing fields", "programmes:\n  - id: a\n    aliases: [x]\n",
			[]string{`test.yaml:2: programme "a": missing name`, `test.yaml:2: programme "a": missing unit`}},
		{"bad id and duplicate", "programmes:\n  - {id: a, name: A, unit: U, aliases: [x]}\n  - {id: a, name: A, unit: U, aliases: [y]}\n  - {id: B-1, name: B, unit: U, aliases: [z]}\n",
			[]string{`test.yaml:3: programme "a": duplicate id (first at line 2)`, `test.yaml:4: programme "B-1": id must be`}},
		{"unit ids", "programmes:\n  - {id: a, name: A, unit: U, unit_id: u, aliases: [x]}\n  - {id: b, name: B, unit: U, unit_id: v, aliases: [y]}\n  - {id: c, name: C, unit: W, unit_id: W-1, aliases: [z]}\n",
			[]string{`test.yaml:3: programme "b": unit_id "v" differs from "u" of the same unit at line 2`, `test.yaml:4: programme "c": unit_id must be`}},
		{"no aliases or query", "programmes:\n  - {id: a, name: A, unit: U}\n",
			[]string{`programme "a": needs aliases or a query`}},
		{"empty alias", "programmes:\n  - {id: a, name: A, unit: U, aliases: [\"--\"]}\n",
			[]string{`programme "a": alias "--": no letters or digits`}},
		{"short wildcard", "programmes:\n  - {id: a, name: A, unit: U, aliases: [\"ab*\"]}\n",
			[]string{`wildcard prefix "ab" is shorter than 3 letters`}},
		{"query unbalanced", "programmes:\n  - id: jalan\n    name: Jalan\n    unit: PUPR\n    query: '(jalan AND rusak'\n",
			[]string{`test.yaml:5: programme "jalan": query column 17: expected ) to close ( at column 1, found end of query`}},
		{"query juxtaposed words", "programmes:\n  - id: jalan\n    name: Jalan\n    unit: PUPR\n    query: jalan rusak\n",
			[]string{`test.yaml:5: programme "jalan": query column 7: expected AND, OR or NEAR/n before word "rusak"`}},
		{"query bad NEAR", "programmes:\n  - id: x\n    name: X\n    unit: U\n    query: a NEAR b\n",
			[]string{`query column 3: NEAR needs a distance`}},
		{"query block scalar", "programmes:\n  - id: x\n    name: X\n    unit: U\n    query: |\n      a AND\n      (b OR\n",
			[]string{`test.yaml:7: programme "x": query column 6: expected a term, found end of query`}},
		{"query only NOT", "programmes:\n  - {id: x, name: X, unit: U, query: 'NOT pemilu'}\n",
			[]string{`programme "x": query is true for an article holding none of its terms`}},
		{"query unknown field", "programmes:\n  - {id: x, name: X, unit: U, query: 'text:jalan'}\n",
			[]string{`query column 1: unknown field "text"`}},
		{"query unterminated phrase", "programmes:\n  - {id: x, name: X, unit: U, query: 'a OR \"b c'}\n",
			[]string{`query column 6: unterminated quoted phrase`}},
		{"query NOT in NEAR", "programmes:\n  - {id: x, name: X, unit: U, query: 'a NEAR/2 NOT b'}\n",
			[]string{`query column 10: NOT cannot be an operand of NEAR`}},
		{"query wildcard inside", "programmes:\n  - {id: x, name: X, unit: U, query: 'ke*da'}\n",
			[]string{`query column 1: word "ke*da": * is allowed only at the end of a word`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "test.yaml")
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestMatchDefault(t *testing.T) {
	tests := []struct {
		name, title, body string
		want, notWant     []string
	}{
		{name: "e-KTP", body: "Warga antre mengurus e-KTP.", want: []string{"ektp"}},
		{name: "E-KTP with punctuation", body: "Blangko habis: E-KTP, KK dan KIA tertunda.", want: []string{"ektp"}},
		{name: "KTP-el", body: "Pencetakan KTP-el dihentikan sementara.", want: []string{"ektp"}},
		{name: "KTP elektronik", body: "Layanan KTP elektronik dibuka hingga malam.", want: []string{"ektp"}},
		{name: "ektp one word", body: "Perekaman ektp di kecamatan lambat.", want: []string{"ektp"}},
		{name: "blangko KTP", body: "Stok blangko KTP menipis.", want: []string{"ektp"}},
		{name: "KTPnya enclitic", body: "KTPnya belum jadi sejak Maret.", want: []string{"ektp"}},
		{name: "fotokopi KTP excluded", body: "Pendaftar membawa fotokopi KTP dan ijazah.", notWant: []string{"ektp"}},
		{name: "no match inside a word", body: "Kisah para petani di Kisaran; Plnx dan mbgx bukan kata.", notWant: []string{"bpjs_kesehatan", "listrik_pln", "mbg"}},
		{name: "KK as households is not the card", body: "Sebanyak 200 KK terdampak.", notWant: []string{"kk_akta"}},
		{name: "KK card printing", body: "Warga mengurus cetak KK baru.", want: []string{"kk_akta"}},
		{name: "TPS waste", body: "Tumpukan sampah di TPS Pasar Raya meluber ke jalan.", want: []string{"sampah_tps"}},
		{name: "TPS polling station excluded", body: "Petugas KPPS menghitung surat suara di TPS 05.", notWant: []string{"sampah_tps"}},
		{name: "TPA Quran school excluded", body: "Anak-anak mengaji di TPA masjid setiap sore.", notWant: []string{"sampah_tps"}},
		{name: "street lights", body: "Lampu jalan mati di Jalan Khatib Sulaiman.", want: []string{"pju"}},
		{name: "roads need a bad state", body: "Warga berjalan kaki ke pasar. Rombongan jalan-jalan ke pantai.", notWant: []string{"jalan"}},
		{name: "road with damage nearby", body: "Jalan By Pass rusak parah sejak tahun lalu.", want: []string{"jalan"}},
		{name: "road damage phrase", body: "Perbaikan jalan di Lubuk Begalung dimulai.", want: []string{"jalan"}},
		{name: "BPJS Ketenagakerjaan excluded", body: "Klaim BPJS Ketenagakerjaan naik.", notWant: []string{"bpjs_kesehatan"}},
		{name: "JKN", body: "Peserta JKN mengeluhkan obat.", want: []string{"bpjs_kesehatan"}},
		{name: "harga sembako excluded", body: "Harga sembako naik menjelang Lebaran.", notWant: []string{"bansos"}},
		{name: "PKH and BLT", body: "Penyaluran PKH dan BLT tahap dua.", want: []string{"bansos"}},
		{name: "MBG", body: "Program Makan Bergizi Gratis menjangkau 3.000 siswa.", want: []string{"mbg"}},
		{name: "Pertalite", body: "Pertalite kosong di sejumlah SPBU.", want: []string{"subsidi_bbm"}},
		{name: "SPBU queue by query", body: "Antrean panjang terjadi di SPBU Lubuk Buaya.", want: []string{"subsidi_bbm"}},
		{name: "SPBU as a landmark", body: "Kecelakaan terjadi di depan SPBU Lubuk Buaya.", notWant: []string{"subsidi_bbm"}},
		{name: "United Nations is not land tax", body: "Sekjen PBB mengecam serangan itu.", notWant: []string{"pajak_daerah"}},
		{name: "PBB-P2", body: "Pembayaran PBB-P2 bisa lewat aplikasi.", want: []string{"pajak_daerah"}},
		{name: "PBB tax by query", body: "Warga membayar PBB sebelum jatuh tempo.", want: []string{"pajak_daerah"}},
		{name: "banjir figurative excluded", body: "Penyanyi itu banjir pujian.", notWant: []string{"banjir_drainase"}},
		{name: "galodo", body: "Galodo melanda Nagari Limo Koto.", want: []string{"banjir_drainase"}},
		{name: "electric car excluded", body: "Mobil listrik makin diminati.", notWant: []string{"listrik_pln"}},
		{name: "blackout", body: "Pemadaman listrik bergilir terjadi di Padang.", want: []string{"listrik_pln"}},
		{name: "Trans Padang", body: "Bus Trans Padang koridor 4 mogok.", want: []string{"transportasi_publik"}},
		{name: "OSS and NIB", body: "Pelaku UMKM mengurus NIB lewat OSS.", want: []string{"perizinan_oss"}},
		{name: "hoax clarification", body: "Diskominfo memberikan klarifikasi atas video yang beredar.", want: []string{"hoaks"}},
		{name: "hoaks", body: "Informasi itu dipastikan hoaks.", want: []string{"hoaks"}},
		{name: "zonasi and PPDB", body: "Orang tua memprotes jalur zonasi PPDB.", want: []string{"ppdb"}},
		{name: "SPMB", body: "SPMB SMA dibuka pekan depan.", want: []string{"ppdb"}},
		{name: "puskesmas", body: "Puskesmas Andalas kekurangan dokter.", want: []string{"kesehatan_puskesmas"}},
		{name: "victim rushed to hospital excluded", body: "Korban dilarikan ke RSUD M. Djamil.", notWant: []string{"kesehatan_puskesmas"}},
		{name: "PDAM", body: "Air PDAM tidak mengalir tiga hari.", want: []string{"air_bersih"}},
		{name: "Prakerja", body: "Pendaftaran Kartu Prakerja gelombang baru dibuka.", want: []string{"prakerja"}},
		{name: "English potholes", body: "Residents complained about potholes and power outages.", want: []string{"jalan", "listrik_pln"}},
		{name: "title only", title: "Warga Keluhkan Lampu PJU Padam", body: "Warga Koto Tangah mengeluh.", want: []string{"pju"}},
	}
	tax := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(tax, tt.title, tt.body)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("got %v, want %s", got, w)
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(got, w) {
					t.Errorf("got %v, must not contain %s", got, w)
				}
			}
		})
	}
}

func TestMatchTermsAndSentences(t *testing.T) {
	tax := Default()
	body := "Cuaca cerah. Warga antre e-KTP. Blangko KTP-el habis. Harga cabai naik."
	ms := tax.Match("Layanan e-KTP", body, spans(body))
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	m := ms[0]
	if !m.InTitle || !slices.Equal(m.Sentences, []int{1, 2}) {
		t.Errorf("InTitle %v, Sentences %v; want true, [1 2]", m.InTitle, m.Sentences)
	}
	// Aliases in order of first occurrence, then the query term that made the query true
	// (blank cards "habis"; "Blangko" itself is inside the alias "blangko KTP").
	if !slices.Equal(m.Terms, []string{"e-KTP", "blangko KTP", "KTP-el", "habis"}) {
		t.Errorf("Terms %q, want [e-KTP blangko KTP KTP-el habis]", m.Terms)
	}
}

const queryTaxonomy = `programmes:
  - id: and
    name: A
    unit: U
    query: 'tps AND sampah'
  - id: or_not
    name: B
    unit: U
    query: '(pemilu OR pilkada) AND NOT "surat suara"'
  - id: near
    name: C
    unit: U
    query: 'jalan NEAR/2 (rusak OR berlubang)'
  - id: title
    name: D
    unit: U
    query: 'title:banjir AND body:drainase'
  - id: wildcard
    name: E
    unit: U
    query: '"pajak kendara*" OR samsat*'
  - id: excluded
    name: F
    unit: U
    aliases: [lampu jalan]
    exclusions: [lampu merah]
`

func TestQuery(t *testing.T) {
	tax := mustParse(t, queryTaxonomy)
	tests := []struct {
		name, title, body string
		want              []string
	}{
		{name: "AND both", body: "Sampah menumpuk di TPS.", want: []string{"and"}},
		{name: "AND one side", body: "Warga datang ke TPS.", want: nil},
		{name: "OR with NOT", body: "Pilkada berjalan damai.", want: []string{"or_not"}},
		{name: "NOT vetoes", body: "Pilkada: surat suara tertukar.", want: nil},
		{name: "NEAR within", body: "Jalan depan pasar rusak.", want: []string{"near"}},
		{name: "NEAR reversed order", body: "Rusak sekali jalan itu.", want: []string{"near"}},
		{name: "NEAR too far", body: "Jalan menuju pasar baru sudah lama rusak.", want: nil},
		{name: "title field", title: "Banjir di Padang", body: "Drainase tersumbat.", want: []string{"title"}},
		{name: "title field not in body", title: "Cuaca", body: "Banjir karena drainase tersumbat.", want: nil},
		{name: "wildcard in phrase", body: "Pajak kendaraan naik.", want: []string{"wildcard"}},
		{name: "wildcard prefix itself", body: "Samsat keliling hadir.", want: []string{"wildcard"}},
		{name: "wildcard longer word", body: "Layanan samsatnya tutup.", want: []string{"wildcard"}},
		{name: "wildcard needs prefix", body: "Pajak kendi naik.", want: nil},
		{name: "exclusion in same sentence", body: "Lampu jalan dan lampu merah padam.", want: nil},
		{name: "exclusion in other sentence", body: "Lampu merah padam. Lampu jalan juga.", want: []string{"excluded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sents := spans(tt.body)
			var got []string
			for _, m := range tax.Match(tt.title, tt.body, sents) {
				got = append(got, tax.Programmes()[m.Programme].ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestQueryString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a AND b OR c`, `("a" AND "b") OR "c"`},
		{`a AND (b OR c)`, `"a" AND ("b" OR "c")`},
		{`NOT a AND b`, `(NOT "a") AND "b"`},
		{`title:(e-KTP OR "KTP elektronik") AND kosong`, `(title:"e ktp" OR title:"ktp elektronik") AND "kosong"`},
		{`jalan NEAR/3 rusak*`, `"jalan" NEAR/3 "rusak*"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := parseQuery(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"E-KTP,", []string{"e", "ktp"}},
		{"KTP-el", []string{"ktp", "el"}},
		{"Rp1.500 (PBB-P2)", []string{"rp1", "500", "pbb", "p2"}},
		{"  Ibu Kota ÉLAN", []string{"ibu", "kota", "élan"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Normalize(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`a AND b`, `(a OR "b c") AND NOT d`, `title:x NEAR/3 y*`, `((`, `"unterminated`, `NEAR/5`,
		`a NEAR/2 (b OR c)`, `body:(x AND title:y)`, `x:`, `kendara* OR "pajak kendara*"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := parseQuery(src)
		if err != nil {
			var qe *QueryError
			if !asQueryError(err, &qe) || qe.Offset < 0 || qe.Offset > len(src) {
				t.Fatalf("error %v: offset out of range", err)
			}
			return
		}
		// The canonical form parses to itself.
		s := q.String()
		q2, err := parseQuery(s)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", s, src, err)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("canonical form not stable: %q -> %q", s, s2)
		}
	})
}

func asQueryError(err error, target **QueryError) bool {
	qe, ok := err.(*QueryError)
	*target = qe
	return ok
}

func TestMatchTermsNotRepeated(t *testing.T) {
	tax := mustParse(t, `programmes:
  - id: bbm
    name: BBM
    unit: U
    aliases: [Pertalite, solar subsidi]
    query: '(pertalite OR solar) NEAR/3 kosong'
`)
	ms := tax.Match("", "Solar subsidi dan Pertalite kosong di SPBU.", nil)
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	if want := []string{"solar subsidi", "Pertalite", "kosong"}; !slices.Equal(ms[0].Terms, want) {
		t.Errorf("Terms %q, want %q", ms[0].Terms, want)
	}
}

func TestWeakAliases(t *testing.T) {
	tax := mustParse(t, `programmes:
  - id: bus
    name: Bus kota
    unit: Dishub
    aliases: [Trans Padang]
    weak_aliases: [angkutan umum, transportasi publik]
    exclusions: [pelat kuning]
`)
	filler := "Cuaca cerah. Harga cabai naik. Pasar ramai. "
	tests := []struct {
		name, title, body string
		want              bool
		terms             []string
	}{
		{name: "in the title", title: "Angkutan Umum Mogok", body: filler, want: true, terms: []string{"angkutan umum"}},
		{name: "in the lead", body: "Angkutan umum mogok. " + filler, want: true, terms: []string{"angkutan umum"}},
		{name: "once after the lead", body: filler + "Angkutan umum tetap jalan.", want: false},
		{name: "twice after the lead", body: filler + "Angkutan umum mogok. Transportasi publik lumpuh.", want: true,
			terms: []string{"angkutan umum", "transportasi publik"}},
		{name: "with a strong alias", body: filler + "Trans Padang dan angkutan umum lain mogok.", want: true,
			terms: []string{"Trans Padang", "angkutan umum"}},
		{name: "excluded in its sentence", body: "Angkutan umum pelat kuning boleh membeli solar. " + filler, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := tax.Match(tt.title, tt.body, spans(tt.body))
			if got := len(ms) == 1; got != tt.want {
				t.Fatalf("matched %v, want %v (%+v)", got, tt.want, ms)
			}
			if tt.want && !slices.Equal(ms[0].Terms, tt.terms) {
				t.Errorf("terms %q, want %q", ms[0].Terms, tt.terms)
			}
		})
	}
}

func TestWeakAliasesDefault(t *testing.T) {
	body := "Mulai Desember, pembelian Pertalite wajib memakai QR code. Satu kode untuk satu kendaraan. " +
		"Pendaftaran dibantu petugas. Angkutan umum berpelat kuning tetap dapat membeli solar."
	tax := Default()
	for _, m := range tax.Match("", body, spans(body)) {
		if id := tax.Programmes()[m.Programme].ID; id == "transportasi_publik" {
			t.Errorf("a vehicle class named once in passing matched transportasi_publik: %+v", m)
		}
	}
	if got := ids(tax, "Warga Keluhkan Minimnya Angkutan Umum", "Warga mengeluh."); !slices.Contains(got, "transportasi_publik") {
		t.Errorf("angkutan umum in the title must match transportasi_publik: %v", got)
	}
}

// TestQueryNeeds checks the terms a query's nodes need, which let eval skip a node none of
// whose needed terms has a hit: an OR needs its kids' terms unless one of them is a NOT, an AND
// or NEAR its first kid's, and a NOT nothing.
func TestQueryNeeds(t *testing.T) {
	for _, tt := range []struct {
		query string
		needs string // the needed terms of the root, by text; "-" for none
	}{
		{"a OR b", "a b"},
		{"a OR NOT b", "-"},
		{"a AND NOT b", "a"},
		{"NOT b AND a", "-"},
		{"a NEAR/3 (b OR c)", "a"},
		{"(a OR b) NEAR/3 c", "a b"},
		{"(a AND NOT x) OR (b NEAR/2 c) OR d", "a b d"},
		{"(a OR NOT x) AND b", "-"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			q, err := parseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got := "-"
			if q.root.needs != nil {
				var ws []string
				for i, term := range q.terms {
					if q.root.needs[i/64]&(1<<(i%64)) != 0 {
						ws = append(ws, term.text)
					}
				}
				got = strings.Join(ws, " ")
			}
			if got != tt.needs {
				t.Errorf("needs %q, want %q", got, tt.needs)
			}
		})
	}
}
