package analyzer

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// problemCues are criticism cues that name a state a repair or a resolution ends: damage,
// breakdown, dirt, shortage. A repair frame in the same clause cancels them (see stance).
var problemCues = newPhraseSet(
	"rusak", "rusak parah", "kerusakan", "berlubang", "mangkrak", "terbengkalai", "menumpuk",
	"tidak berfungsi", "tak berfungsi", "tidak beroperasi", "mati", "padam", "pemadaman", "tidak mengalir",
	"tak mengalir", "gangguan", "terganggu", "macet", "tersendat", "mampet", "tersumbat", "bau", "menyengat",
	"kumuh", "jorok", "buruk", "parah", "semrawut", "terlantar",
	"kosong", "habis", "langka", "kelangkaan", "kehabisan", "kekurangan", "terbatas", "keterbatasan",
	"broken", "damaged", "outage", "outages", "shortage", "shortages",
)

// criticismCues are the other words and phrases that put a programme's delivery in a bad light:
// complaints, protests, queues, delays, neglect, abuse, failures admitted. No repair cancels them.
var criticismCues = newPhraseSet(
	// Complaints and protests.
	"keluhan", "mengeluh", "mengeluhkan", "dikeluhkan", "keluhkan", "protes", "memprotes", "diprotes",
	"demo", "demonstrasi", "unjuk rasa", "berunjuk rasa", "kecewa", "kekecewaan", "mengecewakan",
	"kritik", "kritikan", "mengkritik", "dikritik", "kritisi", "mengkritisi", "menyoroti", "disorot", "sorotan",
	"menuntut", "tuntutan", "mendesak", "desakan", "menyesalkan", "geram", "kesal", "resah", "meresahkan",
	"ombudsman", "maladministrasi",
	// Queues and delays.
	"antre", "antrean", "antri", "antrian", "mengantre", "mengantri", "antrean panjang",
	"sulit didapat", "tidak kebagian", "tak kebagian", "belum menerima", "belum cair", "tidak cair", "terlambat", "keterlambatan",
	"tertunda", "molor", "lambat", "lamban", "berbelit", "berbelit belit", "ribet", "dipersulit",
	// Neglect: a repair that has not come.
	"dibiarkan", "belum diperbaiki", "tak kunjung", "tidak kunjung", "belum juga",
	// Abuse and failure.
	"pungli", "pungutan liar", "korupsi", "dikorupsi", "penyelewengan", "diselewengkan", "penyimpangan",
	"fiktif", "salah sasaran", "tidak tepat sasaran", "tak tepat sasaran", "gagal", "kegagalan", "keracunan",
	"diracun", "bermasalah", "masalah", "permasalahan", "persoalan", "kesalahan", "kendala", "terkendala",
	"mahal", "membengkak", "ditolak", "dicoret", "dinonaktifkan", "nonaktif", "error",
	// English.
	"complaint", "complaints", "complain", "complained", "protest", "protests", "protested", "criticism",
	"criticised", "criticized", "queue", "queues", "delay", "delays", "delayed",
	"failed", "failure", "corruption", "poisoning", "neglected",
	"abandoned", "backlog", "problems", "frustrated", "angry",
)

// serviceCompounds name a service feature with a criticism cue word in it ("sistem antrean
// daring", "nomor antrean"); a cue inside one does not count.
var serviceCompounds = newPhraseSet(
	"sistem antrean", "sistem antrian", "antrean daring", "antrian daring", "antrean online", "antrian online",
	"nomor antrean", "nomor antrian", "aplikasi antrean", "aplikasi antrian", "antrean digital",
	"antrian digital", "mesin antrean", "mesin antrian", "queue system", "online queue",
)

