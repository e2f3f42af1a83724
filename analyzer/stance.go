package analyzer

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pantau-id/pantau/analyzer/convnet"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

// The mention-stance model is a linear classifier trained on news passages labelled for their
// stance toward a programme (analyzer/testdata/news, see STANCE.md). It reads one mention: the
// sentence features of its text (as the sentence model sees them), the words around the
// programme's terms and in the clauses naming it, the clause cues of criticism.go with where they
// stand relative to the programme, and the sentence model's and the hand-written rules' verdicts.
// Its weights ship in stance_id.bin and stance_en.bin and are made by analyzer/train. A second
// linear model over the same features, trained on the corpus' criticism labels (criticism_id.bin),
// decides which negative Indonesian mentions are criticism.

var (
	//go:embed stance_id.bin
	stanceIDBin []byte
	//go:embed stance_en.bin
	stanceENBin []byte
	//go:embed criticism_id.bin
	criticismIDBin []byte
)

// StanceWeights are the weights of the mention-stance model, per language; nil judges with the
// sentence model and the rules alone.
type StanceWeights struct {
	ID, EN *sentiment.Weights
	// CriticismID is the criticism model of Indonesian mentions: a negative mention is criticism
	// when it gives criticism a probability over criticismThreshold. Without it (and in English),
	// a negative mention is criticism unless it reports a bad event nobody is blamed for.
	CriticismID *sentiment.Weights
	// ConvID and ConvEN are word-order models whose probabilities are averaged with the linear
	// model's, ConvShare being their share; nil leaves the linear model alone. None is shipped:
	// they did not beat the linear model (STANCE.md, "Models over word order and feature interactions"); analyzer/train -conv fits
	// them to compare.
	ConvID, ConvEN *convnet.Net
	ConvShare      float32
}

func (w *StanceWeights) conv(lang string) *convnet.Net {
	if w == nil {
		return nil
	}
	if lang == "en" {
		return w.ConvEN
	}
	return w.ConvID
}

func (w *StanceWeights) forLang(lang string) *sentiment.Weights {
	if w == nil {
		return nil
	}
	if lang == "en" {
		return w.EN
	}
	return w.ID
}

var (
	stanceOnce    sync.Once
	defaultStance *StanceWeights
)

// DefaultStance returns the stance weights shipped in the binary, loaded once; it panics if they
// are corrupt, which the package tests rule out.
func DefaultStance() *StanceWeights {
	stanceOnce.Do(func() {
		defaultStance = &StanceWeights{ID: embeddedWeights(stanceIDBin, "id"), EN: embeddedWeights(stanceENBin, "en"),
			CriticismID: embeddedWeights(criticismIDBin, "id criticism")}
	})
	return defaultStance
}

// embeddedWeights decodes an embedded weights file; an empty one (a build before the first
// training) is nil.
func embeddedWeights(data []byte, lang string) *sentiment.Weights {
	if len(data) == 0 {
		return nil
	}
	w, err := sentiment.ReadWeights(bytes.NewReader(data))
	if err != nil {
		panic(fmt.Sprintf("analyzer: embedded stance weights (%s): %v", lang, err))
	}
	return w
}

// StanceBits is the size of the stance model's hashed feature space; it equals the sentence
// model's, whose text features it shares.
const StanceBits = 18

// Stance feature settings.
const (
	stanceParts  = 3    // parts of a mention the stance model reads
	clauseWeight = 0.5  // weight of a word in a clause naming the programme
	summaryValue = 1.0  // weight of the rules' and the sentence model's verdicts
	progWeight   = 0.25 // weight of the programme's identity
)

var (
	vectorPool   = sync.Pool{New: func() any { return sentiment.NewVector(StanceBits) }}
	passagesPool = sync.Pool{New: func() any { return sentiment.NewPassages() }}
)

