package taxonomy

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestWordListSplit checks that a word list holds the words Words finds, on texts of ASCII and
// other letters, digits, combining marks, separators and broken UTF-8.
func TestWordListSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "7", "blangko", "KTP", " ", ", ", "-", "'", "\u2019", "\u201c", "\u2013",
		"\u00e9", "\u00c9", "e\u0301", "\u0301", "\u0416", "\u0436", "\u0915\u093f", "\u00a0", "\xff", "\xe2\x80", "\n"}
	texts := []string{"", " ", "Blangko e-KTP, kosong! ÉLÈVE café naïve na\u0301ive ЖЖ 2025 "}
	for range 300 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	var l WordList
	l.Split("left over from a previous text, which is longer than some of the texts below")
	for _, text := range texts {
		l.Split(text)
		var want [][3]any
		Words(text, func(w []byte, start, end int) { want = append(want, [3]any{string(w), start, end}) })
		var got [][3]any
		for i := range l.Len() {
			w, start, end := l.Word(i)
			got = append(got, [3]any{string(w), start, end})
		}
		if !reflect.DeepEqual(got, want) || l.Text() != text {
			t.Fatalf("%q: word list %v, want %v", text, got, want)
		}
	}
}

// TestMatchWordsIsMatch checks that MatchWords on a word list gives what Match gives on its text,
// with sentences cut between words, inside words and inside multi-byte letters.
func TestMatchWordsIsMatch(t *testing.T) {
	tax := Default()
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := strings.Fields("blangko e-KTP kosong Dinas Sosial bantuan sosial BPJS Kesehatan warga " +
		"antre puskesmas sampah menumpuk TPS jalan rusak berlubang lampu jalan mati hoaks beredar " +
		"tidak benar informasi klarifikasi Makan Bergizi Gratis sekolah ÉLÈVE na\u0301ive Жители " +
		"banjir drainase tersumbat solar langka SPBU antrean")
	seps := []string{" ", " ", " ", ", ", ". ", "\n", "-", ""}
	var l WordList
	for n := range 500 {
		var b strings.Builder
		for range 5 + rng.IntN(80) {
			b.WriteString(vocab[rng.IntN(len(vocab))])
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		text := b.String()
		// Sentences: consecutive spans whose cut points fall anywhere, rune boundaries or not,
		// with gaps of skipped text between some of them; nil once in a while.
		var sents []Span
		if n%10 != 0 {
			for start := 0; start < len(text); {
				end := min(len(text), start+1+rng.IntN(60))
				sents = append(sents, Span{start, end})
				start = end + rng.IntN(3)
			}
		}
		if n%7 == 0 { // out of order, which the word list must find by search
			rng.Shuffle(len(sents), func(i, j int) { sents[i], sents[j] = sents[j], sents[i] })
		}
		title := vocab[rng.IntN(len(vocab))] + " " + vocab[rng.IntN(len(vocab))]
		l.Split(text)
		want := tax.Match(title, text, sents)
		if got := tax.MatchWords(title, &l, sents); !reflect.DeepEqual(got, want) {
			t.Fatalf("text %q, sentences %v: MatchWords gave %+v, Match %+v", text, sents, got, want)
		}
	}
}
