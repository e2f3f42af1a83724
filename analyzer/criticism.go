package analyzer

import (
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// criticismCues are words and phrases that put a programme's delivery in a bad light: complaints,
// protests, shortages, queues, breakdowns, neglect, abuse, failures admitted.
var criticismCues = newPhraseSet(
	// Complaints and protests.
	"keluhan", "mengeluh", "mengeluhkan", "dikeluhkan", "keluhkan", "protes", "memprotes", "diprotes",
	"demo", "demonstrasi", "unjuk rasa", "berunjuk rasa", "kecewa", "kekecewaan", "mengecewakan",
	"kritik", "kritikan", "mengkritik", "dikritik", "kritisi", "mengkritisi", "menyoroti", "disorot", "sorotan",
	"menuntut", "tuntutan", "mendesak", "desakan", "menyesalkan", "geram", "kesal", "resah", "meresahkan",
	"ombudsman", "maladministrasi",
	// Shortages and queues.
	"antre", "antrean", "antri", "antrian", "mengantre", "mengantri", "antrean panjang", "kosong", "habis",
	"langka", "kelangkaan", "kehabisan", "kekurangan", "terbatas", "keterbatasan", "sulit didapat",
	"tidak kebagian", "tak kebagian", "belum menerima", "belum cair", "tidak cair", "terlambat", "keterlambatan",
	"tertunda", "molor", "lambat", "lamban", "berbelit", "berbelit belit", "ribet", "dipersulit",
	// Breakdowns and neglect.
	"rusak", "rusak parah", "kerusakan", "berlubang", "mangkrak", "terbengkalai", "dibiarkan", "menumpuk",
	"tidak berfungsi", "tak berfungsi", "tidak beroperasi", "mati", "padam", "pemadaman", "tidak mengalir",
	"tak mengalir", "belum diperbaiki", "tak kunjung", "tidak kunjung", "belum juga", "gangguan", "macet",
	"tersendat", "bau", "menyengat", "kumuh", "jorok", "buruk", "parah", "semrawut", "terlantar",
	// Abuse and failure.
	"pungli", "pungutan liar", "korupsi", "dikorupsi", "penyelewengan", "diselewengkan", "penyimpangan",
	"fiktif", "salah sasaran", "tidak tepat sasaran", "tak tepat sasaran", "gagal", "kegagalan", "keracunan",
	"diracun", "bermasalah", "masalah", "persoalan", "kendala", "terkendala", "mahal", "membengkak",
	"ditolak", "dicoret", "dinonaktifkan", "nonaktif", "error",
	// English.
	"complaint", "complaints", "complain", "complained", "protest", "protests", "protested", "criticism",
	"criticised", "criticized", "shortage", "shortages", "queue", "queues", "delay", "delays", "delayed",
	"failed", "failure", "broken", "damaged", "corruption", "poisoning", "outage", "outages", "neglected",
	"abandoned", "backlog", "problems", "frustrated", "angry",
)

// negators cancel a cue that follows within two words ("tidak ada keluhan", "no complaints").
var negators = setOf("tidak", "tak", "tanpa", "bukan", "belum", "tiada", "no", "not", "without", "never", "nor")

// badEvents are misfortunes that make a text sound negative without blaming anyone for them.
var badEvents = newPhraseSet(
	"banjir", "merendam", "terendam", "longsor", "tanah longsor", "gempa", "kebakaran", "terbakar",
	"kecelakaan", "tabrakan", "meninggal", "meninggal dunia", "tewas", "korban", "mengungsi", "pengungsi",
	"hujan deras", "cuaca ekstrem", "angin kencang", "pohon tumbang", "bencana", "musibah", "duka",
	"flood", "floods", "flooded", "landslide", "earthquake", "fire", "crash", "killed", "died", "dead",
	"victims", "storm", "disaster",
)

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

// stance turns the model's judgement of a programme's mention text, given as its sentences' words,
// into the stance toward the programme and the criticism flag. The rules, in order:
//   - a criticism cue not under negation and not in a denial, in a text the model does not find
//     positive: negative, criticism. A denial is a sentence declaring a circulating claim a hoax
//     or untrue: the bad event it describes did not happen, so its cues do not count, except those
//     naming a critic of the response (responseCues);
//   - a negative text without such a cue that holds a denial (a hoax clarification), whose
//     negativity is weak, or that is explained by a bad event (a flood, a fire, a death) that
//     blames nobody: neutral;
//   - otherwise the model's judgement, with criticism exactly when it is negative.
func stance(judged sentiment.Result, sentences [][]string) (Sentiment, bool) {
	s := Sentiment{Label: judged.Label, Score: judged.Score}
	cue, denial, bad := false, false, false
	for _, words := range sentences {
		d := denies(words)
		denial = denial || d
		criticismCues.each(words, func(start, _ int) {
			if !negated(words, start) && (!d || responseCues[words[start]]) {
				cue = true
			}
		})
		bad = bad || badEvents.any(words)
	}
	switch {
	case cue && s.Label != sentiment.Positive:
		s.Label = sentiment.Negative
		s.Score = min(s.Score, -weakScore)
	case s.Label == sentiment.Negative && (denial || s.Score > -strongScore || bad):
		s.Label = sentiment.Neutral
		s.Score = max(s.Score, -weakScore)
	}
	return s, s.Label == sentiment.Negative
}

// Scores used by stance.
const (
	weakScore   = 0.25 // the magnitude a label changed by stance keeps at most (neutral) or at least (negative)
	strongScore = 0.5  // the magnitude a negative judgement needs to stand without a criticism cue
)

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

// each calls fn with the start and length of every occurrence of a phrase in words.
func (ps phraseSet) each(words []string, fn func(start, n int)) {
	for i, w := range words {
		for _, p := range ps[w] {
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
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