// repairCues name a repair or its completion. Not negated ("belum diperbaiki") and not asked for
// (requestCues before it), a repair cue in a clause cancels the problemCues of that clause: "perbaikan
// jalan yang telah rusak" reports the repair, not the damage. Unless announced for later
// (futureCues before it), the repair is also an improvement of the service.
var repairCues = newPhraseSet(
	"perbaikan", "diperbaiki", "memperbaiki", "dibenahi", "membenahi", "pembenahan", "rampung", "dirampungkan",
	"selesai diperbaiki", "selesai dibangun", "selesai dikerjakan", "telah selesai", "sudah selesai", "tuntas",
	"dituntaskan", "teratasi", "diatasi", "mengatasi", "ditangani", "direhabilitasi", "rehabilitasi",
	"direnovasi", "renovasi", "diaspal", "pengaspalan", "ditambal", "penambalan", "dicor", "pengecoran",
	"diganti", "penggantian", "dibersihkan", "membersihkan", "diangkut", "pengangkutan", "dinormalisasi",
	"normalisasi", "kembali normal", "normal kembali", "pulih", "dipulihkan", "kembali menyala",
	"menyala kembali", "kembali mengalir", "mengalir kembali", "kembali tersedia", "sudah tersedia",
	"repaired", "fixed", "restored", "resolved", "renovated", "completed", "cleaned up",
)

// resolvedCues declare a problem gone ("tumpukan sampah tak terlihat lagi", "tidak ada lagi
// keluhan", "kini bersih"). They cancel every criticism cue of their clause and are an improvement.
var resolvedCues = newPhraseSet(
	"tak terlihat lagi", "tidak terlihat lagi", "tak tampak lagi", "tidak tampak lagi", "tidak ada lagi",
	"tak ada lagi", "sudah tidak ada", "sudah tak ada", "tidak pernah lagi", "tak pernah lagi", "kini bersih",
	"sudah bersih", "telah bersih", "kembali bersih", "bersih kembali", "kini lancar", "sudah lancar",
	"kembali lancar", "lancar kembali", "no longer", "no more",
)

// expansionCues name a service added, built or opened: "menambah dua koridor baru", "puskesmas
// dibangun", "diresmikan". Not negated, not asked for and not announced for later, they are an
// improvement. "menambah" and its forms count only with "baru" (new) in the clause, since one can
// also add a burden.
var expansionCues = newPhraseSet(
	"dibangun", "membangun", "selesai dibangun", "diresmikan", "meresmikan", "peresmian", "diluncurkan",
	"meluncurkan", "mulai beroperasi", "resmi beroperasi", "memperluas", "perluasan", "diperluas",
	"opened", "inaugurated", "launched", "expanded",
)

// addCues are the forms of "to add", an expansion only with "baru" in the same clause.
var addCues = newPhraseSet("menambah", "ditambah", "penambahan", "tambahan", "added", "adds")

var newWords = setOf("baru", "new")

// requestCues before a repair or expansion cue make it something asked for, not done.
var requestCues = setOf("berharap", "harap", "diharapkan", "meminta", "minta", "diminta", "memohon",
	"mendesak", "menuntut", "menunggu", "agar", "supaya", "perlu", "butuh", "membutuhkan", "mengusulkan",
	"usul", "usulan", "hope", "hopes", "asked", "urged", "demanded", "waiting", "need", "needs")

// futureCues before a repair or expansion cue make it a promise or a plan, not an improvement yet.
var futureCues = setOf("akan", "bakal", "rencana", "berencana", "direncanakan", "merencanakan", "segera",
	"jika", "apabila", "kalau", "bila", "nanti", "ditargetkan", "target", "will", "plan", "plans",
	"planned", "if")

// harmCues are harm to people. In a clause that names the programme and no natural disaster
// (disasterCues), the harm is attributed to the programme's delivery ("keracunan makanan bergizi
// gratis", "pasien meninggal di puskesmas"), which is criticism whatever the model says.
var harmCues = newPhraseSet(
	"keracunan", "keracunan massal", "diracun", "korban", "tewas", "meninggal", "meninggal dunia",
	"terluka", "luka luka", "cedera", "poisoning", "poisoned", "killed", "died", "dead", "injured", "victims",
)

