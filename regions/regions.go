// Package regions finds the Indonesian provinces and regencies/cities a text is about.
//
// The gazetteer is idn-area-data 4.0.1 (npm, data under the Open Database License; see data/ and
// NOTICE): 38 provinces and 514 regencies and cities with their Kemendagri codes ("13" is Sumatera
// Barat, "13.71" Kota Padang). A text names a place in one of these ways, tried longest first:
//
//   - with its kind: "Kota Padang", "Kabupaten Lombok Barat", "Kab. Bogor", "Pemkot Padang",
//     "Pemkab Bogor", "Wali Kota Malang", "Bupati Garut", "Provinsi Jawa Barat", "Pemprov Sumbar";
//   - a province by name or by its usual short form: "Jawa Barat", "Jabar", "Sumbar", "NTB", "DIY";
//   - a regency or city by its bare name, written with capitals ("Padang", "Lombok Barat").
//
// A bare name counts only when it is safe: a name that is also a common word ("Malang", "Batang",
// "Tegal", "Batu") needs its kind; a name shared by a city and a regency of one province
// ("Bogor", "Bekasi") counts for the province only; a name shared by two provinces ("Banjar") counts
// only when one of those provinces is named in the same text. A regency or city always implies its
// province.
package regions

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pantau-id/pantau/internal/asciiword"
)

// Level says whether a region is a province or a regency/city.
type Level uint8

const (
	Province Level = iota + 1
	Regency        // a kabupaten or a kota
)

// Region is one province, regency or city.
type Region struct {
	Code     string // Kemendagri code: "13" for a province, "13.71" for a regency or city
	Name     string // as the gazetteer writes it: "Sumatera Barat", "Kota Padang"
	Level    Level
	Province string // the province's code (its own code for a province)
	city     bool   // a kota, not a kabupaten
}

// Found is a region a text is about: how often it is named (a regency's mentions also count for
// its province) and where it is first named.
type Found struct {
	Region
	Count int
	First int // byte offset of the first naming phrase
}

//go:embed data/provinces.csv
var provincesCSV []byte

//go:embed data/regencies.csv
var regenciesCSV []byte

// provinceShort are the short forms the press uses for provinces, by province code.
var provinceShort = map[string][]string{
	"11": {"NAD", "Nanggroe Aceh Darussalam"},
	"12": {"Sumut"}, "13": {"Sumbar"}, "16": {"Sumsel"},
	"19": {"Babel", "Bangka Belitung"}, "21": {"Kepri"},
	"31": {"DKI", "DKI Jakarta", "Jakarta"},
	"32": {"Jabar"}, "33": {"Jateng"}, "34": {"DIY", "Yogyakarta", "Jogja", "Jogjakarta"},
	"35": {"Jatim"}, "52": {"NTB"}, "53": {"NTT"},
	"61": {"Kalbar"}, "62": {"Kalteng"}, "63": {"Kalsel"}, "64": {"Kaltim"}, "65": {"Kaltara"},
	"71": {"Sulut"}, "72": {"Sulteng"}, "73": {"Sulsel"}, "74": {"Sultra"}, "76": {"Sulbar"},
	"82": {"Malut"}, "92": {"Pabar"}, "96": {"PBD"},
}

// regencyAliases are other names the press uses for regencies and cities, by code.
var regencyAliases = map[string][]string{
	"34.71": {"Jogja", "Yogya", "Jogjakarta"}, // Kota Yogyakarta: "Kota Jogja"
	"36.74": {"Tangsel"},                      // Kota Tangerang Selatan
}

// commonWords are bare names that are also ordinary Indonesian words or frequent personal names:
// they count only with their kind ("Kota Malang", "Kabupaten Batang").
var commonWords = map[string]bool{
	"malang": true, "batang": true, "tegal": true, "banjar": true, "batu": true, "bone": true,
	"pati": true, "kudus": true, "buru": true, "kuningan": true, "lingga": true, "lahat": true,
	"bima": true, "karo": true, "kota baru": true, "lebak": true, "landak": true, "metro": true,
	"agam": true, "muna": true, "siak": true, "alor": true, "ende": true, "luwu": true,
}

// phrase kinds, as the gazetteer indexes them.
const (
	bareRegency = iota
	bareProvince
)

type entry struct {
	region *Region
	kind   int
}