// mentionInput is what the stance of one mention is judged from.
type mentionInput struct {
	programme string          // the programme id, "" for a literal target
	lang      string          // "id" or "en"
	text      string          // the mention's sentences joined
	parts     []string        // the same sentences, one by one (the title first when it names the programme)
	terms     []programmeTerm // the programme's matched terms, normalised
	inTitle   bool
	passages  *sentiment.Passages // the article's sentence features, Reset for lang
	// shared lists the parts that also name another programme: their text features are taken
	// from the phrases naming this programme only.
	shared []int
}

// judgeMention returns the stance toward the programme and the criticism flag. Without stance
// weights for lang it is the sentence model's judgement corrected by the rules (stance); with
// them, the stance model's, which reads the rules' facts as features. A negative mention is
// criticism when the criticism model (StanceWeights.CriticismID) says so or, without one, when it
// is not a bad event nobody is blamed for (clauseFacts.unblamed).
func (a *Analyzer) judgeMention(in mentionInput) (Sentiment, bool) {
	w := a.stance.forLang(in.lang)
	if w == nil {
		return stance(a.model.Judge(in.text, in.lang), in.parts, in.terms)
	}
	v := vectorPool.Get().(*sentiment.Vector)
	defer vectorPool.Put(v)
	v.Reset()
	facts, parts := a.mentionVector(v, in)
	got, probs := w.Classify(v)
	s := Sentiment{Label: got.Label, Score: got.Score}
	if conv := a.stance.conv(in.lang); conv != nil {
		s = mixStance(probs, conv.Probabilities(mentionWords(in)), a.stance.ConvShare)
	}
	if s.Label != sentiment.Negative {
		return s, false
	}
	if c := a.stance.criticism(in.lang); c != nil {
		_, p := c.ClassifyPassage(v, in.passages, parts, textWeights[in.lang])
		return s, p[0] > criticismThreshold
	}
	return s, !facts.unblamed()
}

// mixStance returns the stance of the average of the linear model's probabilities and the
// word-order model's, share being the latter's weight.
func mixStance(linear, conv [3]float32, share float32) Sentiment {
	best := 0
	for c := range linear {
		linear[c] = (1-share)*linear[c] + share*conv[c]
		if linear[c] > linear[best] {
			best = c
		}
	}
	return Sentiment{Label: sentiment.Labels[best], Score: float64(linear[2] - linear[0])}
}

// mentionWords returns the words of the parts the stance model reads, in order, with each word's
// position relative to the nearest programme term in its sentence, as the word-order model reads
// them (convnet.Example).
func mentionWords(in mentionInput) (words []string, pos []int) {
	parts := in.parts[:min(len(in.parts), stanceParts)]
	for _, part := range parts {
		w, _, _ := clauseWords(part)
		spans := termSpans(w, in.terms, nil)
		for i := range w {
			p := convnet.NoTerm
			if len(spans) > 0 {
				d, side := distance(spans, i)
				p = d * side
			}
			words, pos = append(words, w[i]), append(pos, p)
		}
	}
	return words, pos
}

// criticismThreshold is the probability of criticism the criticism model must give a negative
// mention: chosen among 0.2–0.6 by cross-validation and dev (STANCE.md).
const criticismThreshold = 0.4

func (w *StanceWeights) criticism(lang string) *sentiment.Weights {
	if w == nil || lang == "en" {
		return nil
	}
	return w.CriticismID
}