// disasterCues are misfortunes nobody is blamed for; with harmCues they make up the bad events
// that explain a negative judgement without criticism.
var disasterCues = newPhraseSet(
	"banjir", "merendam", "terendam", "longsor", "tanah longsor", "gempa", "kebakaran", "terbakar",
	"kecelakaan", "tabrakan", "mengungsi", "pengungsi", "hujan deras", "cuaca ekstrem", "angin kencang",
	"pohon tumbang", "bencana", "musibah", "duka",
	"flood", "floods", "flooded", "landslide", "earthquake", "fire", "crash", "storm", "disaster",
)

// blameCues name what a bad event is put down to when the news says more than that it happened:
// the works meant to prevent it (drainage, channels, culverts, river normalisation), their
// handling, and the regional council that calls the office to account. With a request
// (requestCues), they keep a flood or a landslide criticism (see clauseFacts.unblamed).
var blameCues = newPhraseSet("drainase", "saluran", "gorong gorong", "normalisasi", "penanganan", "dprd")

// contrastWords end a clause: what follows is judged apart from what precedes.
var contrastWords = setOf("tapi", "tetapi", "namun", "sedangkan", "padahal", "sayangnya", "meski",
	"meskipun", "walaupun", "walau", "sementara", "but", "however", "although", "though", "whereas")

// negators cancel a cue that follows within two words ("tidak ada keluhan", "no complaints").
var negators = setOf("tidak", "tak", "tanpa", "bukan", "belum", "tiada", "no", "not", "without", "never", "nor")

// denialCues declare a circulating claim false on their own ("... adalah hoaks", "membantah").
var denialCues = newPhraseSet(
	"hoaks", "hoax", "hoaxes", "disinformasi", "misinformasi", "berita bohong", "kabar bohong",
	"informasi palsu", "berita palsu", "kabar palsu", "membantah", "dibantah", "bantah", "membantahnya",
	"menepis", "ditepis", "fake news", "disinformation", "misinformation", "debunked", "denied", "denies",
)

// weakDenialCues declare a claim false only when the sentence also names something circulating
// (circulationCues): "penyaluran yang tidak benar" is criticism, "kabar itu tidak benar" a denial.
var weakDenialCues = newPhraseSet(
	"tidak benar", "tak benar", "tidak berdasar", "klarifikasi", "mengklarifikasi", "meluruskan",
	"diluruskan", "not true", "untrue", "false", "misleading",
)

var circulationCues = newPhraseSet(
	"beredar", "viral", "kabar", "isu", "informasi", "pesan", "pesan berantai", "unggahan", "video",
	"medsos", "media sosial", "klaim", "rumor", "narasi", "circulating", "claim", "claims", "rumour",
	"post", "posts", "message",
)

// responseCues are criticism cues that stay criticism inside a denial: they name a critic of how
// the claim was handled, not the event the claim describes.
var responseCues = setOf("kritik", "kritikan", "mengkritik", "dikritik", "kritisi", "mengkritisi",
	"criticism", "criticised", "criticized")

// denies reports whether a sentence declares a circulating claim false.
func denies(words []string) bool {
	found := false
	denialCues.each(words, func(start, _ int) {
		found = found || !negated(words, start)
	})
	if found {
		return true
	}
	weakDenialCues.each(words, func(start, _ int) {
		found = found || !negated(words, start)
	})
	return found && circulationCues.any(words)
}

