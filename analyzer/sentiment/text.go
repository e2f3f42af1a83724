package sentiment

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/pantau-id/pantau/internal/asciiword"
)

// Token kinds.
const (
	kindWord  uint8 = iota
	kindComma       // clause break inside a sentence: , ; :
	kindStop        // sentence end: . ! ?
)

// token is one normalised word or punctuation mark; its bytes live in scratch.buf.
type token struct {
	s, e         int32   // normalised form
	stemS, stemE int32   // light stem; equal to s, e when the word has no affix
	kind         uint8   // kindWord, kindComma, kindStop
	punct        byte    // the mark for kindComma/kindStop
	neg          bool    // inside a negation scope
	negator      bool    // the word opens a negation scope
	flags        uint8   // the word's roles (wordFlag bits)
	w            float32 // clause and intensity weight
}

// Roles of a word in negation, intensity and contrast, looked up once per token.
const (
	flagNegator uint8 = 1 << iota
	flagContrast
	flagConcession
	flagIntensPre
	flagIntensPost
	flagLexicalHead // a key of lexicalAfter
)

// scratch holds the per-call buffers of Judge; pooled so that Judge does not allocate.
type scratch struct {
	buf   []byte
	toks  []token
	feats []feature
	grams [maxGrams]uint64 // the character n-gram hashes of one word (appendCharGrams)
}

// langRules holds the word lists that steer negation, intensity and contrast for one language.
type langRules struct {
	slang        map[string]string // informal spelling -> canonical word
	negators     map[string]bool
	intensPre    map[string]bool            // intensifier before its word ("sangat bagus")
	intensPost   map[string]bool            // intensifier after its word ("bagus banget")
	contrast     map[string]bool            // the clause after weighs more ("tapi", "namun")
	concession   map[string]bool            // the clause it opens weighs less ("meskipun")
	lexicalAfter map[string]map[string]bool // negator + next word that form a fixed, non-negating phrase
	poorNouns    map[string]bool            // nouns before "tidak mampu" meaning poverty
	english      bool
	charN        [2]int           // the shortest and longest character n-grams of a word
	flags        map[string]uint8 // each word's roles, from the sets above (see init)
	named        wordFilter       // the keys of slang and flags (see init)
}

