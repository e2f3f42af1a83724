package sentiment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// Vector is the hashed feature vector of one example for a linear classifier built on top of the
// sentence model: the features of a passage (AddPassage, the features Judge scores) plus named
// features a caller adds (AddFeature), all in one space of 1<<Bits buckets. The analyzer's
// mention-stance model is such a classifier. A Vector is reused with Reset; it is not safe for
// concurrent use.
//
// When the Passages it reads were given the classifier's weights (Passages.Reset), the passage's
// features are not kept: their contribution to that classifier's logits is summed from per-sentence
// partial scores instead, which is what makes judging many mentions of one article cheap.
type Vector struct {
	bits  uint8
	feats []feature
	// offset is the passages' contribution to the logits of the weights scored, when they are not in feats.
	offset [numClasses]float32
	scored *Weights
}

// NewVector returns an empty vector over 1<<bits buckets.
func NewVector(bits uint8) *Vector {
	return &Vector{bits: bits, feats: make([]feature, 0, 512)}
}

// Reset empties v for the next example.
func (v *Vector) Reset() {
	v.feats = v.feats[:0]
	v.offset = [numClasses]float32{}
	v.scored = nil
}

// Len returns the number of features in v (not counting passages scored without features).
func (v *Vector) Len() int { return len(v.feats) }

// Normalize scales the features added since Len was start to length: their Euclidean norm
// becomes length (no change when they are all zero).
func (v *Vector) Normalize(start int, length float32) {
	group := v.feats[start:]
	if ss := sumSquares(group); ss > 0 {
		k := length / float32(math.Sqrt(float64(ss)))
		for i := range group {
			group[i].val *= k
		}
	}
}

// Passages holds the features of the sentences of one article for one language, so that a
// sentence in several passages (the mentions of several programmes) is tokenised and scored once.
// Reset it for each article; it is not safe for concurrent use.
type Passages struct {
	lm    *langModel
	extra *Weights   // a classifier over Vectors whose partial scores are kept, or nil
	pair  *pairTable // the model's and extra's weights interleaved, when both are quantised
	sc    scratch
	known map[string]int // sentence text → index in sents
	sents []sentenceFeatures
	feats []feature // the sentences' raw features, back to back
}

// sentenceFeatures is one sentence's raw (unscaled) features, located in Passages.feats, with
// their partial scores under the sentence model and the extra classifier, computed on first use.
type sentenceFeatures struct {
	start, end     int
	sq             float32             // sum of the squared feature values
	scored         uint8               // bits: 1 base, 2 extra computed
	base, extra    [numClasses]float32 // partial logits, without bias
	evPos, evNeg   float32             // news-event lexicon
	valPos, valNeg float32             // valence lexicon (English), when the model reads it
}

// NewPassages returns an empty cache.
func NewPassages() *Passages {
	return &Passages{known: make(map[string]int, 64),
		sc: scratch{buf: make([]byte, 0, 1024), toks: make([]token, 0, 128)}}
}

// Reset empties p for an article judged by m in lang ("en", or else "id"). With extra set, the
// passages will be scored by that classifier only (Weights.Classify with extra) and their
// features are not added to Vectors; with extra nil the features are added, for training.
func (p *Passages) Reset(m *Model, lang string, extra *Weights) {
	p.lm = m.id
	if lang == "en" {
		p.lm = m.en
	}
	if extra != nil && extra.Bits != p.lm.weights.Bits {
		panic(fmt.Sprintf("sentiment: classifier of %d bits over a model of %d", extra.Bits, p.lm.weights.Bits))
	}
	p.extra = extra
	if p.pair == nil || p.pair.a != p.lm.weights || p.pair.b != extra {
		p.pair = pairOf(p.lm.weights, extra) // a look-up in a sync.Map: skipped when the pair is the last one's
	}
	clear(p.known)
	p.sents = p.sents[:0]
	p.feats = p.feats[:0]
}