// stance turns the model's judgement of a programme's mention text, given as its sentences, into
// the stance toward the programme and the criticism flag. terms are the programme's matched terms,
// normalised (see programmeTerms). Each sentence is cut into clauses at semicolons and before
// contrast words (contrastWords), and clauses into phrases at commas; frames act within their
// clause. Cue words may carry the enclitic -nya. The rules, in order:
//   - harm to people (harmCues) in a clause naming the programme and no natural disaster: negative,
//     criticism, whatever the model says ("siswa keracunan makanan bergizi gratis");
//   - a criticism cue that counts: negative, criticism, unless the model finds the text positive
//     and no counting cue lies in a phrase naming the programme (the cue is then taken to be about
//     something else: "Blangko e-KTP Kosong, MBG Disambut Gembira"). A cue does not count under
//     negation, inside a service compound ("sistem antrean daring"), in a denial (a sentence
//     declaring a circulating claim a hoax or untrue: the bad event did not happen; except cues
//     naming a critic of the response, responseCues), or when a frame of its clause cancels it:
//     a repair (repairCues) cancels the problem states it ends (problemCues: "perbaikan jalan yang
//     telah rusak"), a resolution (resolvedCues: "tak terlihat lagi", "kini bersih") every cue.
//     A repair asked for ("warga berharap jalan segera diperbaiki") cancels nothing;
//   - an improvement, i.e. a resolution, or a repair or expansion (expansionCues, addCues with
//     "baru") that is neither asked for nor announced for later (futureCues): positive;
//   - a negative text that holds a denial (a hoax clarification), whose negativity is weak, whose
//     problem states a promised repair cancelled, or that is explained by a bad event (a flood, a
//     fire, a death) that blames nobody: neutral;
//   - otherwise the model's judgement, with criticism exactly when it is negative.
func stance(judged sentiment.Result, sentences []string, terms []programmeTerm) (Sentiment, bool) {
	var facts clauseFacts
	denial := false
	for _, sentence := range sentences {
		f, d := sentenceFacts(sentence, terms, nil, 0)
		facts.merge(f)
		denial = denial || d
	}
	return ruleStance(judged, facts, denial)
}

// sentenceFacts applies the clause rules to one sentence of a mention and reports what they found
// and whether the sentence is a denial. With v set, it also adds the clauses' stance features to v,
// with position features for the words up to window words from a term.
func sentenceFacts(sentence string, terms []programmeTerm, v *sentiment.Vector, window int) (clauseFacts, bool) {
	var f clauseFacts
	words, cuts, phrases := clauseWords(sentence)
	d := denies(words)
	named := termPhrases(words, phrases, terms)
	var spans [][2]int
	if v != nil {
		var arr [8][2]int
		spans = termSpans(words, terms, arr[:0])
	}
	var buf [16]cueHit
	for c := range len(cuts) - 1 {
		lo, hi := cuts[c], cuts[c+1]
		if lo == hi {
			continue
		}
		hits := clauseCues.hits(words[lo:hi], buf[:0])
		f.merge(judgeClause(words[lo:hi], phrases[lo:hi], named, hits, d))
		if v != nil {
			addClauseFeatures(v, window, words, lo, hi, spans, hits, d)
		}
	}
	return f, d
}

// ruleStance applies stance's rules to the model's judgement and the facts of the mention's clauses.
func ruleStance(judged sentiment.Result, f clauseFacts, denial bool) (Sentiment, bool) {
	s := Sentiment{Label: judged.Label, Score: judged.Score}
	switch {
	case f.harm:
		s.Label = sentiment.Negative
		s.Score = min(s.Score, -weakScore)
	case f.cue && (s.Label != sentiment.Positive || f.namedCue):
		s.Label = sentiment.Negative
		s.Score = min(s.Score, -weakScore)
	case f.cue:
	case f.improved:
		s.Label = sentiment.Positive
		s.Score = max(s.Score, weakScore)
	case s.Label == sentiment.Negative && (denial || s.Score > -strongScore || f.cancelled || f.bad):
		s.Label = sentiment.Neutral
		s.Score = max(s.Score, -weakScore)
	}
	return s, s.Label == sentiment.Negative
}

// Kinds of clause cues, one bit per list; a phrase on several lists has several bits.
const (
	cueCriticism cueKind = 1 << iota
	cueProblem
	cueRepair
	cueResolved
	cueExpansion
	cueAdd
	cueHarm
	cueDisaster
	cueCompound
	cueBlame
	cueRequest
)

