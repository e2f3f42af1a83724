// Package convnet is a small convolutional classifier over the words of a passage with their
// positions relative to a target (the programme's matched terms): each word is the sum of an
// embedding of its hashed form, of its hashed first five bytes and of its position bucket; filters
// of two and three words slide over them, each keeps its largest activation (ReLU, max-pooling),
// and a linear layer over those gives the three stance classes (negative, neutral, positive).
// It reads word order, which the analyzer's linear stance model does not; analyzer/train -conv
// averages the two models' probabilities to compare them (not shipped: see analyzer/STANCE.md). Training is single-threaded and seeded: the same examples and
// Config give the same Net, bit for bit.
package convnet

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// NoTerm is the position of a word in a sentence that names no target.
const NoTerm = 1 << 20

// MaxWords is the number of words of a passage the model reads; later words are left out.
const MaxWords = 150

// Classes is the number of classes: negative, neutral, positive, in that order.
const Classes = 3

// maxDistance is the farthest distance from a target with a position bucket of its own.
const maxDistance = 11

// posBuckets counts the position buckets: -maxDistance..maxDistance (clipped) and NoTerm.
const posBuckets = 2*maxDistance + 2

// widths are the filter widths, in words.
var widths = [2]int{2, 3}

// prefixBytes is the length of the word prefix with an embedding of its own (a crude stem).
const prefixBytes = 5

// Config sets the model's size and its training.
type Config struct {
	Bits             uint8 // word and prefix embeddings: 1<<Bits buckets
	Dim              int   // embedding size
	Filters          int   // filters per width
	Window           int   // words farther than this from a target (or in a sentence naming none) are left out; 0 keeps all
	Epochs           int
	LearningRate     float64 // initial SGD step, decayed linearly to 0
	L2               float64 // weight decay on the parameters a step touches
	ClassWeightPower float64 // 0: no class weighting; 1: fully balanced classes
	Seed             uint64
}

// Example is one labelled passage for training.
type Example struct {
	Words []string
	Pos   []int // each word's signed distance to the nearest target (0 inside one), or NoTerm
	Label int   // class index
}

// Net is a trained model. It is safe for concurrent use.
type Net struct {
	Bits         uint8
	Dim, Filters int
	Window       int // Config.Window
	// E holds bucket i's embedding at E[i*Dim:]; P position bucket b's at P[b*Dim:]. C[w] holds
	// filter f of width widths[w] at C[w][f*widths[w]*Dim:], its bias at CB[w][f]. W holds class c's
	// weights over the pooled filters at W[c*len(widths)*Filters:], B the class biases.
	E, P  []float32
	C, CB [len(widths)][]float32
	W     []float32
	B     [Classes]float32
	// scaleE is the step of E's values, which are multiples of it (stored as int16).
	scaleE  float32
	scratch sync.Pool
}

// state holds one passage's token vectors and pooled activations.
type state struct {
	tok  [][2]uint32
	pos  []int
	x    []float32
	pool []float32
	arg  []int
}

func (n *Net) outputs() int { return len(widths) * n.Filters }

func (n *Net) newState() *state {
	return &state{x: make([]float32, MaxWords*n.Dim), pool: make([]float32, n.outputs()), arg: make([]int, n.outputs()),
		tok: make([][2]uint32, 0, MaxWords), pos: make([]int, 0, MaxWords)}
}

// Probabilities returns the class probabilities of a passage given as its words and their
// positions (Example.Pos).
func (n *Net) Probabilities(words []string, pos []int) [Classes]float32 {
	s, _ := n.scratch.Get().(*state)
	if s == nil {
		s = n.newState()
	}
	defer n.scratch.Put(s)
	n.load(s, words, pos)
	if len(s.tok) == 0 {
		return [Classes]float32{1.0 / 3, 1.0 / 3, 1.0 / 3}
	}
	return softmax(n.forward(s))
}

// load fills s with the tokens of a passage.
func (n *Net) load(s *state, words []string, pos []int) {
	s.tok, s.pos = s.tok[:0], s.pos[:0]
	mask := uint32(1)<<n.Bits - 1
	for i, w := range words {
		if n.Window > 0 && (pos[i] > n.Window || pos[i] < -n.Window) {
			continue // NoTerm included
		}
		if len(s.tok) == MaxWords {
			break
		}
		p := w
		if len(p) > prefixBytes {
			p = p[:prefixBytes]
		}
		s.tok = append(s.tok, [2]uint32{hash(w, 'w') & mask, hash(p, 'p') & mask})
		s.pos = append(s.pos, posBucket(pos[i]))
	}
}

func posBucket(p int) int {
	if p == NoTerm {
		return posBuckets - 1
	}
	return min(max(p, -maxDistance), maxDistance) + maxDistance
}

