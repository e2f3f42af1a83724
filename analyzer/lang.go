package analyzer

import (
	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// functionWords maps frequent function words to the language they mark: +1 Indonesian, -1 English.
// Words shared by both languages or common in both (names, numbers, "di" in English names) are left out.
var functionWords = func() map[string]int8 {
	id := []string{
		"yang", "dan", "di", "dengan", "untuk", "tidak", "ini", "itu", "dari", "dalam", "akan", "pada",
		"juga", "sudah", "ke", "adalah", "oleh", "karena", "bisa", "ada", "atau", "saat", "kata", "para",
		"telah", "masih", "belum", "lebih", "namun", "tersebut", "kami", "mereka", "kita", "jika", "harus",
		"dapat", "sebagai", "setelah", "hingga", "bahwa", "agar", "serta", "sejumlah", "menjadi", "tak",
		"sangat", "hanya", "lagi", "kini", "ujar", "menurut", "sebanyak", "tahun", "warga", "seperti",
	}
	en := []string{
		"the", "and", "of", "to", "is", "in", "that", "for", "it", "was", "on", "with", "as", "are", "be",
		"by", "this", "at", "from", "has", "have", "not", "were", "which", "an", "or", "but", "will",
		"their", "they", "said", "its", "been", "had", "who", "would", "more", "also", "about", "than",
		"after", "can", "we", "he", "she", "there", "a", "his", "her", "says", "residents", "year",
	}
	m := make(map[string]int8, len(id)+len(en))
	for _, w := range id {
		m[w] = 1
	}
	for _, w := range en {
		m[w] = -1
	}
	return m
}()

// functionWordsByEnds lists the function words by their first and last letters (all are a-z,
// shorter than 16 bytes), with the language each marks, and functionLengths the lengths each pair
// of letters has: a word is compared with the few function words of its shape, and a word of
// another shape (most words) with none, without hashing it for a map.
var functionWordsByEnds, functionLengths = func() (t [26][26][]functionWord, lens [26][26]uint16) {
	for w, mark := range functionWords {
		first, last := w[0]-'a', w[len(w)-1]-'a'
		t[first][last] = append(t[first][last], functionWord{w, mark})
		lens[first][last] |= 1 << len(w)
	}
	return t, lens
}()

// functionWord is a function word and the language it marks (functionWords).
type functionWord struct {
	word string
	mark int8
}

// functionMark returns the mark of a non-empty word in functionWords, 0 for other words.
func functionMark(w []byte) int8 {
	first, last := w[0]-'a', w[len(w)-1]-'a' // a byte below 'a' wraps round above 25
	if len(w) >= 16 || first >= 26 || last >= 26 || functionLengths[first][last]&(1<<len(w)) == 0 {
		return 0
	}
	for _, f := range functionWordsByEnds[first][last] {
		if string(w) == f.word {
			return f.mark
		}
	}
	return 0
}

// Language detection limits.
const (
	langMaxBytes = 2048 // text read; the opening of an article is enough
	langMinScore = 4    // evidence needed before deciding: two function words, or one and two affixes
)

// DetectLanguage returns "id" for Indonesian, "en" for English, or "" when text is too short or too
// mixed to tell. It reads the first 2 KB, scoring 2 for each frequent function word of a language
// and 1 for each word with a typical affix (Indonesian meng-, peny-, ber-, -kan, -nya; English -ing,
// -tion, -ed, -ly), and requires one language to score at least twice the other.
func DetectLanguage(text string) string {
	if len(text) > langMaxBytes {
		text = text[:langMaxBytes] // a cut rune only ends the last word early
	}
	return scoreText(text).language()
}

// scoreText scores the words of text.
func scoreText(text string) langScore {
	var sc langScore
	taxonomy.Words(text, func(w []byte, _, _ int) { sc.add(w) })
	return sc
}

// detectWords is DetectLanguage(words.Text()) on a text already split into words.
func detectWords(words *taxonomy.WordList) string {
	return scoreWords(words).language()
}

// scoreWords scores the words of the first langMaxBytes of a text already split into words, as
// DetectLanguage scores them.
func scoreWords(words *taxonomy.WordList) langScore {
	var sc langScore
	for i := range words.Len() {
		w, start, end := words.Word(i)
		if end > langMaxBytes {
			if start < langMaxBytes { // the word the limit cuts, as DetectLanguage reads it
				cut := scoreText(words.Text()[start:langMaxBytes])
				sc.id, sc.en = sc.id+cut.id, sc.en+cut.en
			}
			break
		}
		sc.add(w)
	}
	return sc
}

// langScore is the evidence DetectLanguage collects for each language.
type langScore struct{ id, en int }

// add scores one lower-cased word.
func (sc *langScore) add(w []byte) {
	switch functionMark(w) {
	case 1:
		sc.id += 2
	case -1:
		sc.en += 2
	default:
		sc.id += indonesianAffix(w)
		sc.en += englishAffix(w)
	}
}

// language decides on the evidence: "id", "en" or "".
func (sc langScore) language() string {
	switch {
	case sc.id+sc.en < langMinScore:
		return ""
	case sc.id >= 2*sc.en:
		return "id"
	case sc.en >= 2*sc.id:
		return "en"
	}
	return ""
}

// indonesianAffix returns 1 when w carries an affix typical of Indonesian and rare in English.
func indonesianAffix(w []byte) int {
	if len(w) < 6 {
		return 0
	}
	switch string(w[len(w)-3:]) {
	case "kan", "nya":
		return 1
	}
	switch string(w[:4]) {
	case "meng", "meny", "memb", "memp", "mend", "menj", "peng", "peny":
		return 1
	}
	if len(w) >= 7 && string(w[:3]) == "ber" && w[3] != 'r' {
		return 1
	}
	return 0
}

// englishAffix returns 1 when w carries a suffix typical of English and rare in Indonesian.
func englishAffix(w []byte) int {
	if len(w) < 5 {
		return 0
	}
	if string(w[len(w)-4:]) == "tion" {
		return 1
	}
	if string(w[len(w)-3:]) == "ing" {
		return 1
	}
	switch string(w[len(w)-2:]) {
	case "ed", "ly":
		return 1
	}
	return 0
}