func init() {
	for _, r := range []*langRules{rulesID, rulesEN} {
		r.flags = map[string]uint8{}
		for flag, set := range map[uint8]map[string]bool{flagNegator: r.negators, flagContrast: r.contrast,
			flagConcession: r.concession, flagIntensPre: r.intensPre, flagIntensPost: r.intensPost} {
			for w := range set {
				r.flags[w] |= flag
			}
		}
		for w := range r.lexicalAfter {
			r.flags[w] |= flagLexicalHead
		}
		for w := range r.flags {
			r.named.add(w)
		}
		for w := range r.slang {
			r.named.add(w)
		}
	}
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

var rulesID = &langRules{
	charN: [2]int{4, 5},
	slang: map[string]string{
		"gk": "tidak", "gak": "tidak", "ga": "tidak", "gx": "tidak", "nggak": "tidak", "ngga": "tidak",
		"ngak": "tidak", "enggak": "tidak", "engga": "tidak", "tdk": "tidak", "tak": "tidak", "ndak": "tidak",
		"nda": "tidak", "kagak": "tidak", "ora": "tidak", "g": "tidak", "gag": "tidak", "kaga": "tidak",
		"blm": "belum", "blum": "belum", "bkn": "bukan", "jgn": "jangan", "krg": "kurang", "kurg": "kurang",
		"bgt": "banget", "bngt": "banget", "bgd": "banget", "bangettt": "banget", "bener": "benar",
		"yg": "yang", "dgn": "dengan", "dg": "dengan", "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah",
		"krn": "karena", "krna": "karena", "karna": "karena", "tp": "tapi", "tpi": "tapi", "jg": "juga", "bs": "bisa",
		"bisa2": "bisa", "sy": "saya", "gw": "saya", "gue": "saya", "aku": "saya", "org": "orang", "skrg": "sekarang",
		"skr": "sekarang", "bnyk": "banyak", "byk": "banyak", "lbh": "lebih", "sm": "sama", "sma": "sama",
		"aja": "saja", "aj": "saja", "utk": "untuk", "untk": "untuk", "pd": "pada", "dr": "dari", "dri": "dari",
		"kalo": "kalau", "klo": "kalau", "kl": "kalau", "tdak": "tidak", "tida": "tidak", "msh": "masih",
		"trs": "terus", "trus": "terus", "emg": "memang", "emang": "memang", "mantab": "mantap", "mantul": "mantap",
		"bgs": "bagus", "bgus": "bagus", "enk": "enak", "pelayananya": "pelayanannya", "ok": "oke", "okey": "oke",
		"thx": "terima", "makasih": "terima", "mksh": "terima", "lg": "lagi", "lgi": "lagi", "tsb": "tersebut",
		"dlm": "dalam", "spt": "seperti", "kyk": "kayak", "kek": "kayak", "bangt": "banget",
	},
	negators:   set("tidak", "belum", "bukan", "kurang", "jangan", "tanpa", "bukanlah", "tidaklah", "takkan", "non"),
	intensPre:  set("sangat", "amat", "paling", "terlalu", "sungguh", "super", "begitu", "sangatlah", "makin", "semakin"),
	intensPost: set("banget", "sekali", "amat", "bener", "abis", "parah"),
	contrast:   set("tapi", "tetapi", "namun", "sayangnya", "sebaliknya"),
	concession: set("meski", "meskipun", "walaupun", "walau", "biarpun", "kendati", "kendatipun", "sekalipun"),
	lexicalAfter: map[string]map[string]bool{
		"kurang": set("lebih", "mampu"),
		"tidak":  set("hanya", "sedikit", "lain", "cuma", "kurang", "pernah"),
		"bukan":  set("hanya", "cuma", "saja", "main"),
		"belum":  set("lama"),
		"tanpa":  set("biaya", "dipungut", "bayar", "antre", "antri", "ribet", "kendala", "hambatan"),
		"jangan": set("ragu", "lupa", "lewatkan", "sampai", "khawatir"),
	},
	poorNouns: set("keluarga", "warga", "masyarakat", "orang", "siswa", "pasien", "penduduk", "rumah", "rakyat",
		"mahasiswa", "anak", "pelajar", "kalangan", "golongan", "lansia", "ekonomi", "kk", "rt"),
}

var rulesEN = &langRules{
	charN: [2]int{2, 5},
	slang: map[string]string{
		"dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't", "wasnt": "wasn't",
		"cant": "can't", "wont": "won't", "aint": "not", "nt": "not", "u": "you", "ur": "your", "gr8": "great",
		"thx": "thanks", "pls": "please", "plz": "please", "luv": "love", "gud": "good", "coz": "because",
		"cuz": "because", "tho": "though",
	},
	negators: set("not", "no", "never", "without", "nor", "neither", "hardly", "barely", "scarcely", "lack",
		"lacks", "lacking", "cannot", "nothing", "nobody", "none", "nowhere"),
	intensPre:  set("very", "really", "so", "extremely", "too", "absolutely", "totally", "incredibly", "super", "highly", "most", "truly", "quite", "terribly", "awfully", "utterly"),
	intensPost: set("indeed"),
	contrast:   set("but", "however", "yet", "unfortunately", "nevertheless", "nonetheless", "whereas", "except"),
	concession: set("although", "though", "despite", "while", "whilst", "albeit"),
	lexicalAfter: map[string]map[string]bool{
		"not":     set("only", "just", "bad"),
		"no":      set("doubt", "wonder", "problem", "problems", "worries"),
		"without": set("doubt", "charge", "fail", "delay", "delays", "problems", "hassle"),
		"never":   set("disappoints", "fails"),
	},
	english: true,
}

func rulesFor(lang string) *langRules {
	if lang == "en" {
		return rulesEN
	}
	return rulesID
}

// tokenize lower-cases text, splits it into words and clause marks, collapses letters repeated three
// or more times and maps informal spellings to canonical words. It reuses sc's buffers.
func tokenize(sc *scratch, text string, r *langRules) {
	sc.buf = sc.buf[:0]
	sc.toks = sc.toks[:0]
	start := -1
	flush := func() {
		if start < 0 {
			return
		}
		s, e := start, len(sc.buf)
		start = -1
		e = collapseRuns(sc.buf, s, e)
		sc.buf = sc.buf[:e]
		// Strip apostrophes at word edges.
		for s < e && sc.buf[s] == '\'' {
			s++
		}
		for e > s && sc.buf[e-1] == '\'' {
			e--
		}
		if s == e {
			sc.buf = sc.buf[:s]
			return
		}
		word := sc.buf[s:e]
		canon, ok := "", false
		if r.named.mayHold(word) {
			canon, ok = r.slang[string(word)]
		}
		if ok {
			sc.buf = append(sc.buf[:s], canon...)
			e = len(sc.buf)
		} else if r.english && len(word) > 3 && word[len(word)-3] == 'n' && word[len(word)-2] == '\'' && word[len(word)-1] == 't' {
			// "isn't" -> "is" "not"; "can't" -> "ca" "not" is harmless.
			sc.buf = sc.buf[:e-3]
			sc.toks = append(sc.toks, token{s: int32(s), e: int32(e - 3), stemS: int32(s), stemE: int32(e - 3), w: 1})
			ns := len(sc.buf)
			sc.buf = append(sc.buf, "not"...)
			s, e = ns, len(sc.buf)
		}
		sc.toks = append(sc.toks, token{s: int32(s), e: int32(e), stemS: int32(s), stemE: int32(e), w: 1})
	}
	for i := 0; i < len(text); {
		c := text[i]
		if asciiword.Lower[c] != 0 { // a run of ASCII letters and digits, lower-cased in a loop of its own
			if start < 0 {
				start = len(sc.buf)
			}
			buf := slices.Grow(sc.buf, len(text)-i)
			n := len(buf)
			buf = buf[:cap(buf)]
			for ; i < len(text); i++ {
				l := asciiword.Lower[text[i]]
				if l == 0 {
					break
				}
				buf[n] = l
				n++
			}
			sc.buf = buf[:n]
			continue
		}
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\'' && start >= 0 && r.english:
				sc.buf = append(sc.buf, c)
			default:
				flush()
				switch c {
				case '.', '!', '?', '\n':
					if c == '\n' {
						c = '.'
					}
					if n := len(sc.toks); n > 0 && sc.toks[n-1].kind == kindStop {
						if c != '.' {
							sc.toks[n-1].punct = c
						}
						continue
					}
					sc.toks = append(sc.toks, token{kind: kindStop, punct: c})
				case ',', ';', ':', '(', ')':
					if n := len(sc.toks); n > 0 && sc.toks[n-1].kind != kindWord {
						continue
					}
					sc.toks = append(sc.toks, token{kind: kindComma, punct: ','})
				}
			}
			continue
		}
		ru, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if ru == '\u2019' && start >= 0 && r.english {
			sc.buf = append(sc.buf, '\'')
			continue
		}
		if unicode.IsLetter(ru) || unicode.IsDigit(ru) {
			if start < 0 {
				start = len(sc.buf)
			}
			sc.buf = utf8.AppendRune(sc.buf, unicode.ToLower(ru))
			continue
		}
		flush()
	}
	flush()
}