// sentence returns the index of a sentence's features in p.sents, computing them on first use,
// with the partial scores asked for (1 base, 2 extra).
func (p *Passages) sentence(text string, scores uint8) *sentenceFeatures {
	i, known := p.known[text]
	if !known {
		lm := p.lm
		tokenize(&p.sc, text, lm.rules)
		annotate(&p.sc, lm.rules)
		sf := sentenceFeatures{start: len(p.feats)}
		p.feats = extractRaw(&p.sc, lm.rules, lm.weights.Bits, p.feats)
		sf.end = len(p.feats)
		if lm.events != nil {
			sf.evPos, sf.evNeg = lm.events.valence(&p.sc)
		}
		if lm.valences != nil {
			sf.valPos, sf.valNeg = lm.valences.valence(&p.sc)
		}
		i = len(p.sents)
		p.known[text] = i
		p.sents = append(p.sents, sf)
	}
	sf := &p.sents[i]
	feats := p.feats[sf.start:sf.end]
	// The sums over the pair table also sum the squares of the features, which a sentence seen
	// for the first time needs: a second pass over its features is made only without them.
	var sq float32
	summed := false
	switch need := scores &^ sf.scored; {
	case need == 3 && p.pair != nil:
		sf.base, sf.extra, sq = p.pair.partials(feats)
		summed = true
	case p.pair != nil:
		// One model's weights, read from the pair table all the same: the article's scoring
		// then reads one table instead of three (the model's, the classifier's and the pair's).
		if need&1 != 0 {
			sf.base, sq = p.pair.partial(p.pair.a, 0, feats)
			summed = true
		}
		if need&2 != 0 {
			sf.extra, sq = p.pair.partial(p.pair.b, 1, feats)
			summed = true
		}
	default:
		if need&1 != 0 {
			sf.base = p.lm.weights.partial(feats)
		}
		if need&2 != 0 {
			sf.extra = p.extra.partial(feats)
		}
	}
	if !known {
		if !summed {
			sq = sumSquares(feats)
		}
		sf.sq = sq
	}
	sf.scored |= scores
	return sf
}

// pairTable interleaves the quantised weights of two models over the same buckets, so that
// scoring a feature under both reads one place: six int16 per bucket.
type pairTable struct {
	rows           []pairRow // by bucket; a row per bucket costs one bounds check per feature
	a, b           *Weights
	scaleA, scaleB float32
}

// pairRow is one bucket's quantised weights: a's classes, then b's.
type pairRow [2][numClasses]int16

var pairTables sync.Map // [2]*Weights → *pairTable

// pairOf returns the interleaved table of a and b, built once; nil unless both are quantised.
func pairOf(a, b *Weights) *pairTable {
	if a == nil || b == nil || a.q == nil || b.q == nil || a.Bits != b.Bits {
		return nil
	}
	key := [2]*Weights{a, b}
	if t, ok := pairTables.Load(key); ok {
		return t.(*pairTable)
	}
	t := &pairTable{rows: make([]pairRow, len(a.q)/numClasses), a: a, b: b, scaleA: a.scale, scaleB: b.scale}
	for k := range t.rows {
		copy(t.rows[k][0][:], a.q[k*numClasses:])
		copy(t.rows[k][1][:], b.q[k*numClasses:])
	}
	got, _ := pairTables.LoadOrStore(key, t)
	return got.(*pairTable)
}

// partials returns the logits of feats without bias under both models, and sumSquares(feats).
func (t *pairTable) partials(feats []feature) (za, zb [numClasses]float32, sq float32) {
	var a0, a1, a2, b0, b1, b2 float32 // in variables, not arrays, for the reason sumRows gives
	var ss float64
	rows := t.rows
	for _, f := range feats {
		ss += float64(f.val) * float64(f.val)
		r := &rows[f.idx]
		a0 += float32(r[0][0]) * f.val
		a1 += float32(r[0][1]) * f.val
		a2 += float32(r[0][2]) * f.val
		b0 += float32(r[1][0]) * f.val
		b1 += float32(r[1][1]) * f.val
		b2 += float32(r[1][2]) * f.val
	}
	za, zb = [numClasses]float32{a0, a1, a2}, [numClasses]float32{b0, b1, b2}
	for c := range za {
		za[c] *= t.scaleA
		zb[c] *= t.scaleB
	}
	return za, zb, float32(ss)
}