// clauseCues indexes every list judgeClause looks for, so that a clause is scanned once.
var clauseCues = newCueIndex(map[cueKind]phraseSet{
	cueCriticism: criticismCues, cueProblem: problemCues, cueRepair: repairCues, cueResolved: resolvedCues,
	cueExpansion: expansionCues, cueAdd: addCues, cueHarm: harmCues, cueDisaster: disasterCues,
	cueCompound: serviceCompounds, cueBlame: blameCues, cueRequest: newPhraseSet(slices.Sorted(maps.Keys(requestCues))...),
})

// Scores used by stance.
const (
	weakScore   = 0.25 // the magnitude a label changed by stance keeps at most (neutral) or at least (negative, positive)
	strongScore = 0.5  // the magnitude a negative judgement needs to stand without a criticism cue
)

// clauseFacts is what stance learns from one clause.
type clauseFacts struct {
	cue       bool // a criticism cue that counts
	namedCue  bool // such a cue in a phrase (between commas) that names the programme
	harm      bool // harm to people attributed to the programme
	improved  bool // a resolution, or a repair or expansion done
	cancelled bool // a frame cancelled a criticism cue
	bad       bool // a bad event: harm or a natural disaster
	blamed    bool // a request, or something a bad event is blamed on (blameCues)
}

// unblamed reports a bad event (a flood, a fire, a death) with no criticism cue that counts, no
// harm attributed to the programme, no request and nothing the event is blamed on (blameCues):
// negative news, but nobody is blamed for it.
func (f clauseFacts) unblamed() bool { return f.bad && !f.cue && !f.harm && !f.blamed }

func (f *clauseFacts) merge(g clauseFacts) {
	f.cue = f.cue || g.cue
	f.namedCue = f.namedCue || g.namedCue
	f.harm = f.harm || g.harm
	f.improved = f.improved || g.improved
	f.cancelled = f.cancelled || g.cancelled
	f.bad = f.bad || g.bad
	f.blamed = f.blamed || g.blamed
}

// judgeClause applies stance's rules to the words of one clause and the cues found in them.
// phrases gives the phrase number of each word, named the phrase numbers that name the programme,
// and denial says whether the clause's sentence is a denial.
func judgeClause(words []string, phrases, named []int, hits []cueHit, denial bool) clauseFacts {
	var f clauseFacts
	var found cueKind
	for _, h := range hits {
		found |= h.kind
	}
	if found == 0 {
		return f
	}
	inCompound := func(i int) bool {
		for _, h := range hits {
			if h.kind&cueCompound != 0 && h.start <= i && i < h.start+h.n {
				return true
			}
		}
		return false
	}
	resolved, repaired, repairDone, expanded, harm := false, false, false, false, false
	withNew := found&cueAdd != 0 && anyWord(words, newWords)
	for _, h := range hits {
		if negated(words, h.start) {
			continue
		}
		asked, later := precededBy(words, h.start, requestCues), precededBy(words, h.start, futureCues)
		resolved = resolved || h.kind&cueResolved != 0
		if h.kind&cueRepair != 0 && !asked {
			repaired = true
			repairDone = repairDone || !later
		}
		if h.kind&cueExpansion != 0 || h.kind&cueAdd != 0 && withNew {
			expanded = expanded || !asked && !later
		}
		harm = harm || h.kind&cueHarm != 0
	}
	f.improved = resolved || repairDone || expanded
	f.bad = found&(cueHarm|cueDisaster) != 0
	f.blamed = found&(cueBlame|cueRequest) != 0

	for _, h := range hits {
		if h.kind&(cueCriticism|cueProblem) == 0 ||
			negated(words, h.start) || denial && !responseCues[words[h.start]] || inCompound(h.start) {
			continue
		}
		if resolved || repaired && h.kind&cueCriticism == 0 {
			f.cancelled = true
			continue
		}
		f.cue = true
		f.namedCue = f.namedCue || slices.Contains(named, phrases[h.start])
	}

	first, last := phrases[0], phrases[len(phrases)-1]
	f.harm = harm && !denial && found&cueDisaster == 0 &&
		slices.ContainsFunc(named, func(p int) bool { return first <= p && p <= last })
	return f
}