// collapseRuns rewrites buf[s:e] so that a letter repeated three or more times appears once
// ("bagusss" -> "bagus") and returns the new end.
func collapseRuns(buf []byte, s, e int) int {
	if !hasRun3(buf[s:e]) {
		return e // most words: nothing to collapse, nothing to rewrite
	}
	w := s
	for i := s; i < e; {
		j := i + 1
		for j < e && buf[j] == buf[i] {
			j++
		}
		n := j - i
		if n >= 3 && buf[i] > '9' {
			n = 1
		}
		for k := 0; k < n; k++ {
			buf[w] = buf[i]
			w++
		}
		i = j
	}
	return w
}

// hasRun3 reports whether some byte of b is repeated three times in a row.
func hasRun3(b []byte) bool {
	for i := 2; i < len(b); i++ {
		if b[i] == b[i-1] && b[i] == b[i-2] {
			return true
		}
	}
	return false
}

func (sc *scratch) word(t *token) []byte { return sc.buf[t.s:t.e] }
func (sc *scratch) stem(t *token) []byte { return sc.buf[t.stemS:t.stemE] }

// annotate marks fixed phrases, negation scopes, intensifiers and clause weights, and computes stems.
func annotate(sc *scratch, r *langRules) {
	toks := sc.toks
	for i := range toks {
		if toks[i].kind == kindWord {
			if w := sc.word(&toks[i]); r.named.mayHold(w) {
				toks[i].flags = r.flags[string(w)]
			}
		}
	}
	// Fixed phrases where a negator is lexical ("kurang mampu", "tidak hanya"): merge into one word.
	for i := 0; i+1 < len(toks); i++ {
		a, b := &toks[i], &toks[i+1]
		if a.kind != kindWord || b.kind != kindWord || a.flags&flagLexicalHead == 0 {
			continue
		}
		aw := sc.word(a)
		poverty := !r.english && string(aw) == "tidak" && string(sc.word(b)) == "mampu" && i > 0 &&
			toks[i-1].kind == kindWord && r.poorNouns[string(sc.word(&toks[i-1]))]
		if !poverty && !r.lexicalAfter[string(aw)][string(sc.word(b))] {
			continue
		}
		ns := len(sc.buf)
		sc.buf = append(sc.buf, aw...)
		sc.buf = append(sc.buf, '_')
		sc.buf = append(sc.buf, sc.word(b)...)
		a.s, a.e = int32(ns), int32(len(sc.buf))
		a.flags = 0 // no merged phrase has a role
		copy(toks[i+1:], toks[i+2:])
		toks = toks[:len(toks)-1]
	}
	// "kurang mampu" also keeps its poverty sense after a poverty noun when spelled "tidak mampu";
	// the merged forms are unified so the model sees one feature.
	for i := range toks {
		t := &toks[i]
		if t.kind != kindWord {
			continue
		}
		if string(sc.word(t)) == "tidak_mampu" {
			ns := len(sc.buf)
			sc.buf = append(sc.buf, "kurang_mampu"...)
			t.s, t.e = int32(ns), int32(len(sc.buf))
		}
		t.negator = t.flags&flagNegator != 0
		stemWord(sc, t, r)
	}
	// Negation scope: up to three words after a negator, ended by punctuation or a contrast word.
	for i := 0; i < len(toks); i++ {
		if !toks[i].negator {
			continue
		}
		n := 0
		for j := i + 1; j < len(toks) && n < 3; j++ {
			t := &toks[j]
			if t.kind != kindWord || t.flags&(flagContrast|flagConcession|flagNegator) != 0 {
				break
			}
			t.neg = true
			n++
		}
	}
	// Intensifiers raise the weight of their neighbour.
	for i := range toks {
		if toks[i].kind != kindWord {
			continue
		}
		f := toks[i].flags
		if f&flagIntensPre != 0 && i+1 < len(toks) && toks[i+1].kind == kindWord {
			k := i + 1
			if toks[k].negator && k+1 < len(toks) && toks[k+1].kind == kindWord {
				k++
			}
			toks[k].w *= 1.5
		}
		if f&flagIntensPost != 0 && i > 0 && toks[i-1].kind == kindWord {
			toks[i-1].w *= 1.5
		}
	}
	// Clause weights, sentence by sentence.
	for s := 0; s < len(toks); {
		e := s
		for e < len(toks) && toks[e].kind != kindStop {
			e++
		}
		clauseWeights(toks[s:e])
		s = e + 1
	}
	sc.toks = toks
}

