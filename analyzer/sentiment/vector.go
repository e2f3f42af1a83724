package sentiment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Vector is the hashed feature vector of one example for a linear classifier built on top of the
// sentence model: the features of a text (AddText, the same features Judge scores) plus named
// features a caller adds (AddFeature), all in one space of 1<<Bits buckets. The analyzer's
// mention-stance model is such a classifier. A Vector is reused with Reset; it is not safe for
// concurrent use.
type Vector struct {
	bits  uint8
	feats []feature
	sc    scratch
}

// NewVector returns an empty vector over 1<<bits buckets.
func NewVector(bits uint8) *Vector {
	return &Vector{bits: bits, feats: make([]feature, 0, 512),
		sc: scratch{buf: make([]byte, 0, 1024), toks: make([]token, 0, 128), feats: make([]feature, 0, 2048)}}
}

// Reset empties v for the next example.
func (v *Vector) Reset() { v.feats = v.feats[:0] }

// Len returns the number of features in v.
func (v *Vector) Len() int { return len(v.feats) }

// Passages holds the features of the sentences of one article for one language, so that a
// sentence in several passages (the mentions of several programmes) is tokenised once. Reset it for
// each article; it is not safe for concurrent use.
type Passages struct {
	lm    *langModel
	sc    scratch
	known map[string]int // sentence text → index in sents
	sents []sentenceFeatures
	feats []feature // the sentences' raw features, back to back
}

// sentenceFeatures locates one sentence's raw features in Passages.feats, with its lexicon sums.
type sentenceFeatures struct {
	start, end     int
	evPos, evNeg   float32 // news-event lexicon
	valPos, valNeg float32 // valence lexicon (English), when the model reads it
}

// NewPassages returns an empty cache.
func NewPassages() *Passages {
	return &Passages{known: make(map[string]int, 64),
		sc: scratch{buf: make([]byte, 0, 1024), toks: make([]token, 0, 128)}}
}

// Reset empties p for an article judged by m in lang ("en", or else "id").
func (p *Passages) Reset(m *Model, lang string) {
	p.lm = m.id
	if lang == "en" {
		p.lm = m.en
	}
	clear(p.known)
	p.sents = p.sents[:0]
	p.feats = p.feats[:0]
}

// sentence returns the features of one sentence, computing them on first use.
func (p *Passages) sentence(text string) sentenceFeatures {
	if i, ok := p.known[text]; ok {
		return p.sents[i]
	}
	lm := p.lm
	tokenize(&p.sc, text, lm.rules)
	annotate(&p.sc, lm.rules)
	sf := sentenceFeatures{start: len(p.feats)}
	p.feats = extractRaw(&p.sc, lm.weights.Bits, p.feats)
	sf.end = len(p.feats)
	if lm.events != nil {
		sf.evPos, sf.evNeg = lm.events.valence(&p.sc)
	}
	if lm.valences != nil {
		sf.valPos, sf.valNeg = lm.valences.valence(&p.sc)
	}
	p.known[text] = len(p.sents)
	p.sents = append(p.sents, sf)
	return sf
}

// AddPassage adds the features of a passage given as its sentences, each scaled by weight, and
// returns the sentence model's judgement of the passage with its class probabilities
// (negative, neutral, positive). The features are those Judge computes for the sentences joined,
// except that no feature spans two sentences. The model's weights must use v's number of buckets.
func (v *Vector) AddPassage(p *Passages, sentences []string, weight float32) (Result, [3]float32) {
	lm := p.lm
	if lm.weights.Bits != v.bits {
		panic(fmt.Sprintf("sentiment: vector of %d bits, model of %d", v.bits, lm.weights.Bits))
	}
	var evPos, evNeg, valPos, valNeg float32
	first := len(v.feats)
	for _, s := range sentences {
		sf := p.sentence(s)
		for _, f := range p.feats[sf.start:sf.end] {
			v.feats = append(v.feats, f)
		}
		evPos, evNeg = evPos+sf.evPos, evNeg+sf.evNeg
		valPos, valNeg = valPos+sf.valPos, valNeg+sf.valNeg
	}
	text := v.feats[first:]
	normalize(text)
	if lm.valences != nil {
		v.feats = appendValences(v.feats, v.bits, valPos, valNeg)
	}
	z := lm.weights.score(v.feats[first:])
	if lm.lexWeight != 0 {
		z[classPositive] += lm.lexWeight * evPos
		z[classNegative] += lm.lexWeight * evNeg
		z[classNeutral] -= 0.5 * lm.lexWeight * (evPos + evNeg)
	}
	if weight != 1 {
		for i := first; i < len(v.feats); i++ {
			v.feats[i].val *= weight
		}
	}
	return decide(z), softmax(z)
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
	z := w.score(v.feats)
	return decide(z), softmax(z)
}

// Probabilities returns the class probabilities (negative, neutral, positive) of text under m.
func (m *Model) Probabilities(text, lang string) [3]float32 {
	lm := m.id
	if lang == "en" {
		lm = m.en
	}
	sc := scratchPool.Get().(*scratch)
	z := lm.logits(sc, text)
	scratchPool.Put(sc)
	return softmax(z)
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