// clauseWords returns the normalised words of a sentence, the indexes where its clauses start
// followed by len(words), and the phrase number of each word. A clause ends at a semicolon and
// before a contrast word; a phrase ends at a clause end and at a comma.
func clauseWords(sentence string) (words []string, cuts, phrases []int) {
	n := len(sentence)/6 + 1
	words = make([]string, 0, n)
	ints := make([]int, 0, n+6)
	phrases, cuts = ints[:0:n], ints[n:n:n+6]
	cuts = append(cuts, 0)
	last, phrase := 0, 0
	taxonomy.Words(sentence, func(w []byte, start, end int) {
		n := len(words)
		if n > 0 {
			gap := sentence[last:start]
			switch {
			case contrastWords[string(w)] || strings.IndexByte(gap, ';') >= 0:
				cuts = append(cuts, n)
				phrase++
			case strings.IndexByte(gap, ',') >= 0:
				phrase++
			}
		}
		if string(w) == sentence[start:end] {
			words = append(words, sentence[start:end])
		} else {
			words = append(words, string(w))
		}
		phrases = append(phrases, phrase)
		last = end
	})
	return words, append(cuts, len(words)), phrases
}

// precededBy reports whether one of set occurs before words[i] in the clause.
func precededBy(words []string, i int, set map[string]bool) bool {
	return anyWord(words[:i], set)
}

func anyWord(words []string, set map[string]bool) bool {
	return slices.ContainsFunc(words, func(w string) bool { return set[w] })
}

// programmeTerm is a matched term of a programme as normalised words; prefix says the last word
// is a wildcard prefix (antre*).
type programmeTerm struct {
	words  []string
	prefix bool
}

// programmeTerms normalises the terms of a match that name programme p: its aliases and weak
// aliases, or its query terms when no alias matched. A query term is often a common word ("jalan"
// in "lampu jalan") that names the programme only together with the rest of the query.
func programmeTerms(p taxonomy.Programme, terms []string) []programmeTerm {
	out := make([]programmeTerm, 0, len(terms))
	isAlias := func(t string) bool { return slices.Contains(p.Aliases, t) || slices.Contains(p.WeakAliases, t) }
	aliases := slices.ContainsFunc(terms, isAlias)
	for _, t := range terms {
		if aliases && !isAlias(t) {
			continue
		}
		if w := normalizedTerm(t); len(w) > 0 {
			out = append(out, programmeTerm{words: w, prefix: strings.HasSuffix(t, "*")})
		}
	}
	return out
}

// normalizedTerms caches the normalised words of taxonomy terms (a few hundred strings from the
// configuration, never article text): every mention reads its programme's terms again.
var normalizedTerms sync.Map // term → []string

// normalizedTerm returns taxonomy.Normalize(t), shared: the caller must not change it.
func normalizedTerm(t string) []string {
	if w, ok := normalizedTerms.Load(t); ok {
		return w.([]string)
	}
	w, _ := normalizedTerms.LoadOrStore(t, taxonomy.Normalize(t))
	return w.([]string)
}

// termPhrases returns the phrase numbers (see clauseWords) of the occurrences of terms in words,
// in increasing order; a word may carry the enclitic -nya.
func termPhrases(words []string, phrases []int, terms []programmeTerm) []int {
	var out []int
	for _, t := range terms {
		for i := 0; i+len(t.words) <= len(words); i++ {
			if termAt(words, i, t) && !slices.Contains(out, phrases[i]) {
				out = append(out, phrases[i])
			}
		}
	}
	slices.Sort(out)
	return out
}