const (
	weightMain = 1.4
	weightSide = 0.6
)

// clauseWeights lowers the clause before "tapi"/"namun" and the clause opened by "meskipun", and
// raises the clause that carries the point of the sentence.
func clauseWeights(sent []token) {
	for i := range sent {
		if sent[i].kind != kindWord {
			continue
		}
		f := sent[i].flags
		switch {
		case f&flagContrast != 0 && i > 0:
			for k := 0; k < i; k++ {
				sent[k].w *= weightSide
			}
			for k := i + 1; k < len(sent); k++ {
				sent[k].w *= weightMain
			}
			return
		case f&flagConcession != 0:
			// "Meskipun X, Y": X weighs less, Y more. "Y meskipun X": the same, with Y first.
			end := len(sent)
			for k := i + 1; k < len(sent); k++ {
				if sent[k].kind == kindComma {
					end = k
					break
				}
			}
			for k := i + 1; k < end; k++ {
				sent[k].w *= weightSide
			}
			for k := 0; k < i; k++ {
				sent[k].w *= weightMain
			}
			for k := end; k < len(sent); k++ {
				sent[k].w *= weightMain
			}
			return
		}
	}
}

// The suffixes stemWord cuts, in the order it tries them, by their last letter.
var (
	englishSuffixes     = [256][]string{'g': {"ing"}, 'd': {"ed"}, 'y': {"ly"}, 's': {"es", "s"}}
	indonesianParticles = [256][]string{'a': {"nya"}, 'h': {"lah", "kah"}, 'n': {"pun"}, 'u': {"ku", "mu"}}
)