// partial returns what w.partial(feats) returns, w being t's model in half of its rows (a in 0,
// b in 1), with the same arithmetic in the same order as sumRows, and sumSquares(feats).
func (t *pairTable) partial(w *Weights, half int, feats []feature) ([numClasses]float32, float32) {
	var z0, z1, z2 float32
	var ss float64
	rows := t.rows
	// One loop per half, so that each reads its weights at fixed offsets of the row: choosing
	// the half inside the loop would cost as much again as the sums.
	if half == 0 {
		for _, f := range feats {
			ss += float64(f.val) * float64(f.val)
			r := &rows[f.idx]
			z0 += float32(r[0][0]) * f.val
			z1 += float32(r[0][1]) * f.val
			z2 += float32(r[0][2]) * f.val
		}
	} else {
		for _, f := range feats {
			ss += float64(f.val) * float64(f.val)
			r := &rows[f.idx]
			z0 += float32(r[1][0]) * f.val
			z1 += float32(r[1][1]) * f.val
			z2 += float32(r[1][2]) * f.val
		}
	}
	return withoutBias(w, w.finish([numClasses]float32{z0, z1, z2})), float32(ss)
}

func sumSquares(feats []feature) float32 {
	var ss float64
	for _, f := range feats {
		ss += float64(f.val) * float64(f.val)
	}
	return float32(ss)
}

// partial returns the logits of feats without the bias.
func (w *Weights) partial(feats []feature) [numClasses]float32 {
	return withoutBias(w, w.score(feats))
}

// withoutBias returns logits z of w less w's biases.
func withoutBias(w *Weights, z [numClasses]float32) [numClasses]float32 {
	for c := range z {
		z[c] -= w.B[c]
	}
	return z
}

// Judge returns the sentence model's judgement of a passage given as its sentences, as
// AddPassage does, without a vector.
func (p *Passages) Judge(sentences []string) Result {
	r, _ := p.judge(nil, sentences, 1)
	return r
}

// AddPassage adds the features of a passage given as its sentences, each scaled by weight, and
// returns the sentence model's judgement of the passage with its class probabilities
// (negative, neutral, positive). The features are those Judge computes for the sentences joined,
// except that no feature spans two sentences. The model's weights must use v's number of buckets.
func (v *Vector) AddPassage(p *Passages, sentences []string, weight float32) (Result, [3]float32) {
	if p.lm.weights.Bits != v.bits {
		panic(fmt.Sprintf("sentiment: vector of %d bits, model of %d", v.bits, p.lm.weights.Bits))
	}
	return p.judge(v, sentences, weight)
}