// Gazetteer indexes the regions by the word sequences that name them.
type Gazetteer struct {
	byCode   map[string]*Region
	names    map[string][]entry   // lower-case words joined by one space -> regions
	first    map[string]firstWord // the first words of names and kind words
	firstBit []uint64             // a bit per wordHash of those first words, to skip other words fast
}

var (
	defaultOnce sync.Once
	defaultGaz  *Gazetteer
	defaultErr  error
)

// Default returns the gazetteer of the embedded idn-area-data tables.
func Default() *Gazetteer {
	defaultOnce.Do(func() { defaultGaz, defaultErr = New(provincesCSV, regenciesCSV) })
	if defaultErr != nil {
		panic("regions: embedded gazetteer: " + defaultErr.Error()) // a broken build, not bad input
	}
	return defaultGaz
}

// New builds a gazetteer from idn-area-data's provinces.csv (code,name) and regencies.csv
// (code,province_code,name).
func New(provinces, regencies []byte) (*Gazetteer, error) {
	g := &Gazetteer{byCode: map[string]*Region{}, names: map[string][]entry{}, first: map[string]firstWord{},
		firstBit: make([]uint64, hashBits/64)}
	for w := range kindWords {
		g.addFirst(strings.Fields(w)[0], 0)
	}
	prov, err := readCSV("provinces.csv", provinces, []string{"code", "name"})
	if err != nil {
		return nil, err
	}
	for _, r := range prov {
		p := &Region{Code: r[0], Name: r[1], Level: Province, Province: r[0]}
		g.byCode[p.Code] = p
		// "Daerah Khusus Ibukota Jakarta" and "Daerah Istimewa Yogyakarta" are found by their
		// last word: "daerah" (region) is too common a word to start a lookup at.
		if !strings.HasPrefix(r[1], "Daerah ") {
			g.index(r[1], p, bareProvince)
		}
		for _, s := range provinceShort[p.Code] {
			g.index(s, p, bareProvince)
		}
	}
	reg, err := readCSV("regencies.csv", regencies, []string{"code", "province_code", "name"})
	if err != nil {
		return nil, err
	}
	for i, r := range reg {
		if g.byCode[r[1]] == nil {
			return nil, fmt.Errorf("regencies.csv: line %d: %s names unknown province %q", i+2, r[0], r[1])
		}
		name, city := bareName(r[2])
		rr := &Region{Code: r[0], Name: r[2], Level: Regency, Province: r[1], city: city}
		g.byCode[rr.Code] = rr
		g.index(name, rr, bareRegency)
		if words := lowerWords(name); len(words) == 2 { // "Kulon Progo" is also written "Kulonprogo"
			g.index(words[0]+words[1], rr, bareRegency)
		}
		for _, alias := range regencyAliases[rr.Code] {
			g.index(alias, rr, bareRegency)
		}
	}
	return g, nil
}

func readCSV(file string, data []byte, header []string) ([][]string, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], header) {
		return nil, fmt.Errorf("%s: header is not %s", file, strings.Join(header, ","))
	}
	return recs[1:], nil
}

// bareName strips the kind from a gazetteer name: "Kota Administrasi Jakarta Selatan" ->
// "Jakarta Selatan", city.
func bareName(name string) (string, bool) {
	for _, p := range []struct {
		prefix string
		city   bool
	}{{"Kota Administrasi ", true}, {"Kabupaten Administrasi ", false}, {"Kota ", true}, {"Kabupaten ", false}} {
		if rest, ok := strings.CutPrefix(name, p.prefix); ok {
			return rest, p.city
		}
	}
	return name, false
}

func (g *Gazetteer) index(name string, r *Region, kind int) {
	words := lowerWords(name)
	key := strings.Join(words, " ")
	e := entry{r, kind}
	if slices.Contains(g.names[key], e) {
		return
	}
	if kind == bareProvince { // a province's name is tried first
		g.names[key] = append([]entry{e}, g.names[key]...)
	} else {
		g.names[key] = append(g.names[key], e)
	}
	g.addFirst(words[0], len(words))
}

// firstWord is what a word may begin.
type firstWord struct {
	longest int  // the words of the longest name it begins (0: it begins none)
	kind    bool // it begins a kind word
}

// addFirst notes w as the first word of a name of n words (0 for a kind word).
func (g *Gazetteer) addFirst(w string, n int) {
	f := g.first[w]
	f.longest = max(f.longest, n)
	f.kind = f.kind || n == 0
	g.first[w] = f
	if h, ok := wordHash(w); ok {
		g.firstBit[h/64] |= 1 << (h % 64)
	}
}