// stemWord sets a light stem by stripping common affixes; the stem is an extra feature only,
// so a wrong cut costs little.
func stemWord(sc *scratch, t *token, r *langRules) {
	w := sc.word(t)
	s, e := int(t.s), int(t.e)
	t.stemS, t.stemE = t.s, t.e
	if len(w) < 5 || !r.english && len(w) < 6 {
		return // too short for any affix below to be cut
	}
	// Only the suffixes ending with the word's last letter are tried: most words end otherwise,
	// and are passed over with one look-up instead of a loop.
	if r.english {
		for _, suf := range englishSuffixes[w[len(w)-1]] {
			if len(w) >= len(suf)+4 && string(w[len(w)-len(suf):]) == suf {
				e -= len(suf)
				break
			}
		}
		t.stemS, t.stemE = int32(s), int32(e)
		return
	}
	for _, suf := range indonesianParticles[sc.buf[e-1]] {
		if e-s >= len(suf)+4 && string(sc.buf[e-len(suf):e]) == suf {
			e -= len(suf)
			break
		}
	}
	if sc.buf[e-1] == 'n' {
		for _, suf := range [...]string{"kan", "an"} {
			if e-s >= len(suf)+4 && string(sc.buf[e-len(suf):e]) == suf {
				e -= len(suf)
				break
			}
		}
	}
	b := sc.buf[s:e]
	isVowel := func(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }
	switch {
	case len(b) >= 6 && (string(b[:4]) == "meny" || string(b[:4]) == "peny") && isVowel(b[4]):
		// "menyenangkan" -> "senang": the nasal replaced an initial s.
		ns := len(sc.buf)
		sc.buf = append(sc.buf, 's')
		sc.buf = append(sc.buf, sc.buf[s+4:e]...)
		t.stemS, t.stemE = int32(ns), int32(len(sc.buf))
		return
	case len(b) >= 7 && (string(b[:4]) == "meng" || string(b[:4]) == "peng"):
		s += 4
	case len(b) >= 6 && (string(b[:3]) == "mem" || string(b[:3]) == "pem") && (b[3] == 'b' || b[3] == 'p'):
		s += 3
	case len(b) >= 6 && (string(b[:3]) == "men" || string(b[:3]) == "pen") && (b[3] == 'd' || b[3] == 't' || b[3] == 'c' || b[3] == 'j'):
		s += 3
	case len(b) >= 6 && (string(b[:3]) == "ber" || string(b[:3]) == "ter" || string(b[:3]) == "per"):
		s += 3
	case len(b) >= 6 && (string(b[:2]) == "di" || string(b[:2]) == "ke" || string(b[:2]) == "se") && !isVowel(b[2]):
		s += 2
	case len(b) >= 6 && (string(b[:2]) == "me" || string(b[:2]) == "pe") && !isVowel(b[2]):
		s += 2
	}
	t.stemS, t.stemE = int32(s), int32(e)
}
