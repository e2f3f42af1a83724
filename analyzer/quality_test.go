package analyzer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pantau-id/pantau/analyzer/sentiment"
)

// sharedData is the shared training and evaluation data, relative to this package.
const sharedData = "../../shared/data/sentiment"

// requireSharedData skips the test when the shared data folder is absent, or fails it under
// CI=true, where a missing folder means the quality floors were not checked.
func requireSharedData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sharedData); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data folder %s absent under CI=true: %v", sharedData, err)
		}
		t.Skipf("shared data folder %s absent: %v", sharedData, err)
	}
}

// TestNewsQualityFloors scores the shipped analyzer on the news test splits, which no model or
// rule was tuned on, against floors set just under the figures in testdata/news/README.md.
func TestNewsQualityFloors(t *testing.T) {
	tests := []struct {
		file                string
		macroF1, positiveF1 float64
		criticismF1         float64
		precision, recall   float64 // programme matching; 0 skips
	}{
		// measured: macro-F1 0.752, positive F1 0.689, criticism F1 0.782, precision 0.960, recall 0.9495
		// (752 mentions: about ±1.5 points between equally good models, ±2 for one class of 207,
		// so the positive floor sits 2 points under the figure)
		{"testdata/news/test.jsonl", 0.74, 0.67, 0.75, 0.95, 0.93},
		// measured: macro-F1 0.865, positive F1 0.800, criticism F1 0.905 (38 mentions: ±8 points)
		{"testdata/newstest.jsonl", 0.80, 0.70, 0.85, 0, 0},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			docs := readDocsFile(t, tt.file)
			rep := EvaluateMentions(testAnalyzer, docs, "id")
			t.Logf("\n%s", rep)
			if rep.MacroF1 < tt.macroF1 {
				t.Errorf("mention macro-F1 %.4f below floor %.2f", rep.MacroF1, tt.macroF1)
			}
			if f := rep.Classes[2].F1; f < tt.positiveF1 {
				t.Errorf("positive F1 %.4f below floor %.2f", f, tt.positiveF1)
			}
			if rep.Criticism.F1 < tt.criticismF1 {
				t.Errorf("criticism F1 %.4f below floor %.2f", rep.Criticism.F1, tt.criticismF1)
			}
			if tt.precision == 0 {
				return
			}
			m := EvaluateMatching(testAnalyzer, docs, "id")
			t.Logf("\n%s", m)
			if m.Micro.Precision < tt.precision || m.Micro.Recall < tt.recall {
				t.Errorf("programme precision %.4f recall %.4f, floors %.2f and %.2f", m.Micro.Precision, m.Micro.Recall, tt.precision, tt.recall)
			}
		})
	}
}

// TestNewsMTSCHoldOutFloor scores the shipped English stance weights on the NewsMTSC articles
// held out of their training.
func TestNewsMTSCHoldOutFloor(t *testing.T) {
	requireSharedData(t)
	_, held, err := ReadNewsMTSC(filepath.Join(sharedData, "newsmtsc/train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	rep := ScoreStance(testAnalyzer, held)
	t.Logf("\n%s", rep)
	const floor = 0.67 // measured 0.691
	if rep.MacroF1 < floor {
		t.Errorf("NewsMTSC hold-out macro-F1 %.4f below floor %.2f", rep.MacroF1, floor)
	}
}

// TestShippedStanceWeightsReproduce retrains the stance weights as analyzer/train does and checks
// that they equal the shipped files byte for byte: the weights are what the documented command
// makes from the data in the repository (and, for English, the shared NewsMTSC).
func TestShippedStanceWeightsReproduce(t *testing.T) {
	if testing.Short() {
		t.Skip("retraining skipped in -short mode")
	}
	a := testAnalyzer.WithStance(nil)
	var id []StanceExample
	for _, f := range []string{"testdata/news/train.jsonl", "testdata/newsdev.jsonl"} {
		id = append(id, StanceExamples(readDocsFile(t, f), "id")...)
	}
	check := func(t *testing.T, shipped string, train func() (*sentiment.Weights, error)) {
		w, err := train()
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := w.WriteTo(&got); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(shipped)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("retrained weights differ from %s: run go run ./analyzer/train -out analyzer", shipped)
		}
	}
	t.Run("id", func(t *testing.T) {
		check(t, "stance_id.bin", func() (*sentiment.Weights, error) { return a.TrainStance(id, DefaultStanceConfig("id")) })
	})
	t.Run("id criticism", func(t *testing.T) {
		check(t, "criticism_id.bin", func() (*sentiment.Weights, error) { return a.TrainCriticism(id, DefaultCriticismConfig()) })
	})
	t.Run("en", func(t *testing.T) {
		requireSharedData(t)
		train, _, err := ReadNewsMTSC(filepath.Join(sharedData, "newsmtsc/train.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		check(t, "stance_en.bin", func() (*sentiment.Weights, error) { return a.TrainStance(train, DefaultStanceConfig("en")) })
	})
}