// mentionVector fills v with the stance features of a mention and returns the rules' facts of its
// clauses and the texts its passage features were taken from.
func (a *Analyzer) mentionVector(v *sentiment.Vector, in mentionInput) (clauseFacts, []string) {
	// The model was trained on passages of 1–3 sentences: it reads a mention's first three parts
	// (the title when it names the programme, then the first sentences naming it and their quotes),
	// where news puts its point; later sentences drift (a complaint's article ends with the
	// office "menerima aduan"), and the model's weights were never fitted to long inputs.
	if len(in.parts) > stanceParts {
		in.parts = in.parts[:stanceParts]
		if len(in.shared) > 0 && in.shared[len(in.shared)-1] >= stanceParts {
			in.shared = slices.DeleteFunc(slices.Clone(in.shared), func(k int) bool { return k >= stanceParts })
		}
	}
	parts := in.parts
	if len(in.shared) > 0 {
		parts = append([]string(nil), in.parts...)
		for _, k := range in.shared {
			if p := namedText(parts[k], in.terms); p != "" {
				parts[k] = p
			}
		}
	}
	base, probs := v.AddPassage(in.passages, parts, textWeights[in.lang])
	var facts clauseFacts
	denial := false
	start := v.Len()
	for _, part := range in.parts {
		f, d := sentenceFacts(part, in.terms, v, windows[in.lang])
		facts.merge(f)
		denial = denial || d
	}
	// The clause, position and cue features are scaled together to a fixed length, as the text
	// features are: a mention of eight sentences must not outweigh its text eight times over.
	v.Normalize(start, clauseGroupLength[in.lang])
	if in.lang == "en" {
		addTargetFeatures(v, in)
	}
	rule, _ := ruleStance(base, facts, denial)
	v.AddFeature("rule", rule.Label, summaryValue)
	for c, p := range probs {
		v.AddFeature("base", sentiment.Labels[c], p*summaryValue)
	}
	for _, fl := range []struct {
		name string
		on   bool
	}{
		{"cue", facts.cue}, {"named_cue", facts.namedCue}, {"harm", facts.harm}, {"improved", facts.improved},
		{"cancelled", facts.cancelled}, {"bad", facts.bad}, {"denial", denial}, {"title", in.inTitle},
		{"no_term", len(in.terms) == 0},
	} {
		if fl.on {
			v.AddFeature("fact", fl.name, summaryValue)
		}
	}
	if in.programme != "" {
		v.AddFeature("programme", in.programme, progWeight)
	}
	return facts, parts
}

// windows are the words either side of a programme term that get position features, per language.
// Indonesian has none: on the news corpus they cost 1.6 points of cross-validated macro-F1 (0.686
// with 5 words, 0.702 without), while English gains 1.4 to 4.5 points on a NewsMTSC dev part
// (0.638 without, 0.670 with 5 words, 0.683 with 3).
var windows = map[string]int{"id": 0, "en": 3}

// clauseGroupLength is the length the clause, position and cue features of a mention are scaled
// to, per language: chosen among 1, 2 and 4 by cross-validation (Indonesian: 0.701, 0.708, 0.698;
// English, with the distance and phrase features of stance_en.go, 5-fold CV over NewsMTSC train
// less the hold-out: 2 gives 0.676, 4 gives 0.665).
var clauseGroupLength = map[string]float32{"id": 2, "en": 2}

// textWeights are the weights of the sentence model's text features of a mention, per language
// (English, the same cross-validation: 0.5, 1, 1.5 and 2 give 0.673, 0.675, 0.673 and 0.672).
var textWeights = map[string]float32{"id": 2, "en": 1}

// cueFamilies name the feature family of a clause cue by where it stands: in a clause naming the
// programme or not, negated or not, asked for or not, announced for later or not.
var cueFamilies = func() (out [16]string) {
	for i := range out {
		out[i] = fmt.Sprintf("cue/named=%t/neg=%t/asked=%t/later=%t", i&1 != 0, i&2 != 0, i&4 != 0, i&8 != 0)
	}
	return out
}()

// nearFamilies name the exact positions next to a programme term: [0] before it, [1] after it.
var nearFamilies = [2][2]string{{"at-1", "at-2"}, {"at+1", "at+2"}}

// cueKindNames name the bits of cueKind that are stance features; the later ones (blame words and
// requests) only narrow the bad-event exception to criticism.
var cueKindNames = [...]string{"criticism", "problem", "repair", "resolved", "expansion", "add", "harm", "disaster", "compound"}