// hashBits is the size of the first-word bit set: with about 600 first words, few other words
// share a bit.
const hashBits = 1 << 16

// wordHash returns a hash in [0, hashBits) of an ASCII word, case ignored (FNV-1a), or false
// for a word with other letters: those are looked up in the map.
func wordHash(w string) (uint32, bool) {
	h := fnvOffset
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return 0, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = fnvStep(h, c)
	}
	return fnvBucket(h), true
}

// The steps of wordHash, which the scanner also takes as it reads a word.
const fnvOffset = uint32(2166136261)

// fnvStep hashes one more byte c, already lower-cased.
func fnvStep(h uint32, c byte) uint32 { return (h ^ uint32(c)) * 16777619 }

func fnvBucket(h uint32) uint32 { return (h ^ h>>16) % hashBits }

// Lookup returns the region with a Kemendagri code.
func (g *Gazetteer) Lookup(code string) (Region, bool) {
	if r := g.byCode[code]; r != nil {
		return *r, true
	}
	return Region{}, false
}

// Resolve returns the region a configured name means: a code ("13.71"), a gazetteer name
// ("Kota Padang", "Sumatera Barat"), a name with its kind ("Kabupaten Bogor", "Provinsi Jawa
// Barat"), a bare name of one region ("Padang") or a province's short form ("Sumbar"). A bare name
// shared by several regions ("Bogor") is refused with the candidates.
func (g *Gazetteer) Resolve(name string) (Region, error) {
	if r, ok := g.Lookup(strings.TrimSpace(name)); ok {
		return r, nil
	}
	if cs := g.names[strings.Join(lowerWords(name), " ")]; len(cs) > 1 {
		var names []string
		for _, c := range cs {
			names = append(names, c.region.Name+" ("+c.region.Code+")")
		}
		return Region{}, fmt.Errorf("region %q is ambiguous: %s; name one", name, strings.Join(names, ", "))
	}
	sc := newScanner(name)
	defer scanners.Put(sc)
	if n, kind := sc.kindAt(0); n > 0 {
		if r, used := g.named(sc, n, kind); r != nil && n+used == len(sc.toks) {
			return *r, nil
		}
	}
	if es, used := g.longest(sc, 0); used > 0 && used == len(sc.toks) && len(es) == 1 {
		return *es[0].region, nil
	}
	return Region{}, fmt.Errorf("region %q is not an Indonesian province, regency or city (idn-area-data)", name)
}

// Find returns the regions text is about, most named first (ties: first named first).
func (g *Gazetteer) Find(text string) []Found { return g.Count(g.Scan(text)) }

// Hit is one naming of a region in a text.
type Hit struct {
	Region *Region // the gazetteer's own: read it, never change it
	At     int     // byte offset of the naming phrase
}

