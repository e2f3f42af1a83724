package convnet

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

var testConfig = Config{Bits: 10, Dim: 8, Filters: 8, Epochs: 20, LearningRate: 0.05, L2: 1e-4, ClassWeightPower: 0.5, Seed: 1}

// orderExamples makes passages a bag of words cannot tell apart: each holds the words "tidak" and
// "baik" once among filler words, and its class is negative for "tidak baik", neutral for "baik
// tidak" and positive when "baik" comes first and two words stand between them.
func orderExamples(rng *rand.Rand, n int) []Example {
	filler := []string{"warga", "jalan", "kota", "program", "hari", "itu", "yang", "di", "dan", "ke"}
	out := make([]Example, 0, n)
	for range n {
		words := make([]string, 8+rng.IntN(8))
		for i := range words {
			words[i] = filler[rng.IntN(len(filler))]
		}
		y := rng.IntN(Classes)
		i := rng.IntN(len(words) - 4)
		switch y {
		case 0:
			words[i], words[i+1] = "tidak", "baik"
		case 1:
			words[i], words[i+1] = "baik", "tidak"
		case 2:
			words[i], words[i+3] = "baik", "tidak"
		}
		pos := make([]int, len(words))
		for k := range pos {
			pos[k] = NoTerm
		}
		out = append(out, Example{Words: words, Pos: pos, Label: y})
	}
	return out
}

// sideExamples make passages whose class is the side of the target ("program") a word stands on.
func sideExamples(rng *rand.Rand, n int) []Example {
	filler := []string{"warga", "jalan", "kota", "hari", "itu", "yang", "di", "dan", "ke"}
	out := make([]Example, 0, n)
	for range n {
		words := make([]string, 9)
		for i := range words {
			words[i] = filler[rng.IntN(len(filler))]
		}
		t := 3 + rng.IntN(3)
		words[t] = "program"
		y := rng.IntN(Classes)
		switch y {
		case 0:
			words[t-1-rng.IntN(2)] = "buruk"
		case 2:
			words[t+1+rng.IntN(2)] = "buruk"
		}
		pos := make([]int, len(words))
		for k := range pos {
			pos[k] = k - t
		}
		out = append(out, Example{Words: words, Pos: pos, Label: y})
	}
	return out
}

func accuracy(n *Net, ex []Example) float64 {
	right := 0
	for _, e := range ex {
		p := n.Probabilities(e.Words, e.Pos)
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		if best == e.Label {
			right++
		}
	}
	return float64(right) / float64(len(ex))
}

func TestTrainLearnsWhatBagsOfWordsCannot(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(*rand.Rand, int) []Example
	}{
		{"word order", orderExamples},
		{"side of the target", sideExamples},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			n, err := Train(tc.make(rng, 1500), testConfig)
			if err != nil {
				t.Fatal(err)
			}
			acc := accuracy(n, tc.make(rng, 300))
			t.Logf("held-out accuracy %.3f", acc)
			if acc < 0.95 {
				t.Errorf("held-out accuracy %.3f, want at least 0.95", acc)
			}
		})
	}
}

func TestWindowLeavesFarWordsOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	cfg := testConfig
	cfg.Window = 1
	n, err := Train(sideExamples(rng, 1500), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// With a window of one word, a cue two words from the target is not read.
	words := []string{"itu", "buruk", "di", "program", "di", "ke"}
	pos := []int{-3, -2, -1, 0, 1, 2}
	p := n.Probabilities(words, pos)
	q := n.Probabilities([]string{"di", "program", "di"}, []int{-1, 0, 1})
	if p != q {
		t.Errorf("words beyond the window changed the probabilities: %v, without them %v", p, q)
	}
	if empty := n.Probabilities([]string{"buruk"}, []int{NoTerm}); empty != [Classes]float32{1.0 / 3, 1.0 / 3, 1.0 / 3} {
		t.Errorf("a passage with no word in the window gave %v, want uniform", empty)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	ex := orderExamples(rng, 300)
	cfg := testConfig
	cfg.Epochs, cfg.Window = 3, 4
	n, err := Train(ex, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := n.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	m, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range ex {
		if p, q := n.Probabilities(e.Words, e.Pos), m.Probabilities(e.Words, e.Pos); p != q {
			t.Fatalf("example %d: trained net gives %v, read back %v", i, p, q)
		}
	}
	var again bytes.Buffer
	if _, err := m.WriteTo(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("writing the read net gave other bytes")
	}
	// Training is reproducible byte for byte.
	o, err := Train(ex, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var third bytes.Buffer
	if _, err := o.WriteTo(&third); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), third.Bytes()) {
		t.Error("the same examples and config trained another net")
	}
}

func TestReadRejectsBadFiles(t *testing.T) {
	n, err := Train(orderExamples(rand.New(rand.NewPCG(1, 1)), 50), Config{Bits: 8, Dim: 2, Filters: 2, Epochs: 1, LearningRate: 0.01, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := n.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	badSize := bytes.Clone(good)
	badSize[len(magic)+1] = 0 // Dim 0
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not a net": []byte("PANTAU-SENT1 something else"),
		"truncated": good[:len(good)-20],
		"bad size":  badSize,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(bytes.NewReader(data)); !errors.Is(err, ErrBadNet) {
				t.Errorf("Read = %v, want ErrBadNet", err)
			}
		})
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	good := Example{Words: []string{"a"}, Pos: []int{0}, Label: 1}
	for _, tc := range []struct {
		name string
		ex   []Example
		cfg  Config
	}{
		{"no examples", nil, testConfig},
		{"bad class", []Example{{Words: []string{"a"}, Pos: []int{0}, Label: 3}}, testConfig},
		{"positions missing", []Example{{Words: []string{"a", "b"}, Pos: []int{0}, Label: 0}}, testConfig},
		{"no hidden size", []Example{good}, Config{Bits: 10, Filters: 2, Epochs: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Train(tc.ex, tc.cfg); err == nil {
				t.Error("Train accepted it")
			}
		})
	}
}