// addClauseFeatures adds the features of words[lo:hi], one clause of a sentence whose programme
// terms stand at spans (word ranges), with the cues hits found in the clause.
func addClauseFeatures(v *sentiment.Vector, window int, words []string, lo, hi int, spans [][2]int, hits []cueHit, denial bool) {
	named := false
	for _, s := range spans {
		named = named || s[0] < hi && s[1] > lo
	}
	// negator marks the negators among the clause's words and the two before it, so that each
	// word is looked up once (negated would look up three).
	var negArr [64]bool
	var negator []bool
	if hi-lo+2 <= len(negArr) {
		negator = negArr[:hi-lo+2]
	} else {
		negator = make([]bool, hi-lo+2)
	}
	for i := max(0, lo-2); i < hi; i++ {
		negator[i-lo+2] = negators[words[i]]
	}
	for i := lo; i < hi; i++ {
		d, side := distance(spans, i)
		if d == 0 {
			continue
		}
		k := i - lo + 2
		neg := !negator[k] && (negator[k-1] || negator[k-2])
		if d <= window {
			fam := "right"
			if side < 0 {
				fam = "left"
			}
			if neg {
				fam += "/neg"
			}
			v.AddFeature(fam, words[i], 1)
			if d <= len(nearFamilies[0]) {
				v.AddFeature(nearFamilies[(side+1)/2][d-1], words[i], 1)
			}
		}
		if named {
			fam := "clause"
			if neg {
				fam = "clause/neg"
			}
			v.AddFeature(fam, words[i], clauseWeight)
		}
	}
	clause := words[lo:hi]
	for _, h := range hits {
		k := 0
		if named {
			k |= 1
		}
		if negated(clause, h.start) {
			k |= 2
		}
		if precededBy(clause, h.start, requestCues) {
			k |= 4
		}
		if precededBy(clause, h.start, futureCues) {
			k |= 8
		}
		for bit, name := range cueKindNames {
			if h.kind&(1<<bit) != 0 {
				v.AddFeature(cueFamilies[k], name, 1)
			}
		}
	}
	if denial && named {
		v.AddFeature("fact", "named_denial", 1)
	}
}

// distance returns how many words i lies from the nearest span (0 inside one, a large number
// without spans) and on which side of it (-1: before the span, 1: after).
func distance(spans [][2]int, i int) (int, int) {
	best, side := 1<<30, 0
	for _, s := range spans {
		switch {
		case i >= s[0] && i < s[1]:
			return 0, 0
		case i < s[0] && s[0]-i < best:
			best, side = s[0]-i, -1
		case i >= s[1] && i-s[1]+1 < best:
			best, side = i-s[1]+1, 1
		}
	}
	return best, side
}

// termSpans returns the word ranges [start, end) where terms occur in words.
func termSpans(words []string, terms []programmeTerm, buf [][2]int) [][2]int {
	for _, t := range terms {
		for i := 0; i+len(t.words) <= len(words); i++ {
			if termAt(words, i, t) {
				buf = append(buf, [2]int{i, i + len(t.words)})
			}
		}
	}
	return buf
}

// namedText returns the phrases of sentence (cut at commas, semicolons and contrast words) that
// name one of terms, joined by commas; "" when none does.
func namedText(sentence string, terms []programmeTerm) string {
	words, _, phrases := clauseWords(sentence)
	starts := make([]int, 0, len(words))
	taxonomy.Words(sentence, func(_ []byte, start, _ int) { starts = append(starts, start) })
	spans := termSpans(words, terms, nil)
	var b strings.Builder
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && phrases[j] == phrases[i] {
			j++
		}
		for _, s := range spans {
			if s[0] < j && s[1] > i {
				end := len(sentence)
				if j < len(words) {
					end = starts[j]
				}
				if b.Len() > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strings.TrimRight(strings.TrimSpace(sentence[starts[i]:end]), ",;"))
				break
			}
		}
		i = j
	}
	return b.String()
}