// Scan returns every naming of a region in text, in order (a bare name shared by two provinces
// resolved by the provinces the whole text names). Count turns hits into regions.
func (g *Gazetteer) Scan(text string) []Hit {
	sc := newScanner(text)
	defer scanners.Put(sc)
	toks := sc.toks
	hits := make([]Hit, 0, 8) // room for the few regions most texts name
	var shared []Hit          // bare names shared by two provinces, resolved once all provinces are known
	var sharedEntries [][]entry
	for i := 0; i < len(toks); {
		if h := toks[i].hash; toks[i].ascii && g.firstBit[h/64]&(1<<(h%64)) == 0 {
			i++
			continue
		}
		first, ok := g.first[string(sc.key(i, i+1))]
		if !ok {
			i++
			continue
		}
		// A kind word (one or two tokens) followed by a name of that kind.
		if first.kind {
			if n, kind := sc.kindAt(i); n > 0 {
				if r, used := g.named(sc, i+n, kind); r != nil {
					hits = append(hits, Hit{r, toks[i].s})
					i += n + used
					continue
				}
			}
		}
		es, used := g.longestOf(sc, i, min(first.longest, len(toks)-i))
		if used == 0 {
			i++
			continue
		}
		at, capital := toks[i].s, true
		for _, t := range toks[i : i+used] {
			capital = capital && t.upper
		}
		common := commonWords[string(sc.key(i, i+used))]
		i += used
		if !capital {
			continue
		}
		r := g.resolveBare(es)
		switch {
		case common && es[0].kind == bareRegency:
			// a common word needs its kind
		case r == nil:
			shared = append(shared, Hit{nil, at})
			sharedEntries = append(sharedEntries, es)
		default:
			hits = append(hits, Hit{r, at})
		}
	}
	if len(shared) == 0 {
		return hits
	}
	provinces := map[string]bool{}
	for _, h := range hits {
		provinces[h.Region.Province] = true
	}
	for k, h := range shared {
		if r := sharedPick(sharedEntries[k], provinces); r != nil {
			hits = append(hits, Hit{r, h.At})
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int { return a.At - b.At })
	return hits
}

// token is a word of the scanned text: a maximal run of letters and digits.
type token struct {
	s, e  int    // byte span in the text
	upper bool   // starts with a capital letter or a digit
	ascii bool   // all its letters are ASCII
	hash  uint32 // its wordHash, when ascii
}

// scanner holds a text's tokens and a buffer for the lower-case keys looked up in the gazetteer's
// maps (indexing a map with string(bytes) does not allocate).
type scanner struct {
	text string
	toks []token
	buf  []byte
}

var scanners = sync.Pool{New: func() any { return new(scanner) }}

// newScanner returns a pooled scanner of text; Put it back when done. It reads each word once,
// taking the steps of wordHash as it goes.
func newScanner(text string) *scanner {
	sc := scanners.Get().(*scanner)
	sc.text = text
	toks := sc.toks[:0] // in a local, which the loop keeps in registers
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf && asciiword.Lower[c] == 0 {
			i++ // an ASCII separator, passed over before any word is begun
			continue
		}
		start, h := i, fnvOffset
		for i < len(text) {
			c := asciiword.Lower[text[i]]
			if c == 0 {
				break
			}
			h = fnvStep(h, c)
			i++
		}
		ascii := true
		if i < len(text) && text[i] >= utf8.RuneSelf {
			if end := wordEnd(text, i); end > i { // a letter beyond ASCII
				i, ascii = end, false
			}
		}
		if i > start {
			upper := text[start] < 'a' || text[start] > 'z' // a capital, a digit or a non-ASCII letter
			if text[start] >= utf8.RuneSelf {
				upper = !startsLower(text[start:])
			}
			toks = append(toks, token{s: start, e: i, upper: upper, ascii: ascii, hash: fnvBucket(h)})
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:]) // a separator beyond ASCII
		i += size
	}
	sc.toks = toks
	return sc
}

// startsLower reports whether s starts with a lower-case letter.
func startsLower(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(first)
}

// wordEnd returns the end of the run of letters and digits at text[i:] (i when there is none).
func wordEnd(text string, i int) int {
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiword.Lower[c] == 0 {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return i
		}
		i += size
	}
	return i
}

