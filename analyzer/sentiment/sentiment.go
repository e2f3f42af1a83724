// Package sentiment judges whether a short Indonesian or English text is negative, neutral or
// positive. Each language has a linear model over hashed word, stem, bigram and character n-gram
// features with negation scopes, intensifiers and contrast-clause weights, combined with a small
// hand-written lexicon of news events ("pungli", "diresmikan", ...). The weights ship inside the
// binary; Judge is safe for concurrent use and does not allocate in the steady state.
//
// NOTICE: the shipped weights are derived from
//   - SmSA (IndoNLU; Purwarianti & Crisdayanti 2019, Prosa.ai; Wilie et al. 2020), Apache-2.0 per its
//     repository, catalogued elsewhere as CC BY-SA 4.0;
//   - NusaX sentiment (Winata et al., EACL 2023), CC BY-SA 4.0.
//
// The English valence list vader_en.tsv is taken from the VADER lexicon (C.J. Hutto, MIT licence),
// as distributed in github.com/jonreiter/govader (MIT licence, Copyright (c) 2020 jr).
// See README.md in this folder.
package sentiment

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"sync"
)

// Label values.
const (
	Negative = "negative"
	Neutral  = "neutral"
	Positive = "positive"
)

// Labels lists the labels in class-index order.
var Labels = [numClasses]string{Negative, Neutral, Positive}

const numClasses = 3

// Result is the sentiment of one text.
type Result struct {
	Label string  // "negative", "neutral" or "positive"
	Score float64 // in [-1, 1]: P(positive) - P(negative)
}

// Model judges sentiment in Indonesian and English.
type Model struct {
	id, en *langModel
}

// langModel is the model of one language.
type langModel struct {
	rules     *langRules
	weights   *Weights
	events    *lexicon // news event lexicon, combined at judgement time
	valences  *lexicon // lexicon valences used as model features (English), or nil
	lexWeight float32  // logit added per unit of event score
}

var (
	//go:embed model_id.bin
	modelIDBin []byte
	//go:embed model_en.bin
	modelENBin []byte
	//go:embed events_id.tsv
	eventsIDTSV []byte
	//go:embed events_en.tsv
	eventsENTSV []byte
	//go:embed vader_en.tsv
	vaderENTSV []byte
)

var (
	defaultOnce  sync.Once
	defaultModel *Model
)

// Default returns the model shipped in the binary, loaded once; it panics if the embedded weights
// are corrupt, which the package tests rule out.
func Default() *Model {
	defaultOnce.Do(func() {
		id, err := ReadWeights(bytes.NewReader(modelIDBin))
		if err != nil {
			panic(fmt.Sprintf("sentiment: embedded Indonesian weights: %v", err))
		}
		en, err := ReadWeights(bytes.NewReader(modelENBin))
		if err != nil {
			panic(fmt.Sprintf("sentiment: embedded English weights: %v", err))
		}
		m, err := New(id, en)
		if err != nil {
			panic(fmt.Sprintf("sentiment: %v", err))
		}
		defaultModel = m
	})
	return defaultModel
}

// New builds a model from Indonesian and English weights with the shipped lexicons. Either may be
// nil; a language without weights is judged with the other language's model.
func New(id, en *Weights) (*Model, error) {
	if id == nil && en == nil {
		return nil, fmt.Errorf("sentiment: no weights")
	}
	m := &Model{}
	var err error
	if id != nil {
		if m.id, err = newLangModel("id", id); err != nil {
			return nil, err
		}
	}
	if en != nil {
		if m.en, err = newLangModel("en", en); err != nil {
			return nil, err
		}
	}
	if m.id == nil {
		m.id = m.en
	}
	if m.en == nil {
		m.en = m.id
	}
	return m, nil
}

var (
	lexOnce                  sync.Once
	lexEventsID, lexEventsEN *lexicon
	lexVaderEN               *lexicon
	lexErr                   error
)

func loadLexicons() error {
	lexOnce.Do(func() {
		if lexEventsID, lexErr = parseLexicon(eventsIDTSV, rulesID); lexErr != nil {
			lexErr = fmt.Errorf("sentiment: events_id.tsv: %w", lexErr)
			return
		}
		if lexEventsEN, lexErr = parseLexicon(eventsENTSV, rulesEN); lexErr != nil {
			lexErr = fmt.Errorf("sentiment: events_en.tsv: %w", lexErr)
			return
		}
		if lexVaderEN, lexErr = parseLexicon(vaderENTSV, rulesEN); lexErr != nil {
			lexErr = fmt.Errorf("sentiment: vader_en.tsv: %w", lexErr)
		}
	})
	return lexErr
}

func newLangModel(lang string, w *Weights) (*langModel, error) {
	if err := loadLexicons(); err != nil {
		return nil, err
	}
	lm := &langModel{rules: rulesFor(lang), weights: w, lexWeight: w.LexWeight}
	if lang == "en" {
		lm.events = lexEventsEN
	} else {
		lm.events = lexEventsID
	}
	if w.Valences {
		lm.valences = lexVaderEN
	}
	return lm, nil
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{buf: make([]byte, 0, 1024), toks: make([]token, 0, 128), feats: make([]feature, 0, 2048)}
}}

// Judge returns the sentiment of a short text (a sentence or a few) in lang "id" or "en"; any
// other lang is treated as "id".
func (m *Model) Judge(text, lang string) Result {
	lm := m.id
	if lang == "en" {
		lm = m.en
	}
	sc := scratchPool.Get().(*scratch)
	logits := lm.logits(sc, text)
	scratchPool.Put(sc)
	return decide(logits)
}

// logits runs the whole model on text and returns the class scores.
func (lm *langModel) logits(sc *scratch, text string) [numClasses]float32 {
	tokenize(sc, text, lm.rules)
	annotate(sc, lm.rules)
	extract(sc, lm.rules, lm.weights.Bits, lm.valences)
	z := lm.weights.score(sc.feats)
	if lm.events != nil && lm.lexWeight != 0 {
		pos, neg := lm.events.valence(sc)
		z[classPositive] += lm.lexWeight * pos
		z[classNegative] += lm.lexWeight * neg
		z[classNeutral] -= 0.5 * lm.lexWeight * (pos + neg)
	}
	return z
}

const (
	classNegative = 0
	classNeutral  = 1
	classPositive = 2
)

func decide(z [numClasses]float32) Result {
	p := softmax(z)
	best := 0
	for c := 1; c < numClasses; c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return Result{Label: Labels[best], Score: float64(p[classPositive] - p[classNegative])}
}

func softmax(z [numClasses]float32) [numClasses]float32 {
	mx := z[0]
	for _, v := range z[1:] {
		if v > mx {
			mx = v
		}
	}
	var p [numClasses]float32
	var sum float32
	for c, v := range z {
		p[c] = float32(math.Exp(float64(v - mx)))
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
	return p
}
