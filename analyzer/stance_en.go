package analyzer

import "github.com/pantau-id/pantau/analyzer/sentiment"

// English mentions get features of their own (chosen by cross-validation over NewsMTSC train, see
// STANCE.md): the target's words, its role in the sentence, the VADER valences of the words
// around it, adjusted as VADER adjusts them (negation, intensifiers, "but"), every word of the
// sentence weighted by 1/distance from the target, and the sentence model's judgement of the
// target's own phrases. They are added after the clause group is scaled, with values in [0, 1].

// Settings of the English target features.
const (
	valenceWindow = 4   // words either side of the target whose valences are summed by side
	targetWeight  = 1   // weight of each of the target's words
	phraseWeight  = 0.5 // weight of the sentence model's judgement of the target's phrases
)

// VADER's adjustments (vaderSentiment 3.3.2): a negator up to three words before a word scales
// its valence by -0.74; a booster or damper adds or takes 0.293 from its magnitude (0.95 and 0.9
// of that two and three words away); words before "but" count half, words after it 1.5 times.
const (
	vaderNegScale = -0.74
	vaderBoost    = 0.293
)

var vaderBoostDecay = [4]float32{0, 1, 0.95, 0.9}

// vaderNegators are VADER's negations as taxonomy.Words splits them ("didn't" gives "didn", "t").
var vaderNegators = setOf("not", "no", "never", "none", "nor", "nothing", "nowhere", "neither", "without",
	"rarely", "seldom", "despite", "cannot", "t", "aint", "arent", "cant", "couldnt", "didnt", "doesnt", "dont",
	"hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neednt", "shant", "shouldnt", "wasnt", "werent",
	"wont", "wouldnt", "nobody")

// vaderBoosters and vaderDampers are VADER's one-word intensifiers.
var (
	vaderBoosters = setOf("absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly",
		"deeply", "enormously", "entirely", "especially", "exceptionally", "extremely", "fully", "greatly",
		"highly", "hugely", "incredibly", "intensely", "majorly", "more", "most", "particularly", "purely",
		"quite", "really", "remarkably", "so", "substantially", "thoroughly", "totally", "tremendously",
		"unbelievably", "unusually", "utterly", "very")
	vaderDampers = setOf("almost", "barely", "hardly", "less", "little", "marginally", "occasionally",
		"partly", "scarcely", "slightly", "somewhat")
)

// sayVerbs mark a target quoted as the speaker ("X said", "said X", "according to X").
var sayVerbs = setOf("said", "says", "say", "told", "tells", "argued", "argues", "added", "wrote", "writes",
	"stated", "claimed", "claims", "insisted", "insists", "explained", "noted", "tweeted", "announced", "declared")

// addTargetFeatures adds the English target features of a mention.
func addTargetFeatures(v *sentiment.Vector, in mentionInput) {
	judged := false
	for _, part := range in.parts {
		words, _, phrases := clauseWords(part)
		var arr [8][2]int
		if spans := termSpans(words, in.terms, arr[:0]); len(spans) > 0 {
			addSentenceTargetFeatures(v, words, spans)
			addDistanceFeatures(v, words, spans)
			if judged {
				continue
			}
			// The phrases are judged in the first sentence naming the target only (the model was
			// trained on single sentences); a sentence of one phrase is judged as it is, which
			// the passages already hold.
			named := part
			if phrases[0] != phrases[len(phrases)-1] {
				named = namedText(part, in.terms)
			}
			addPhraseJudgement(v, in.passages, named)
			judged = true
		}
	}
	for _, t := range in.terms {
		for _, w := range t.words {
			v.AddFeature("target", w, targetWeight)
		}
	}
}

// valences returns the VADER valence of each word as VADER adjusts it in its sentence.
func valences(words []string, buf []float32) []float32 {
	val := buf[:0]
	but := -1
	for i, w := range words {
		if w == "but" && but < 0 {
			but = i
		}
		val = append(val, 0)
	}
	for i, w := range words {
		x := sentiment.EnglishValence(w)
		if x == 0 {
			continue
		}
		sign := float32(1)
		if x < 0 {
			sign = -1
		}
		for k := 1; k <= 3 && i-k >= 0; k++ {
			switch p := words[i-k]; {
			case vaderBoosters[p]:
				x += sign * vaderBoost * vaderBoostDecay[k]
			case vaderDampers[p]:
				x -= sign * vaderBoost * vaderBoostDecay[k]
			}
		}
		for k := 1; k <= 3 && i-k >= 0; k++ {
			if vaderNegators[words[i-k]] {
				x *= vaderNegScale
				break
			}
		}
		switch {
		case but < 0:
		case i < but:
			x *= 0.5
		case i > but:
			x *= 1.5
		}
		val[i] = x
	}
	return val
}