// key returns the lower-case words of tokens a..b-1 joined by single spaces, in sc.buf (valid
// until the next call); an empty key when the tokens run past the text.
func (sc *scanner) key(a, b int) []byte {
	buf := sc.buf[:0] // in a local, which the loop keeps in registers
	if b > len(sc.toks) {
		return buf
	}
	for i := a; i < b; i++ {
		if i > a {
			buf = append(buf, ' ')
		}
		w := sc.text[sc.toks[i].s:sc.toks[i].e]
		for j := 0; j < len(w); {
			c := w[j]
			if c < utf8.RuneSelf {
				buf = append(buf, asciiword.Lower[c]) // a token's ASCII bytes are letters and digits
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(w[j:])
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
			j += size
		}
	}
	sc.buf = buf
	return buf
}

// kind is what a kind word says the following name is.
type kind uint8

const (
	kindCity kind = iota + 1
	kindRegency
	kindProvince
)

var kindWords = func() map[string]kind {
	m := map[string]kind{}
	for k, words := range map[kind][]string{
		kindCity:     {"kota", "pemkot", "walikota", "wali kota", "kotamadya", "pemerintah kota"},
		kindRegency:  {"kabupaten", "kab", "pemkab", "bupati", "pemerintah kabupaten"},
		kindProvince: {"provinsi", "prov", "pemprov", "gubernur", "pemerintah provinsi"},
	} {
		for _, w := range words {
			m[w] = k
		}
	}
	return m
}()

// kindAt returns how many tokens at i form a kind word, and its kind.
func (sc *scanner) kindAt(i int) (int, kind) {
	if k := kindWords[string(sc.key(i, i+2))]; k != 0 {
		return 2, k
	}
	if k := kindWords[string(sc.key(i, i+1))]; k != 0 {
		return 1, k
	}
	return 0, 0
}

// named returns the region of kind k whose name starts at token i, longest name first.
func (g *Gazetteer) named(sc *scanner, i int, k kind) (*Region, int) {
	for n := g.longestAt(sc, i); n >= 1; n-- {
		for _, e := range g.names[string(sc.key(i, i+n))] {
			r := e.region
			switch {
			case k == kindProvince && r.Level == Province,
				k == kindCity && r.Level == Regency && r.city,
				k == kindRegency && r.Level == Regency && !r.city:
				return r, n
			}
		}
	}
	return nil, 0
}

// longestAt returns the most words a name starting at token i can have: no name is looked up
// that cannot be there.
func (g *Gazetteer) longestAt(sc *scanner, i int) int {
	if i >= len(sc.toks) {
		return 0
	}
	return min(g.first[string(sc.key(i, i+1))].longest, len(sc.toks)-i)
}

// longest returns the entries of the longest name starting at token i.
func (g *Gazetteer) longest(sc *scanner, i int) ([]entry, int) {
	return g.longestOf(sc, i, g.longestAt(sc, i))
}

// longestOf returns the entries of the longest name of at most most words starting at token i.
func (g *Gazetteer) longestOf(sc *scanner, i, most int) ([]entry, int) {
	for n := most; n >= 1; n-- {
		if es := g.names[string(sc.key(i, i+n))]; len(es) > 0 {
			return es, n
		}
	}
	return nil, 0
}

// resolveBare picks the region a bare name means: a province's name or short form wins; the name
// of one regency is that regency; a city and a regency of one province ("Bogor") count for the
// province. It returns nil for a name shared by several provinces.
func (g *Gazetteer) resolveBare(es []entry) *Region {
	for _, e := range es {
		if e.kind == bareProvince {
			return e.region
		}
	}
	if len(es) == 1 {
		return es[0].region
	}
	for _, e := range es[1:] {
		if e.region.Province != es[0].region.Province {
			return nil
		}
	}
	return g.byCode[es[0].region.Province]
}

// sharedPick resolves a bare name shared by several provinces by the one province of them that
// the text names elsewhere.
func sharedPick(es []entry, provinces map[string]bool) *Region {
	var pick *Region
	for _, e := range es {
		if provinces[e.region.Province] {
			if pick != nil && pick.Province != e.region.Province {
				return nil
			}
			pick = e.region
		}
	}
	return pick
}

// Count merges hits into regions, most named first (ties: first named first); a regency's hits
// also count for its province.
func (g *Gazetteer) Count(hits []Hit) []Found {
	if len(hits) == 0 {
		return nil
	}
	// Most texts name a few regions, found again by a linear search; a map of the codes is made
	// only for a text that names many, so that Count stays linear in the hits.
	const searched = 16
	var idx map[string]int
	out := make([]Found, 0, 4)
	add := func(r *Region, at int) {
		k := -1
		if idx != nil {
			if i, ok := idx[r.Code]; ok {
				k = i
			}
		} else {
			for i := range out {
				if out[i].Code == r.Code {
					k = i
					break
				}
			}
		}
		if k >= 0 {
			out[k].Count++
			return
		}
		out = append(out, Found{Region: *r, Count: 1, First: at})
		if len(out) == searched {
			idx = make(map[string]int, 2*searched)
			for i, f := range out {
				idx[f.Code] = i
			}
		} else if idx != nil {
			idx[r.Code] = len(out) - 1
		}
	}
	for _, h := range hits {
		add(h.Region, h.At)
		if h.Region.Level == Regency {
			add(g.byCode[h.Region.Province], h.At)
		}
	}
	slices.SortStableFunc(out, func(a, b Found) int { return cmp.Or(b.Count-a.Count, a.First-b.First) })
	return out
}

// lowerWords returns the lower-case words of name.
func lowerWords(name string) []string {
	sc := newScanner(name)
	defer scanners.Put(sc)
	out := make([]string, len(sc.toks))
	for i := range sc.toks {
		out[i] = string(sc.key(i, i+1))
	}
	return out
}

// IsCode reports whether s has the form of a Kemendagri code of a province ("13") or of a
// regency or city ("13.71"), whether or not such a region exists.
func IsCode(s string) bool {
	digits := func(s string) bool { return len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' }
	p, r, dot := strings.Cut(s, ".")
	return digits(p) && (!dot || digits(r))
}