// hash is FNV-1a of a seed byte and s.
func hash(s string, seed byte) uint32 {
	h := uint32(2166136261)
	h = (h ^ uint32(seed)) * 16777619
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// forward computes s's token vectors and pooled activations and returns the logits.
func (n *Net) forward(s *state) [Classes]float32 {
	D, F := n.Dim, n.Filters
	T := len(s.tok)
	for t := range T {
		xt := s.x[t*D : t*D+D]
		a := n.E[int(s.tok[t][0])*D:][:D]
		b := n.E[int(s.tok[t][1])*D:][:D]
		p := n.P[s.pos[t]*D:][:D]
		for j := range xt {
			xt[j] = a[j] + b[j] + p[j]
		}
	}
	for wi, w := range widths {
		for f := range F {
			k := wi*F + f
			s.pool[k], s.arg[k] = 0, -1 // after ReLU the maximum is 0 when no window is positive
			cf := n.C[wi][f*w*D:][:w*D]
			for t := 0; t+w <= T; t++ {
				v := n.CB[wi][f]
				xs := s.x[t*D:][:w*D]
				for j, c := range cf {
					v += c * xs[j]
				}
				if v > s.pool[k] {
					s.pool[k], s.arg[k] = v, t
				}
			}
		}
	}
	z := n.B
	out := n.outputs()
	for c := range z {
		wc := n.W[c*out:][:out]
		for k, v := range s.pool {
			z[c] += wc[k] * v
		}
	}
	return z
}

func softmax(z [Classes]float32) [Classes]float32 {
	m := max(z[0], z[1], z[2])
	var p [Classes]float32
	var sum float32
	for c := range z {
		p[c] = float32(math.Exp(float64(z[c] - m)))
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
	return p
}

// Train fits a Net by SGD with a linearly decaying step. Word embeddings start at zero (words no
// example has stay zero), the other parameters at small seeded random values.
func Train(ex []Example, cfg Config) (*Net, error) {
	if len(ex) == 0 {
		return nil, errors.New("convnet: train: no examples")
	}
	if cfg.Bits < 8 || cfg.Bits > 24 || cfg.Dim < 1 || cfg.Filters < 1 || cfg.Epochs < 1 {
		return nil, fmt.Errorf("convnet: train: bad config %+v", cfg)
	}
	var counts [Classes]float64
	for i, e := range ex {
		if e.Label < 0 || e.Label >= Classes {
			return nil, fmt.Errorf("convnet: train: example %d: class %d", i+1, e.Label)
		}
		if len(e.Pos) != len(e.Words) {
			return nil, fmt.Errorf("convnet: train: example %d: %d words, %d positions", i+1, len(e.Words), len(e.Pos))
		}
		counts[e.Label]++
	}
	var cw [Classes]float32
	for c := range cw {
		cw[c] = 1
		if counts[c] > 0 && cfg.ClassWeightPower > 0 {
			cw[c] = float32(math.Pow(float64(len(ex))/(Classes*counts[c]), cfg.ClassWeightPower))
		}
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	uniform := func(v []float32, bound float64) {
		for i := range v {
			v[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	D, F := cfg.Dim, cfg.Filters
	n := &Net{Bits: cfg.Bits, Dim: D, Filters: F, Window: cfg.Window, E: make([]float32, D<<cfg.Bits), P: make([]float32, D*posBuckets)}
	uniform(n.P, 0.1)
	for wi, w := range widths {
		n.C[wi], n.CB[wi] = make([]float32, F*w*D), make([]float32, F)
		uniform(n.C[wi], math.Sqrt(6/float64(w*D+F)))
	}
	out := n.outputs()
	n.W = make([]float32, Classes*out)
	uniform(n.W, math.Sqrt(6/float64(out+Classes)))

	data := make([]state, len(ex))
	for i, e := range ex {
		n.load(&data[i], e.Words, e.Pos)
	}
	s := n.newState()
	gx := make([]float32, MaxWords*D)
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	steps := float64(cfg.Epochs * len(ex))
	step := 0.0
	for range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			if len(data[k].tok) == 0 {
				continue
			}
			eta := float32(cfg.LearningRate * (1 - step/steps))
			step++
			s.tok, s.pos = data[k].tok, data[k].pos
			n.step(s, gx, ex[k].Label, cw[ex[k].Label], eta, 1-eta*float32(cfg.L2))
		}
	}
	n.quantize()
	return n, nil
}

// step makes one SGD step on the passage loaded in s, of class y with weight cw.
func (n *Net) step(s *state, gx []float32, y int, cw, eta, decay float32) {
	D, F := n.Dim, n.Filters
	T := len(s.tok)
	out := n.outputs()
	p := softmax(n.forward(s))
	var g [Classes]float32
	for c := range g {
		g[c] = p[c]
		if c == y {
			g[c]--
		}
		g[c] *= cw
	}
	clear(gx[:T*D])
	for wi, w := range widths {
		for f := range F {
			k := wi*F + f
			t := s.arg[k]
			if t < 0 {
				continue
			}
			var gp float32
			for c := range g {
				gp += g[c] * n.W[c*out+k]
			}
			cf := n.C[wi][f*w*D:][:w*D]
			xs := s.x[t*D:][:w*D]
			gxs := gx[t*D:][:w*D]
			for j := range cf {
				gxs[j] += gp * cf[j]
				cf[j] = cf[j]*decay - eta*gp*xs[j]
			}
			n.CB[wi][f] -= eta * gp
		}
	}
	for c := range g {
		wc := n.W[c*out:][:out]
		for k, v := range s.pool {
			wc[k] = wc[k]*decay - eta*g[c]*v
		}
		n.B[c] -= eta * g[c]
	}
	for t := range T {
		gt := gx[t*D:][:D]
		for _, e := range [3][]float32{n.E[int(s.tok[t][0])*D:][:D], n.E[int(s.tok[t][1])*D:][:D], n.P[s.pos[t]*D:][:D]} {
			for j := range e {
				e[j] = e[j]*decay - eta*gt[j]
			}
		}
	}
}

// quantize rounds E to multiples of the step its int16 form has, so that a Net read back from
// WriteTo's output computes what the trained one does.
func (n *Net) quantize() {
	var maxAbs float64
	for _, v := range n.E {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	n.scaleE = float32(maxAbs / 32767)
	if n.scaleE == 0 {
		n.scaleE = 1
	}
	for i, v := range n.E {
		n.E[i] = float32(int16(math.Round(float64(v/n.scaleE)))) * n.scaleE
	}
}