// addSentenceTargetFeatures adds the features of one sentence whose target stands at spans: the
// positive and negative valence sums within valenceWindow words by side, over the sentence, and
// weighted by 1/distance; the side and sign of the nearest valenced word; and the target's role
// (subject, object, agent after "by", speaker), alone and with the sentence's overall sign.
func addSentenceTargetFeatures(v *sentiment.Vector, words []string, spans [][2]int) {
	var buf [64]float32
	val := valences(words, buf[:0])
	var win [2][2]float32 // [left, right][positive, negative]
	var sent, dist [2]float32
	nearD, nearSide, nearI := 1<<30, 0, -1
	for i, x := range val {
		d, side := distance(spans, i)
		if d == 0 || x == 0 {
			continue
		}
		pn := 0
		if x < 0 {
			pn, x = 1, -x
		}
		sent[pn] += x
		dist[pn] += x / float32(d)
		if d <= valenceWindow {
			win[(side+1)/2][pn] += x
		}
		if d < nearD {
			nearD, nearSide, nearI = d, side, i
		}
	}
	signs := [2]string{"pos", "neg"}
	for s, side := range [2]string{"left/", "right/"} {
		for pn, sign := range signs {
			v.AddFeature("vader/window", side+sign, squashValence(win[s][pn]))
		}
	}
	for pn, sign := range signs {
		v.AddFeature("vader/sentence", sign, squashValence(sent[pn]))
		v.AddFeature("vader/distance", sign, squashValence(dist[pn]))
	}
	if nearI >= 0 {
		name := "left/"
		if nearSide > 0 {
			name = "right/"
		}
		if val[nearI] < 0 {
			name += "neg"
		} else {
			name += "pos"
		}
		v.AddFeature("vader/nearest", name, 1)
	}
	role := targetRole(words, spans[0])
	v.AddFeature("role", role, 1)
	overall := "none"
	switch {
	case sent[0] > sent[1]+0.5:
		overall = "pos"
	case sent[1] > sent[0]+0.5:
		overall = "neg"
	}
	v.AddFeature("role/valence", role+"/"+overall, 1)
}

// addDistanceFeatures adds every word of a sentence whose target stands at spans, by side,
// weighted by 1/distance from the target.
func addDistanceFeatures(v *sentiment.Vector, words []string, spans [][2]int) {
	for i, w := range words {
		switch d, side := distance(spans, i); {
		case d == 0:
		case side < 0:
			v.AddFeature("distance/left", w, 1/float32(d))
		default:
			v.AddFeature("distance/right", w, 1/float32(d))
		}
	}
}

// addPhraseJudgement adds the sentence model's judgement of the phrases naming the target
// (namedText: the sentence cut at commas, semicolons and contrast words): its label and its
// positive or negative score, weighted phraseWeight.
func addPhraseJudgement(v *sentiment.Vector, p *sentiment.Passages, phrases string) {
	if phrases == "" {
		return
	}
	r := p.Judge([]string{phrases})
	v.AddFeature("phrase", r.Label, phraseWeight)
	if r.Score > 0 {
		v.AddFeature("phrase", "pos", phraseWeight*float32(r.Score))
	} else {
		v.AddFeature("phrase", "neg", -phraseWeight*float32(r.Score))
	}
}

// targetRole guesses the grammatical role of the target at span without a parser: a speaker
// ("X said", "said X", "according to X"), the agent of a passive ("by X"), the subject (the
// sentence's first words) or else an object.
func targetRole(words []string, span [2]int) string {
	for j := span[1]; j < min(len(words), span[1]+3); j++ {
		if sayVerbs[words[j]] {
			return "speaker"
		}
	}
	switch lo := span[0]; {
	case lo > 0 && sayVerbs[words[lo-1]], lo > 1 && words[lo-2] == "according":
		return "speaker"
	case lo > 0 && words[lo-1] == "by":
		return "agent"
	case lo <= 1:
		return "subject"
	}
	return "object"
}

// squashValence maps a valence sum (≥ 0) into [0, 1).
func squashValence(x float32) float32 { return x / (x + 2) }
