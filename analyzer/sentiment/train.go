package sentiment

import (
	"errors"
	"fmt"
	"strings"
)

// TrainConfig sets the training of one language's model. The same config and examples give the
// same weights, bit for bit.
type TrainConfig struct {
	Lang             string  // "id" or "en"
	Bits             uint8   // hashed feature space of 1<<Bits buckets
	Epochs           int     // passes over the examples
	LearningRate     float64 // initial SGD step
	L2               float64 // weight decay on the weights an example touches
	ClassWeightPower float64 // 0: no class weighting; 1: fully balanced classes
	Seed             uint64  // shuffling seed
	Valences         bool    // add lexicon valence features (English)
	LexWeight        float32 // news-event lexicon weight stored with the model
}

// DefaultTrainConfig returns the settings of the shipped model for lang.
func DefaultTrainConfig(lang string) TrainConfig {
	c := TrainConfig{
		Lang: "id", Bits: 18, Epochs: 30, LearningRate: 2, L2: 1e-6,
		ClassWeightPower: 0.5, Seed: 20240601, LexWeight: 2,
	}
	if lang == "en" {
		c.Lang = "en"
		c.Valences = true
	}
	return c
}

// labelIndex maps a label (any case, "pos"/"neu"/"neg" short forms allowed) to its class index.
func labelIndex(label string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "negative", "neg", "negatif":
		return classNegative, true
	case "neutral", "neu", "netral":
		return classNeutral, true
	case "positive", "pos", "positif":
		return classPositive, true
	}
	return 0, false
}

type trainExample struct {
	feats []feature
	y     int
	w     float32 // example weight
}

// Train fits a softmax regression by averaged SGD over the examples.
func Train(ex []Example, cfg TrainConfig) (*Weights, error) {
	if len(ex) == 0 {
		return nil, errors.New("sentiment: train: no examples")
	}
	if cfg.Bits < 8 || cfg.Bits > 24 {
		return nil, fmt.Errorf("sentiment: train: %d hash bits out of range 8..24", cfg.Bits)
	}
	if err := loadLexicons(); err != nil {
		return nil, err
	}
	rules := rulesFor(cfg.Lang)
	var vader *lexicon
	if cfg.Valences {
		vader = lexVaderEN
	}
	data := make([]trainExample, 0, len(ex))
	sc := &scratch{}
	for i, e := range ex {
		y, ok := labelIndex(e.Label)
		if !ok {
			return nil, fmt.Errorf("sentiment: train: example %d: unknown label %q", i+1, e.Label)
		}
		tokenize(sc, e.Text, rules)
		annotate(sc, rules)
		extract(sc, rules, cfg.Bits, vader)
		data = append(data, trainExample{feats: append([]feature(nil), sc.feats...), y: y, w: 1})
	}
	return fit(data, cfg)
}