// judge returns the sentence model's judgement of the sentences and, with v set, adds their
// features to v (or, with p.extra set, their contribution to p.extra's logits).
func (p *Passages) judge(v *Vector, sentences []string, weight float32) (Result, [3]float32) {
	lm := p.lm
	scores := uint8(1)
	if v != nil && p.extra != nil {
		scores |= 2
	}
	var evPos, evNeg, valPos, valNeg, sq float32
	var base, extra [numClasses]float32
	first := 0
	keep := v != nil && p.extra == nil // the features go into v
	if keep {
		first = len(v.feats)
	}
	for _, s := range sentences {
		sf := p.sentence(s, scores)
		if keep {
			v.feats = append(v.feats, p.feats[sf.start:sf.end]...)
		}
		sq += sf.sq
		for c := range base {
			base[c] += sf.base[c]
			extra[c] += sf.extra[c]
		}
		evPos, evNeg = evPos+sf.evPos, evNeg+sf.evNeg
		valPos, valNeg = valPos+sf.valPos, valNeg+sf.valNeg
	}
	var arr [2]feature
	inv, val := lm.passageScale(sq, valPos, valNeg, arr[:0])
	z := lm.weights.partial(val)
	for c := range z {
		z[c] += lm.weights.B[c] + inv*base[c]
	}
	switch {
	case keep:
		text := v.feats[first:]
		for i := range text {
			text[i].val *= inv * weight
		}
		for _, f := range val {
			v.feats = append(v.feats, feature{f.idx, f.val * weight})
		}
	case v != nil:
		vz := p.extra.partial(val)
		for c := range vz {
			v.offset[c] += weight * (vz[c] + inv*extra[c])
		}
		v.scored = p.extra
	}
	if lm.lexWeight != 0 {
		z[classPositive] += lm.lexWeight * evPos
		z[classNegative] += lm.lexWeight * evNeg
		z[classNeutral] -= 0.5 * lm.lexWeight * (evPos + evNeg)
	}
	return decide(z), softmax(z)
}

// passageScale returns the factor that scales a passage's text features to unit length, sq being
// the sum of their squares, and appends to buf its valence features (none unless lm reads them).
func (lm *langModel) passageScale(sq, valPos, valNeg float32, buf []feature) (float32, []feature) {
	inv := float32(0)
	if sq > 0 {
		inv = float32(1 / math.Sqrt(float64(sq)))
	}
	if lm.valences != nil {
		buf = appendValences(buf, lm.weights.Bits, valPos, valNeg)
	}
	return inv, buf
}

// AddFeature adds the named feature family:name with value val. Names are hashed, never stored.
func (v *Vector) AddFeature(family, name string, val float32) {
	h := hashString(seedNamed, family)
	h = hashString(h^0x1f, name)
	v.feats = append(v.feats, feature{uint32(mix(h) & (uint64(1)<<v.bits - 1)), val})
}

// seedNamed keeps named features apart from text features.
const seedNamed uint64 = 0x94d049bb133111eb

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// Classify returns the label of v under weights w trained on such vectors (TrainVectors), with
// the class probabilities.
func (w *Weights) Classify(v *Vector) (Result, [3]float32) {
	if w.Bits != v.bits {
		panic(fmt.Sprintf("sentiment: vector of %d bits, weights of %d", v.bits, w.Bits))
	}
	if v.scored != nil && v.scored != w {
		panic("sentiment: vector scored for other weights")
	}
	z := w.score(v.feats)
	for c := range z {
		z[c] += v.offset[c]
	}
	return decide(z), softmax(z)
}

// ClassifyPassage returns what Classify returns for v under w, v's passage being sentences of p
// added with weight (Vector.AddPassage) while p was Reset for other weights: a second classifier
// over the same vectors, scored only when needed. The sentences must be in p already. When v
// holds its passage's features (p was Reset without weights), it is Classify.
func (w *Weights) ClassifyPassage(v *Vector, p *Passages, sentences []string, weight float32) (Result, [3]float32) {
	if v.scored == nil {
		return w.Classify(v)
	}
	if w.Bits != v.bits || w.Bits != p.lm.weights.Bits {
		panic(fmt.Sprintf("sentiment: weights of %d bits, vector of %d, model of %d", w.Bits, v.bits, p.lm.weights.Bits))
	}
	var text [numClasses]float32
	var sq, valPos, valNeg float32
	for _, s := range sentences {
		sf := p.sentence(s, 0)
		sq += sf.sq
		z := w.partial(p.feats[sf.start:sf.end])
		for c := range text {
			text[c] += z[c]
		}
		valPos, valNeg = valPos+sf.valPos, valNeg+sf.valNeg
	}
	var arr [2]feature
	inv, val := p.lm.passageScale(sq, valPos, valNeg, arr[:0])
	vz := w.partial(val)
	z := w.score(v.feats)
	for c := range z {
		z[c] += weight * (vz[c] + inv*text[c])
	}
	return decide(z), softmax(z)
}