// termAt reports whether term t occurs in words at i.
func termAt(words []string, i int, t programmeTerm) bool {
	for k, tw := range t.words {
		w := words[i+k]
		if !sameWord(w, tw) && !(t.prefix && k == len(t.words)-1 && strings.HasPrefix(w, tw)) {
			return false
		}
	}
	return true
}

// sameWord reports whether w is p, or p with the enclitic -nya attached (mampetnya).
func sameWord(w, p string) bool {
	return w == p || len(w) == len(p)+3 && strings.HasSuffix(w, "nya") && w[:len(p)] == p
}

// negated reports whether the word at i follows a negator within two words, and does not itself
// start with one ("belum diperbaiki" is a cue in its own right).
func negated(words []string, i int) bool {
	if negators[words[i]] {
		return false
	}
	for j := max(0, i-2); j < i; j++ {
		if negators[words[j]] {
			return true
		}
	}
	return false
}

// cueKind is a set of cue lists.
type cueKind uint16

// cueHit is an occurrence of a cue phrase: words[start:start+n], on the lists in kind.
type cueHit struct {
	start, n int
	kind     cueKind
}

// cueIndex finds the phrases of several lists in one pass.
type cueIndex map[string][]cuePhrase // first word → phrases

type cuePhrase struct {
	words []string
	kind  cueKind
}

// The index is built in a fixed order (kinds ascending, first words sorted), so that hits come in
// the same order in every process and the stance features, and the weights trained on them, are
// reproducible bit for bit.
func newCueIndex(lists map[cueKind]phraseSet) cueIndex {
	ix := cueIndex{}
	for _, kind := range slices.Sorted(maps.Keys(lists)) {
		ps := lists[kind]
		for _, first := range slices.Sorted(maps.Keys(ps)) {
			phrases := ps[first]
		next:
			for _, p := range phrases {
				for i, q := range ix[first] {
					if slices.Equal(q.words, p) {
						ix[first][i].kind |= kind
						continue next
					}
				}
				ix[first] = append(ix[first], cuePhrase{words: p, kind: kind})
			}
		}
	}
	return ix
}

// hits appends to buf every occurrence of a phrase in words (a word may carry the enclitic -nya).
func (ix cueIndex) hits(words []string, buf []cueHit) []cueHit {
	for i, w := range words {
		ph := ix[w]
		if base, ok := strings.CutSuffix(w, "nya"); ok && ph == nil {
			ph = ix[base]
		}
		for _, p := range ph {
			if len(p.words) <= len(words)-i && equalWords(p.words, words[i:i+len(p.words)]) {
				buf = append(buf, cueHit{start: i, n: len(p.words), kind: p.kind})
			}
		}
	}
	return buf
}

// phraseSet finds short phrases in a list of normalised words.
type phraseSet map[string][][]string // first word → phrases (full word lists)

func newPhraseSet(phrases ...string) phraseSet {
	ps := phraseSet{}
	for _, p := range phrases {
		words := taxonomy.Normalize(p)
		ps[words[0]] = append(ps[words[0]], words)
	}
	return ps
}

// each calls fn with the start and length of every occurrence of a phrase in words. A word may
// carry the enclitic -nya ("mampetnya", "rusaknya").
func (ps phraseSet) each(words []string, fn func(start, n int)) {
	for i, w := range words {
		ph := ps[w]
		if base, ok := strings.CutSuffix(w, "nya"); ok && ph == nil {
			ph = ps[base]
		}
		for _, p := range ph {
			if len(p) <= len(words)-i && equalWords(p, words[i:i+len(p)]) {
				fn(i, len(p))
			}
		}
	}
}

// any reports whether some phrase occurs in words.
func (ps phraseSet) any(words []string) bool {
	found := false
	ps.each(words, func(int, int) { found = true })
	return found
}

func equalWords(a, b []string) bool {
	return slices.EqualFunc(a, b, func(x, y string) bool { return sameWord(y, x) })
}