// Labelled is a training vector with its label ("negative", "neutral", "positive") and weight
// (0 counts as 1).
type Labelled struct {
	Vector *Vector
	Label  string
	Weight float32
}

// TrainVectors fits a softmax regression over prepared vectors by averaged SGD, as Train does
// over texts. cfg.Lang, cfg.Valences and cfg.LexWeight are stored with the weights.
func TrainVectors(ex []Labelled, cfg TrainConfig) (*Weights, error) {
	if len(ex) == 0 {
		return nil, errors.New("sentiment: train: no examples")
	}
	data := make([]trainExample, 0, len(ex))
	for i, e := range ex {
		y, ok := labelIndex(e.Label)
		if !ok {
			return nil, fmt.Errorf("sentiment: train: example %d: unknown label %q", i+1, e.Label)
		}
		if e.Vector.scored != nil {
			return nil, fmt.Errorf("sentiment: train: example %d holds partial scores, not features (Passages.Reset with nil)", i+1)
		}
		if e.Vector.bits != cfg.Bits {
			return nil, fmt.Errorf("sentiment: train: example %d has %d bits, config %d", i+1, e.Vector.bits, cfg.Bits)
		}
		wt := e.Weight
		if wt == 0 {
			wt = 1
		}
		data = append(data, trainExample{feats: append([]feature(nil), e.Vector.feats...), y: y, w: wt})
	}
	return fit(data, cfg)
}

// fit runs averaged SGD for a softmax regression over the examples.
func fit(data []trainExample, cfg TrainConfig) (*Weights, error) {
	if cfg.Bits < 8 || cfg.Bits > 24 {
		return nil, fmt.Errorf("sentiment: train: %d hash bits out of range 8..24", cfg.Bits)
	}
	var counts [numClasses]float64
	var total float64
	for _, d := range data {
		counts[d.y] += float64(d.w)
		total += float64(d.w)
	}
	var cw [numClasses]float32
	for c := range cw {
		cw[c] = 1
		if counts[c] > 0 && cfg.ClassWeightPower > 0 {
			cw[c] = float32(math.Pow(total/(numClasses*counts[c]), cfg.ClassWeightPower))
		}
	}

	n := numClasses << cfg.Bits
	w := make([]float32, n)
	u := make([]float32, n) // running sum of t*update, for averaging
	var b, ub [numClasses]float32
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	t := float32(1)
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		eta := float32(cfg.LearningRate / math.Sqrt(1+float64(epoch)))
		decay := 1 - eta*float32(cfg.L2)
		for _, k := range order {
			d := &data[k]
			z := b
			for _, f := range d.feats {
				i := int(f.idx) * numClasses
				for c := 0; c < numClasses; c++ {
					z[c] += w[i+c] * f.val
				}
			}
			p := softmax(z)
			var g [numClasses]float32
			for c := range g {
				g[c] = p[c]
				if c == d.y {
					g[c] -= 1
				}
				g[c] *= cw[d.y] * d.w * eta
			}
			for _, f := range d.feats {
				i := int(f.idx) * numClasses
				for c := 0; c < numClasses; c++ {
					old := w[i+c]
					nw := old*decay - g[c]*f.val
					w[i+c] = nw
					u[i+c] += t * (nw - old)
				}
			}
			for c := range b {
				b[c] -= g[c]
				ub[c] -= t * g[c]
			}
			t++
		}
	}
	out := &Weights{Lang: cfg.Lang, Bits: cfg.Bits, Valences: cfg.Valences, LexWeight: cfg.LexWeight, W: w}
	for i := range w {
		w[i] -= u[i] / t
	}
	for c := range b {
		out.B[c] = b[c] - ub[c]/t
	}
	return out, nil
}
